// Command multiscale times otkit.MultiscaleSinkhorn (ε-scaling with
// multiscale kernel truncation) on one large problem and compares it with
// the plain online Sinkhorn solver at the same ε.
//
//	go build -o /tmp/multiscale ./bench/multiscale
//	/tmp/multiscale -n 100000 -data square -d 2 -eps 0.0025 -plain-iters 3 -plain-count 1000
//
// Data (fixed seeds): "square" draws x and y uniformly in the unit square
// (cube for d = 3); "blobs" draws each cloud from two Gaussian blobs
// (σ = 0.08) at opposite corners (x at (0.3,…,0.3), (0.7,…,0.7); y at the
// two other diagonal positions). Weights are uniform; cost |x − y|².
//
// It prints the multiscale wall and CPU time, the iterations per level,
// the kept fraction of the kernel, the truncated marginal errors and the
// bound on the dropped mass, and the peak RSS (VmHWM) right after the
// multiscale solve. With -ref it then solves the same problem with the full
// online kernel (EpsScaling, the Sinkhorn loop run to -ref-threshold) and
// prints the relative cost error; with -ref-ms (for sizes where the full
// kernel is too slow) the reference is MultiscaleSinkhorn itself run to
// -ref-threshold with tolerance 1e-10. The plain online solver (otkit.Sinkhorn,
// default options at the same ε) is either run to convergence (-plain-iters
// 0) or timed for -plain-iters iterations and extrapolated to -plain-count
// iterations, which the output marks as extrapolated.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

func main() {
	n := flag.Int("n", 10000, "points per cloud")
	d := flag.Int("d", 2, "dimension (1–3)")
	data := flag.String("data", "square", "square or blobs")
	eps := flag.Float64("eps", 0.0025, "epsilon (cost |x−y|²)")
	threshold := flag.Float64("threshold", 1e-3, "Sinkhorn threshold (L1 marginal error)")
	tol := flag.Float64("tol", 0, "truncation tolerance (0 = default 1e-5)")
	cell := flag.Float64("cell", 0, "grid cell side (0 = default)")
	ref := flag.Bool("ref", false, "also solve with the full online kernel (EpsScaling) for the error")
	refThreshold := flag.Float64("ref-threshold", 1e-5, "threshold of the reference solve")
	refMS := flag.Bool("ref-ms", false, "also solve multiscale to threshold -ref-threshold with tolerance 1e-10 (the converged value when the full kernel is too slow)")
	plainIters := flag.Int("plain-iters", -1, "plain solver: -1 skip, 0 run to convergence, k > 0 time k iterations and extrapolate")
	plainCount := flag.Int("plain-count", 0, "iteration count the plain solver needs (for the extrapolation)")
	plainMax := flag.Int("plain-max", 20000, "MaxIterations of the plain solver run to convergence")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the multiscale solve")
	flag.Parse()

	fmt.Printf("n = m = %d, d = %d, data %s, eps = %g, threshold %g, GOMAXPROCS=%d, load average before: %s\n",
		*n, *d, *data, *eps, *threshold, runtime.GOMAXPROCS(0), host.LoadAvg())
	x, y := clouds(*n, *d, *data)
	geom, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Online: true, Epsilon: *eps})
	if err != nil {
		log.Fatal(err)
	}
	sopt := otkit.SinkhornOptions{Threshold: *threshold, MaxIterations: 5000}

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
	}
	start, c0 := time.Now(), host.CPUSeconds()
	res, err := otkit.MultiscaleSinkhorn(geom, nil, nil, otkit.MultiscaleOptions{Tolerance: *tol, CellSize: *cell, Sinkhorn: sopt})
	if err != nil {
		log.Fatal(err)
	}
	wall, cpu := time.Since(start).Seconds(), host.CPUSeconds()-c0
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Printf("multiscale: %.2f s wall, %.2f CPU s; converged=%v (err=%v); clusters %d × %d; kept fraction %.4f\n",
		wall, cpu, res.Converged, res.Err(), res.XClusters, res.YClusters, res.KeptFraction)
	var lv []string
	for _, l := range res.Levels {
		tag := "fine"
		if l.Coarse {
			tag = "coarse"
		}
		lv = append(lv, fmt.Sprintf("%s ε=%.3g:%d", tag, l.Epsilon, l.Iterations))
	}
	fmt.Printf("levels (iterations): %s\n", strings.Join(lv, ", "))
	rowErr, colErr := marginalErrors(res.SinkhornResult)
	fmt.Printf("reg_ot_cost = %.10g; L1 marginal errors (truncated kernel) rows %.3g cols %.3g; dropped-mass bound %.1g\n",
		res.RegOTCost, rowErr, colErr, res.MassBound)
	fmt.Printf("peak RSS (VmHWM) after multiscale = %s; load average: %s\n", host.PeakRSS(), host.LoadAvg())

	if *ref {
		start, c0 = time.Now(), host.CPUSeconds()
		rr, err := otkit.EpsScaling(geom, nil, nil, otkit.EpsScalingOptions{Sinkhorn: otkit.SinkhornOptions{Threshold: *refThreshold, MaxIterations: 20000}})
		if err != nil {
			log.Fatal(err)
		}
		annealed := 0
		for _, l := range rr.Levels[:len(rr.Levels)-1] {
			annealed += l.Iterations
		}
		fmt.Printf("reference (EpsScaling, full online kernel, threshold %g): %.1f s, %d iterations (%d annealing + %d at the target), reg_ot_cost = %.10g\n",
			*refThreshold, time.Since(start).Seconds(), annealed+rr.Iterations, annealed, rr.Iterations, rr.RegOTCost)
		fmt.Printf("relative cost error multiscale vs reference: %.2e (CPU %.1f s); load average: %s\n",
			math.Abs(res.RegOTCost-rr.RegOTCost)/math.Abs(rr.RegOTCost), host.CPUSeconds()-c0, host.LoadAvg())
	}
	if *refMS {
		start = time.Now()
		rr, err := otkit.MultiscaleSinkhorn(geom, nil, nil, otkit.MultiscaleOptions{Tolerance: 1e-10, CellSize: *cell,
			Sinkhorn: otkit.SinkhornOptions{Threshold: *refThreshold, MaxIterations: 20000}})
		if err != nil {
			log.Fatal(err)
		}
		fine := 0
		for _, l := range rr.Levels {
			if !l.Coarse {
				fine += l.Iterations
			}
		}
		fmt.Printf("converged value (multiscale, threshold %g, tolerance 1e-10): %.1f s, %d fine iterations, reg_ot_cost = %.10g; relative cost error %.2e; load average: %s\n",
			*refThreshold, time.Since(start).Seconds(), fine, rr.RegOTCost, math.Abs(res.RegOTCost-rr.RegOTCost)/math.Abs(rr.RegOTCost), host.LoadAvg())
	}
	if *plainIters >= 0 {
		plain(geom, *plainIters, *plainCount, *plainMax, *threshold, wall, cpu)
	}
}

