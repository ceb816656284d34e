// Command relaxed times otkit's partial and unbalanced solvers against POT
// 0.8.2 on identical data, in one run (CPU seconds of each process, all
// threads).
//
// For each size n it draws two 2-D clouds (x ~ N(0, I), y ~ N((1, 1), I),
// fixed seed), uniform weights 1/n and the squared-Euclidean cost divided
// by its maximum, and three bumps on a 1-D grid of n bins for the
// barycenter, writes them for bench/pot_relaxed.py and times:
//
//	partial   PartialEMD, mass 0.7        | ot.partial.partial_wasserstein2
//	entropic  EntropicPartial, ε = 0.01   | ot.partial.entropic_partial_wasserstein
//	mm        UnbalancedMM KL, ρ = 0.1    | ot.unbalanced.mm_unbalanced2
//	bary      UnbalancedBarycenter        | ot.unbalanced.barycenter_unbalanced
//
// entropic: otkit runs to its residual 1e-9; POT (which has no residual
// test: stopThr is on the plan's change) runs the same number of
// iterations; above n = 1000 at most -pot-iters of them (its iteration
// multiplies by diag matrices with np.dot, O(n³)), and the table gives the
// CPU time per iteration of both. mm: both run exactly -mm-iters iterations. bary:
// ε = 0.01, reg_m = 0.1 (τ = 0.1/0.11), both to POT's criterion 1e-8.
//
// Run from the repository root: go run ./bench/relaxed [-sizes 500,2000].
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
	"strconv"
	"strings"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

type potOut struct {
	Seconds  float64  `json:"seconds"`
	CPU      float64  `json:"cpu"`
	Value    float64  `json:"value"`
	NaN      bool     `json:"nan"`
	Warnings []string `json:"warnings"`
}

func runPOT(dir string, n int, name string, iters int) potOut {
	out, err := exec.Command("/usr/bin/python3", "bench/pot_relaxed.py", dir, strconv.Itoa(n), name, strconv.Itoa(iters)).Output()
	if err != nil {
		log.Fatalf("pot %s: %v", name, err)
	}
	var p potOut
	if err := json.Unmarshal(out, &p); err != nil {
		log.Fatalf("pot %s: %v: %s", name, err, out)
	}
	return p
}

// timed runs fn and returns its wall and CPU seconds.
func timed(fn func()) (float64, float64) {
	t0, c0 := time.Now(), host.CPUSeconds()
	fn()
	return time.Since(t0).Seconds(), host.CPUSeconds() - c0
}

func problem(n int, rng *rand.Rand) (*mat.Dense, []float64, [][]float64) {
	x, y := make([][2]float64, n), make([][2]float64, n)
	for i := range x {
		x[i] = [2]float64{rng.NormFloat64(), rng.NormFloat64()}
		y[i] = [2]float64{1 + rng.NormFloat64(), 1 + rng.NormFloat64()}
	}
	c := mat.NewDense(n, n, nil)
	c.Apply(func(i, j int, _ float64) float64 {
		dx, dy := x[i][0]-y[j][0], x[i][1]-y[j][1]
		return dx*dx + dy*dy
	}, c)
	c.Scale(1/mat.Max(c), c)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	hists := make([][]float64, 3)
	for k, s := range []struct{ mu, sd, mass float64 }{{0.2, 0.05, 2}, {0.7, 0.08, 0.7}, {0.5, 0.03, 1.2}} {
		h := make([]float64, n)
		var tot float64
		for i := range h {
			z := (float64(i)/float64(n-1) - s.mu) / s.sd
			h[i] = math.Exp(-z * z / 2)
			tot += h[i]
		}
		for i := range h {
			h[i] *= s.mass / tot
		}
		hists[k] = h
	}
	return c, w, hists
}

