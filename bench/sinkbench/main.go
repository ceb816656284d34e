// Command sinkbench times otkit's log-domain Sinkhorn against POT's
// ot.sinkhorn(..., method="sinkhorn_log") on identical data, in one run.
//
// For each size n it draws two 2-D clouds (x ~ N(0, I), y ~ N((1,1), I),
// n points each, fixed seed), sets eps = 0.05·std(C) from otkit's geometry,
// writes the points for the Python side, and runs both solvers for exactly
// -iters iterations with uniform weights. It prints per-iteration times,
// the ratio, and the largest difference between the two solvers' potentials
// (a check that both solved the same problem). POT is skipped when its
// predicted time exceeds -pot-budget seconds; its per-iteration time is then
// extrapolated from the largest size it ran, scaled by n², and marked "~".
//
// Run from the repository root: go run ./bench/sinkbench (see bench/pot_vs_otkit.sh).
package main

import (
	"encoding/binary"
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
	"strings"
	"syscall"
	"time"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

func main() {
	sizes := flag.String("sizes", "1000,4000,16000", "comma-separated n (= m)")
	iters := flag.Int("iters", 20, "fixed Sinkhorn iteration count for every solver")
	potBudget := flag.Float64("pot-budget", 60, "skip POT when its predicted time exceeds this many seconds")
	python := flag.String("python", "/usr/bin/python3", "Python with Debian's python3-pot")
	script := flag.String("script", "bench/pot_sinkhorn.py", "POT driver script")
	refMax := flag.Int("ref-max", 1000, "also time otkit's reference kernel up to this n")
	flag.Parse()

	dir, err := os.MkdirTemp("", "sinkbench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	fmt.Printf("GOMAXPROCS=%d, %d iterations per solver, load average before: %s\n\n",
		runtime.GOMAXPROCS(0), *iters, loadavg())
	fmt.Println("Seconds per iteration, wall clock (CPU seconds of all threads in brackets).")
	fmt.Println()
	fmt.Println("| n = m | eps | POT sinkhorn_log | otkit dense | otkit online | POT / dense | POT / online | otkit reference kernel | max abs(f − f_POT) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	var potN int
	var potPer timing
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("bad size %q", s)
		}
		it := float64(*iters)
		x, y := clouds(n)
		dense, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{})
		if err != nil {
			log.Fatal(err)
		}
		eps := dense.Epsilon()
		opt := otkit.SinkhornOptions{MinIterations: *iters, MaxIterations: *iters}
		rd, tDense := solve(dense, opt)
		fDense := rd.F
		rd = nil

		online, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Online: true, Epsilon: eps})
		if err != nil {
			log.Fatal(err)
		}
		_, tOnline := solve(online, opt)

		ref := "–"
		if n <= *refMax {
			ropt := opt
			ropt.ReferenceKernel = true
			_, tRef := solve(dense, ropt)
			ref = cell(tRef, it)
		}
		dense = nil
		runtime.GC()

		potCol, diff := "", "–"
		scale := float64(n) * float64(n) / (float64(potN) * float64(potN))
		var pot timing
		if potN == 0 || potPer.wall*scale*it <= *potBudget {
			res := runPOT(*python, *script, dir, x, y, n, *iters, eps)
			pot = timing{res.PerIter, res.CPUIter}
			potN, potPer = n, pot
			potCol = cell(pot, 1)
			f := readF64(filepath.Join(dir, "pot_f.f64"), n)
			d := 0.0
			for i := range f {
				d = math.Max(d, math.Abs(f[i]-fDense[i]))
			}
			diff = fmt.Sprintf("%.1e", d)
		} else {
			pot = timing{potPer.wall * scale, potPer.cpu * scale}
			potCol = "~" + cell(pot, 1) + " extrapolated"
		}
		pd := timing{tDense.wall / it, tDense.cpu / it}
		po := timing{tOnline.wall / it, tOnline.cpu / it}
		fmt.Printf("| %d | %.4g | %s | %s | %s | %.1f× (%.1f×) | %.1f× (%.1f×) | %s | %s |\n",
			n, eps, potCol, cell(pd, 1), cell(po, 1), pot.wall/pd.wall, pot.cpu/pd.cpu,
			pot.wall/po.wall, pot.cpu/po.cpu, ref, diff)
	}
	fmt.Printf("\nload average after: %s\n", loadavg())
}

// clouds draws the benchmark data with a fixed seed.
func clouds(n int) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(2026, uint64(n)))
	x = mat.NewDense(n, 2, nil)
	y = mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < 2; k++ {
			x.Set(i, k, rng.NormFloat64())
			y.Set(i, k, rng.NormFloat64()+1)
		}
	}
	return x, y
}

// solve runs Sinkhorn and returns the result, its wall time and the CPU
// time of the process (all threads) during the solve, in seconds.
func solve(g *otkit.Geometry, opt otkit.SinkhornOptions) (*otkit.SinkhornResult, timing) {
	c0 := cpuSeconds()
	start := time.Now()
	r, err := otkit.Sinkhorn(g, nil, nil, opt)
	if err != nil {
		log.Fatal(err)
	}
	t := timing{time.Since(start).Seconds(), cpuSeconds() - c0}
	if r.Iterations != opt.MaxIterations {
		log.Fatalf("ran %d iterations, want %d", r.Iterations, opt.MaxIterations)
	}
	return r, t
}

type timing struct{ wall, cpu float64 }

// cell formats a timing divided by k.
func cell(t timing, k float64) string {
	return fmt.Sprintf("%.4g (%.4g)", t.wall/k, t.cpu/k)
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

type potResult struct {
	Seconds float64 `json:"seconds"`
	PerIter float64 `json:"per_iter"`
	CPUIter float64 `json:"cpu_per_iter"`
	Primal  float64 `json:"primal"`
	Version string  `json:"pot"`
}

func runPOT(python, script, dir string, x, y *mat.Dense, n, iters int, eps float64) potResult {
	writeF64(filepath.Join(dir, "x.f64"), x.RawMatrix().Data)
	writeF64(filepath.Join(dir, "y.f64"), y.RawMatrix().Data)
	cmd := exec.Command(python, script, dir, strconv.Itoa(n), strconv.Itoa(iters), strconv.FormatFloat(eps, 'g', -1, 64))
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

func writeF64(path string, v []float64) {
	buf := make([]byte, 8*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(f))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		log.Fatal(err)
	}
}

func readF64(path string, n int) []float64 {
	buf, err := os.ReadFile(path)
	if err != nil || len(buf) != 8*n {
		log.Fatalf("reading %s: %v (%d bytes)", path, err, len(buf))
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
	}
	return v
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
