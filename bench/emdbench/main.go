// Command emdbench times otkit's exact optimal transport (EMDPoints, the
// network simplex) against POT's ot.emd on identical data, in one run, and
// times otkit's sliced Wasserstein distance on large clouds.
//
// For each size n it draws two 2-D clouds (x ~ N(0, I), y ~ N((1,1), I),
// n points each, fixed seed) and non-uniform weights, writes them for the
// Python side, and times POT's ot.emd (cost matrix built outside the timer)
// and otkit's EMD on the same cost matrix (EMD; the matrix is built outside
// the timer too). It prints wall and CPU seconds, the ratio and both costs
// (a check that both found the optimum).
//
// Run from the repository root: go run ./bench/emdbench (see bench/emd_vs_pot.sh).
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
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

func main() {
	sizes := flag.String("sizes", "1000,5000", "comma-separated n (= m) for exact OT")
	python := flag.String("python", "/usr/bin/python3", "Python with Debian's python3-pot")
	script := flag.String("script", "bench/pot_emd.py", "POT driver script")
	noPOT := flag.Bool("no-pot", false, "time otkit only")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the otkit EMD solves to this file")
	slicedN := flag.Int("sliced-n", 1000000, "points per cloud for the sliced Wasserstein timing (0: skip)")
	slicedDim := flag.Int("sliced-d", 3, "dimension of the sliced Wasserstein clouds")
	projections := flag.Int("projections", 100, "projections for the sliced Wasserstein timing")
	flag.Parse()

	dir, err := os.MkdirTemp("", "emdbench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	fmt.Printf("GOMAXPROCS=%d, %s, load average before: %s\n\n", runtime.GOMAXPROCS(0), host.CPUModel(), host.LoadAvg())
	fmt.Println("Exact OT, squared Euclidean cost, 2-D clouds, non-uniform weights. Seconds, wall clock (CPU in brackets); cost matrix built outside the timers.")
	fmt.Println()
	fmt.Println("| n = m | POT ot.emd | otkit EMD | POT / otkit | otkit pivots | cost POT | cost otkit | rel. diff |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("bad size %q", s)
		}
		x, y, a, b := problem(n)
		g, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 1})
		if err != nil {
			log.Fatal(err)
		}
		cost := g.CostMatrix()
		var prof *os.File
		if *cpuprofile != "" {
			prof, err = os.Create(fmt.Sprintf("%s.%d", *cpuprofile, n))
			if err != nil {
				log.Fatal(err)
			}
			pprof.StartCPUProfile(prof)
		}
		t0, c0 := time.Now(), host.CPUSeconds()
		res, err := otkit.EMD(cost, a, b, otkit.EMDOptions{})
		wall, cpu := time.Since(t0).Seconds(), host.CPUSeconds()-c0
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
		if err != nil {
			log.Fatal(err)
		}
		if !res.Optimal() {
			log.Fatalf("n=%d: otkit stopped: %v", n, res.Status)
		}
		cost = nil
		g = nil
		potCell, ratio, potCost, rel := "–", "–", "–", "–"
		if !*noPOT {
			p := runPOT(*python, *script, dir, x, y, a, b, n)
			if len(p.Warnings) > 0 {
				log.Printf("POT warnings at n=%d: %v", n, p.Warnings)
			}
			potCell = fmt.Sprintf("%.3f (%.3f)", p.Seconds, p.CPU)
			ratio = fmt.Sprintf("%.2f× (%.2f×)", p.Seconds/wall, p.CPU/cpu)
			potCost = fmt.Sprintf("%.12g", p.Cost)
			rel = fmt.Sprintf("%.1e", math.Abs(res.Cost-p.Cost)/math.Abs(p.Cost))
		}
		fmt.Printf("| %d | %s | %.3f (%.3f) | %s | %d | %s | %.12g | %s |\n",
			n, potCell, wall, cpu, ratio, res.Iterations, potCost, res.Cost, rel)
	}
	if *slicedN > 0 {
		sliced(*slicedN, *slicedDim, *projections)
	}
	fmt.Printf("\nload average after: %s\n", host.LoadAvg())
}

// problem draws the clouds and weights for size n (fixed seed per n).
func problem(n int) (x, y *mat.Dense, a, b []float64) {
	rng := rand.New(rand.NewPCG(uint64(n), 14))
	x, y = mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
		y.Set(i, 0, rng.NormFloat64()+1)
		y.Set(i, 1, rng.NormFloat64()+1)
	}
	weights := func() []float64 {
		w := make([]float64, n)
		var s float64
		for i := range w {
			w[i] = 0.5 + rng.Float64()
			s += w[i]
		}
		for i := range w {
			w[i] /= s
		}
		return w
	}
	return x, y, weights(), weights()
}

type potResult struct {
	Seconds  float64  `json:"seconds"`
	CPU      float64  `json:"cpu"`
	Cost     float64  `json:"cost"`
	Warnings []string `json:"warnings"`
	Version  string   `json:"pot"`
}

func runPOT(python, script, dir string, x, y *mat.Dense, a, b []float64, n int) potResult {
	host.WriteF64(filepath.Join(dir, "x.f64"), x.RawMatrix().Data)
	host.WriteF64(filepath.Join(dir, "y.f64"), y.RawMatrix().Data)
	host.WriteF64(filepath.Join(dir, "a.f64"), a)
	host.WriteF64(filepath.Join(dir, "b.f64"), b)
	cmd := exec.Command(python, script, dir, strconv.Itoa(n), "2")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("POT run failed: %v", err)
	}
	var res potResult
	if err := json.Unmarshal(out, &res); err != nil {
		log.Fatalf("POT output %q: %v", out, err)
	}
	return res
}

// sliced times SlicedWasserstein between two n-point clouds in d
// dimensions over k seeded directions, without and with gradients.
func sliced(n, d, k int) {
	rng := rand.New(rand.NewPCG(7, 14))
	x, y := mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
	xs, ys := x.RawMatrix().Data, y.RawMatrix().Data
	for i := range xs {
		xs[i] = rng.NormFloat64()
		ys[i] = 1.5*rng.NormFloat64() + 1
	}
	fmt.Printf("\nSliced Wasserstein (p = 2), %d points per cloud in %d-D, %d projections, uniform weights:\n\n", n, d, k)
	fmt.Println("| gradient | wall s | CPU s | SW2 | max-sliced |")
	fmt.Println("|---|---|---|---|---|")
	for _, grad := range []bool{false, true} {
		t0, c0 := time.Now(), host.CPUSeconds()
		r, err := otkit.SlicedWasserstein(x, y, nil, nil, otkit.SlicedOptions{Projections: k, Seed: 1, Gradient: grad})
		wall, cpu := time.Since(t0).Seconds(), host.CPUSeconds()-c0
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("| %v | %.2f | %.2f | %.6f | %.6f |\n", grad, wall, cpu, r.Distance, r.MaxDistance)
	}
}