// plain runs (or times a few iterations of) the plain online solver.
func plain(geom *otkit.Geometry, iters, count, maxIter int, threshold, msWall, msCPU float64) {
	opt := otkit.SinkhornOptions{Threshold: threshold, MaxIterations: maxIter}
	if iters > 0 {
		opt.MinIterations, opt.MaxIterations = iters, iters
	}
	start, c0 := time.Now(), host.CPUSeconds()
	r, err := otkit.Sinkhorn(geom, nil, nil, opt)
	if err != nil {
		log.Fatal(err)
	}
	t, cpu := time.Since(start).Seconds(), host.CPUSeconds()-c0
	if iters == 0 {
		fmt.Printf("plain online Sinkhorn: converged=%v after %d iterations in %.1f s (%.1f CPU s); reg_ot_cost = %.10g; ratio plain/multiscale = %.1f× wall, %.1f× CPU; load average: %s\n",
			r.Converged, r.Iterations, t, cpu, r.RegOTCost, t/msWall, cpu/msCPU, host.LoadAvg())
		return
	}
	per, perCPU := t/float64(r.Iterations), cpu/float64(r.Iterations)
	fmt.Printf("plain online Sinkhorn: %d iterations timed, %.3f s/iteration (%.3f CPU s)", r.Iterations, per, perCPU)
	if count > 0 {
		fmt.Printf("; EXTRAPOLATED to %d iterations: %.0f s (%.0f CPU s); ratio plain/multiscale = %.0f× wall, %.0f× CPU (extrapolated)",
			count, per*float64(count), perCPU*float64(count), per*float64(count)/msWall, perCPU*float64(count)/msCPU)
	}
	fmt.Printf("; load average: %s\n", host.LoadAvg())
}

// marginalErrors returns the L1 errors of both marginals; above 100k points
// only the columns' (the rows are exact after the balanced f update), each
// being one more pass over the kept kernel.
func marginalErrors(r *otkit.SinkhornResult) (rowErr, colErr float64) {
	rowErr = math.NaN()
	if len(r.A) <= 100000 {
		rowErr = 0
		for i, v := range r.RowMarginal() {
			rowErr += math.Abs(v - r.A[i])
		}
	}
	for j, v := range r.ColMarginal() {
		colErr += math.Abs(v - r.B[j])
	}
	return rowErr, colErr
}

func clouds(n, d int, data string) (*mat.Dense, *mat.Dense) {
	rng := rand.New(rand.NewPCG(2026, 13))
	x := mat.NewDense(n, d, nil)
	y := mat.NewDense(n, d, nil)
	for _, c := range []struct {
		p    *mat.Dense
		side int
	}{{x, 0}, {y, 1}} {
		for i := 0; i < n; i++ {
			blob := i % 2
			for k := 0; k < d; k++ {
				switch data {
				case "square":
					c.p.Set(i, k, rng.Float64())
				case "blobs":
					center := 0.3 + 0.4*float64(blob)
					if c.side == 1 && k == 1 {
						center = 1 - center // y's blobs on the other diagonal
					}
					c.p.Set(i, k, center+0.08*rng.NormFloat64())
				default:
					log.Fatalf("unknown -data %q", data)
				}
			}
		}
	}
	return x, y
}
