// Command batchbench times otkit's batched solvers (EMDBatch,
// SinkhornBatch) against a loop of POT calls on the same problems, in one
// run, and otkit on 1 and on 2 cores.
//
// It draws B problems of two N-point clouds in the unit square (fixed
// seed), writes them for the Python side (bench/pot_batch.py), and times:
//   - exact: B × (ot.dist + ot.emd) against EMDBatch on the point clouds;
//   - entropic: B × (ot.dist + ot.sinkhorn) against SinkhornBatch, both at
//     the same ε, the same threshold on the L2 norm of the column marginal
//     error checked every 10 iterations, and the same iteration cap.
//
// Both sides include building the cost matrices. otkit runs at GOMAXPROCS
// 1 and 2 (best of -reps runs each: the machine is shared); POT once. It
// prints wall and CPU seconds, the ratios POT / otkit and 2 cores / 1 core
// against the targets of issue 23 (≥ 10× POT, ≥ 1.8× from 1 to 2 cores),
// and the sums of the transport costs of both sides as a check that they
// solved the same problems.
//
// Run from the repository root: go run ./bench/batchbench (see bench/README.md).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

type potTimes struct {
	EMDSeconds      float64 `json:"emd_seconds"`
	EMDCPU          float64 `json:"emd_cpu"`
	EMDCostSum      float64 `json:"emd_cost_sum"`
	SinkhornSeconds float64 `json:"sinkhorn_seconds"`
	SinkhornCPU     float64 `json:"sinkhorn_cpu"`
	SinkhornCostSum float64 `json:"sinkhorn_cost_sum"`
	POT             string  `json:"pot"`
}

// timing is one otkit measurement: best wall time of the repetitions and
// the CPU time of that repetition.
type timing struct{ wall, cpu, costSum float64 }

func main() {
	B := flag.Int("b", 1000, "problems in the batch")
	n := flag.Int("n", 128, "points per cloud")
	eps := flag.Float64("eps", 0.01, "entropic regularisation ε (absolute; costs are in [0, 2])")
	thr := flag.Float64("threshold", 1e-6, "threshold on the L2 norm of the marginal error")
	maxIter := flag.Int("maxiter", 1000, "iteration cap of both Sinkhorn solvers")
	reps := flag.Int("reps", 3, "repetitions of each otkit timing (the best is kept)")
	python := flag.String("python", "/usr/bin/python3", "Python with Debian's python3-pot")
	script := flag.String("script", "bench/pot_batch.py", "POT driver script")
	noPOT := flag.Bool("no-pot", false, "time otkit only")
	flag.Parse()

	rng := rand.New(rand.NewPCG(2023, 23))
	xs, ys := make([]float64, *B**n*2), make([]float64, *B**n*2)
	for i := range xs {
		xs[i], ys[i] = rng.Float64(), rng.Float64()
	}
	problems := make([]otkit.Problem, *B)
	for k := range problems {
		lo, hi := k**n*2, (k+1)**n*2
		problems[k] = otkit.Problem{X: mat.NewDense(*n, 2, xs[lo:hi]), Y: mat.NewDense(*n, 2, ys[lo:hi])}
	}
	fmt.Printf("%s; load average before: %s\n", host.CPUModel(), host.LoadAvg())
	fmt.Printf("B = %d problems of %d × %d points in the unit square (d = 2), uniform weights; cost construction included on both sides.\n", *B, *n, *n)
	fmt.Printf("Entropic: ε = %g, threshold %g on the L2 column marginal error (every 10 iterations), at most %d iterations.\n\n", *eps, *thr, *maxIter)

	emd := func() float64 {
		res, err := otkit.EMDBatch(problems, otkit.EMDBatchOptions{})
		if err != nil {
			log.Fatal(err)
		}
		if err := res.Err(); err != nil {
			log.Fatal(err)
		}
		var s float64
		for _, r := range res.Results {
			s += r.Cost
		}
		return s
	}
	notConverged := 0
	sink := func() float64 {
		res, err := otkit.SinkhornBatch(problems, otkit.SinkhornBatchOptions{
			Sinkhorn:   otkit.SinkhornOptions{Threshold: *thr, NormError: 2, MaxIterations: *maxIter},
			PointCloud: otkit.PointCloudOptions{Epsilon: *eps},
		})
		if err != nil {
			log.Fatal(err)
		}
		notConverged = 0
		var s float64
		for _, r := range res.Results {
			if !r.Converged {
				notConverged++
			}
			s += r.PrimalCost()
		}
		return s
	}
	var emdT, sinkT [3]timing // index: GOMAXPROCS
	for _, p := range []int{1, 2} {
		runtime.GOMAXPROCS(p)
		emdT[p] = best(*reps, emd)
		sinkT[p] = best(*reps, sink)
	}
	runtime.GOMAXPROCS(2)

	var pot potTimes
	if !*noPOT {
		pot = runPOT(*python, *script, xs, ys, *B, *n, *eps, *thr, *maxIter)
	}
	fmt.Println("| solver | POT loop | otkit, 1 core | otkit, 2 cores | POT / otkit (2 cores) | 2 cores / 1 core | Σ cost POT | Σ cost otkit |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	row("exact (ot.emd / EMDBatch)", pot.EMDSeconds, pot.EMDCPU, emdT, pot.EMDCostSum)
	row("entropic (ot.sinkhorn / SinkhornBatch)", pot.SinkhornSeconds, pot.SinkhornCPU, sinkT, pot.SinkhornCostSum)
	fmt.Printf("\nSeconds, wall clock (CPU in brackets). otkit: best of %d. POT %s. otkit Sinkhorn problems not converged: %d of %d.\n", *reps, pot.POT, notConverged, *B)
	fmt.Printf("Targets: POT / otkit ≥ 10, 2 cores / 1 core ≥ 1.8. Load average after: %s\n", host.LoadAvg())
}

// best runs fn reps times and keeps the fastest wall time.
func best(reps int, fn func() float64) timing {
	t := timing{wall: math.Inf(1)}
	for r := 0; r < reps; r++ {
		runtime.GC()
		t0, c0 := time.Now(), host.CPUSeconds()
		s := fn()
		wall, cpu := time.Since(t0).Seconds(), host.CPUSeconds()-c0
		if wall < t.wall {
			t = timing{wall, cpu, s}
		}
	}
	return t
}

func row(name string, potWall, potCPU float64, t [3]timing, potSum float64) {
	fmt.Printf("| %s | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) | **%.1f×** | **%.2f×** | %.6g | %.6g |\n",
		name, potWall, potCPU, t[1].wall, t[1].cpu, t[2].wall, t[2].cpu, potWall/t[2].wall, t[1].wall/t[2].wall, potSum, t[2].costSum)
}

func runPOT(python, script string, xs, ys []float64, B, n int, eps, thr float64, maxIter int) potTimes {
	dir, err := os.MkdirTemp("", "batchbench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	host.WriteF64(filepath.Join(dir, "x.f64"), xs)
	host.WriteF64(filepath.Join(dir, "y.f64"), ys)
	cmd := exec.Command(python, script, dir, strconv.Itoa(B), strconv.Itoa(n),
		strconv.FormatFloat(eps, 'g', -1, 64), strconv.FormatFloat(thr, 'g', -1, 64), strconv.Itoa(maxIter))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("%s: %v", script, err)
	}
	var p potTimes
	if err := json.Unmarshal(out, &p); err != nil {
		log.Fatalf("%s printed %q: %v", script, out, err)
	}
	return p
}
