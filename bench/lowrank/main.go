// Command lowrank times otkit's LowRankSinkhorn on two large clouds: n × n
// points in dimension d (x uniform in the unit cube, y Gaussian around its
// centre with standard deviation 0.25; fixed seed), rank r, the solver's
// default options otherwise (threshold 1e-3 on the step criterion, γ = 10
// rescaled, k-means start). It prints the wall and CPU time of the solve,
// the process's peak resident memory (points included), the steps, the
// Dykstra iterations, the convergence and the first and last costs of the
// objective's trace, against the issue-23 target (r = 10, 100k × 100k,
// d = 7: ≤ 60 s and ≤ 500 MB).
//
// Run from the repository root: go run ./bench/lowrank (flags: -n, -d, -r,
// -threshold, -gamma).
// No peer: POT 0.8.2 has no low-rank solver and OTT-JAX is not installed.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

func main() {
	n := flag.Int("n", 100000, "points per cloud")
	d := flag.Int("d", 7, "dimension")
	r := flag.Int("r", 10, "rank")
	thr := flag.Float64("threshold", 0, "LowRankOptions.Threshold (0: the default 1e-3)")
	gamma := flag.Float64("gamma", 0, "LowRankOptions.Gamma (0: the default 10)")
	flag.Parse()

	rng := rand.New(rand.NewPCG(23, 2))
	x, y := mat.NewDense(*n, *d, nil), mat.NewDense(*n, *d, nil)
	xs, ys := x.RawMatrix().Data, y.RawMatrix().Data
	for i := range xs {
		xs[i] = rng.Float64()
		ys[i] = 0.5 + 0.25*rng.NormFloat64()
	}
	fmt.Printf("%s; GOMAXPROCS %d; load average before: %s\n", host.CPUModel(), runtime.GOMAXPROCS(0), host.LoadAvg())
	t0, c0 := time.Now(), host.CPUSeconds()
	res, err := otkit.LowRankSinkhorn(x, y, nil, nil, otkit.LowRankOptions{Rank: *r, Threshold: *thr, Gamma: *gamma})
	wall, cpu := time.Since(t0).Seconds(), host.CPUSeconds()-c0
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("LowRankSinkhorn, %d × %d points, d = %d, rank %d: %.2f s wall (%.2f s CPU), peak RSS %s\n", *n, *n, *d, *r, wall, cpu, host.PeakRSS())
	fmt.Printf("converged %v after %d steps (criterion %.3g, threshold %g), %d Dykstra iterations (%d capped); cost %.6g → %.6g\n",
		res.Converged, res.Iterations, res.Errors[len(res.Errors)-1], res.Threshold, res.DykstraIterations, res.DykstraCapped, res.Costs[0], res.Cost)
	fmt.Printf("Target: ≤ 60 s and ≤ 500 MB. Load average after: %s\n", host.LoadAvg())
}