func main() {
	sizes := flag.String("sizes", "500,2000", "comma-separated n")
	potIters := flag.Int("pot-iters", 10, "cap on POT's entropic partial iterations above n = 1000 (O(n³) each)")
	mmIters := flag.Int("mm-iters", 1000, "MM iterations (both sides)")
	flag.Parse()
	fmt.Printf("CPU: %s; load %s\n\n", host.CPUModel(), host.LoadAvg())
	fmt.Println("| n | solver | otkit CPU s | POT CPU s | POT/otkit | otkit value | POT value | notes |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			log.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(22, uint64(n)))
		c, w, hists := problem(n, rng)
		dir, err := os.MkdirTemp("", "relaxed")
		if err != nil {
			log.Fatal(err)
		}
		host.WriteF64(filepath.Join(dir, "M.f64"), c.RawMatrix().Data)
		host.WriteF64(filepath.Join(dir, "a.f64"), w)
		host.WriteF64(filepath.Join(dir, "b.f64"), w)
		host.WriteF64(filepath.Join(dir, "A.f64"), append(append(append([]float64(nil), hists[0]...), hists[1]...), hists[2]...))
		row := func(name string, cpu float64, p potOut, v, pv float64, note string) {
			if p.NaN {
				note += "; POT returned NaN"
			}
			if len(p.Warnings) > 0 {
				note += "; POT warned: " + strings.Join(p.Warnings, " / ")
			}
			fmt.Printf("| %d | %s | %.3f | %.3f | %.2f | %.10g | %.10g | %s |\n", n, name, cpu, p.CPU, p.CPU/cpu, v, pv, note)
		}

		var pr *otkit.PartialResult
		_, cpu := timed(func() { pr, err = otkit.PartialEMD(c, w, w, otkit.PartialOptions{Mass: 0.7}) })
		check(err, pr.Err())
		pp := runPOT(dir, n, "partial", 0)
		row("partial (exact)", cpu, pp, pr.Cost, pp.Value, fmt.Sprintf("%d pivots", pr.Iterations))

		g, err := otkit.NewGeometry(c, otkit.GeometryOptions{Epsilon: 0.01})
		check(err, nil)
		var er *otkit.EntropicPartialResult
		_, cpu = timed(func() { er, err = otkit.EntropicPartial(g, w, w, otkit.EntropicPartialOptions{Mass: 0.7}) })
		check(err, er.Err())
		it := er.Iterations
		if n > 1000 {
			it = min(it, *potIters) // POT's O(n³) iterations: time a few
		}
		pe := runPOT(dir, n, "entropic", it)
		row("entropic partial ε=0.01", cpu, pe, er.Cost, pe.Value, fmt.Sprintf("otkit %d iterations to 1e-9 (%.2g s/iter); POT %d iterations (%.2g s/iter)",
			er.Iterations, cpu/float64(max(er.Iterations, 1)), it, pe.CPU/float64(it)))

		var mr *otkit.UnbalancedMMResult
		_, cpu = timed(func() {
			mr, err = otkit.UnbalancedMM(c, w, w, otkit.UnbalancedMMOptions{Rho: 0.1, Threshold: math.SmallestNonzeroFloat64, MaxIterations: *mmIters})
		})
		check(err, nil)
		pm := runPOT(dir, n, "mm", *mmIters)
		row("MM unbalanced KL ρ=0.1", cpu, pm, mr.Cost, pm.Value, fmt.Sprintf("%d iterations each", *mmIters))

		grid := mat.NewDense(n, 1, nil)
		for i := 0; i < n; i++ {
			grid.Set(i, 0, float64(i)/float64(n-1))
		}
		gb, err := otkit.NewGeometry(gridCost(n), otkit.GeometryOptions{Epsilon: 0.01})
		check(err, nil)
		var br *otkit.UnbalancedBarycenterResult
		_, cpu = timed(func() {
			br, err = otkit.UnbalancedBarycenter(gb, hists, otkit.UnbalancedBarycenterOptions{Tau: 0.1 / 0.11, Threshold: 1e-8, MaxIterations: 100000})
		})
		check(err, br.Err())
		host.WriteF64(filepath.Join(dir, "M.f64"), gridCost(n).RawMatrix().Data)
		pb := runPOT(dir, n, "bary", 100000)
		var mass float64
		for _, q := range br.Histogram {
			mass += q
		}
		row("unbalanced barycenter", cpu, pb, mass, pb.Value, fmt.Sprintf("values: barycenter mass; otkit %d iterations", br.Iterations))
		os.RemoveAll(dir)
	}
	fmt.Printf("\nload after: %s; peak RSS %s\n", host.LoadAvg(), host.PeakRSS())
}

// gridCost is the squared distance of n points evenly spaced on [0, 1].
func gridCost(n int) *mat.Dense {
	c := mat.NewDense(n, n, nil)
	c.Apply(func(i, j int, _ float64) float64 {
		d := float64(i-j) / float64(n-1)
		return d * d
	}, c)
	return c
}

func check(errs ...error) {
	for _, e := range errs {
		if e != nil {
			log.Fatal(e)
		}
	}
}
