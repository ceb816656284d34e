// Command sinkbench times otkit's Sinkhorn against its CPU peers
// on identical data, in one run: a tuned PyTorch log-sum-exp Sinkhorn
// (bench/torch_sinkhorn.py: −C/eps precomputed once, cache-sized chunks
// reduced in place) in float64 and float32 on 1 and 2 threads, and POT's
// ot.sinkhorn(..., method="sinkhorn_log").
//
// For each size n it draws two 2-D clouds (x ~ N(0, I), y ~ N((1,1), I),
// n points each, fixed seed), sets eps = 0.05·std(C) from otkit's geometry,
// writes the points for the Python side, and runs every solver for exactly
// -iters iterations with uniform weights from zero potentials. otkit runs
// with a stored ("dense") and an online cost, in float64 and with
// SinkhornOptions.Float32. The stored runs take the streamed scaling form
// (otkit/internal/scaling: the log-domain iterates, one pass over a stored
// kernel per iteration, float32 kernel with Float32); the online runs are
// log domain, two passes of exponentials per iteration. Every timed otkit
// solve includes its own set-up (the stored kernel's exponentials) and the
// result's self-check (Check: one more pass of exponentials and two LSE
// reductions), which a short -iters run pays for in few iterations.
// It prints the CPU, the otkit kernel path
// (AVX-512, AVX2 or Go), the load average, per-iteration times (wall and
// CPU), the largest difference of every solver's potentials from otkit's
// float64 ones (a check that all solved the same problem), and a summary:
// otkit's speed-up over the faster torch variant of the same precision and
// over POT, and the fraction of the 2-core exp floor each otkit solve
// reaches (2·n·m exps at the rate of otkit's vectorised exp on both cores,
// measured in the same run by go test -bench ExpFloor; above 100 % for the
// stored runs, which need no exponentials per iteration).
//
// A peer is skipped when its predicted time (from the previous size, scaled
// by n²) exceeds its budget; POT's per-iteration time is then extrapolated
// and marked "~".
//
// Run from the repository root: go run ./bench/sinkbench (see bench/pot_vs_otkit.sh).
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
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

func main() {
	sizes := flag.String("sizes", "1000,4000,16000", "comma-separated n (= m)")
	iters := flag.Int("iters", 20, "fixed Sinkhorn iteration count for every solver")
	potBudget := flag.Float64("pot-budget", 60, "skip POT when its predicted time exceeds this many seconds")
	torchBudget := flag.Float64("torch-budget", 120, "skip a torch run when its predicted time exceeds this many seconds")
	threads := flag.String("threads", "1,2", "torch thread counts")
	python := flag.String("python", "/usr/bin/python3", "Python with Debian's python3-pot and python3-torch")
	script := flag.String("script", "bench/pot_sinkhorn.py", "POT driver script")
	torchScript := flag.String("torch-script", "bench/torch_sinkhorn.py", "torch driver script (empty: no torch)")
	refMax := flag.Int("ref-max", 1000, "also time otkit's reference kernel up to this n")
	flag.Parse()
	if *iters < 10 || *iters%10 != 0 {
		// Sinkhorn runs whole blocks of InnerIterations (10) iterations.
		log.Fatalf("-iters %d: use a positive multiple of 10 (Sinkhorn iterates in blocks of 10)", *iters)
	}

	dir, err := os.MkdirTemp("", "sinkbench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	fmt.Printf("CPU: %s; GOMAXPROCS=%d; %d iterations per solver; load average before: %s\n",
		host.CPUModel(), runtime.GOMAXPROCS(0), *iters, host.LoadAvg())
	fl := expFloors()
	fmt.Printf("otkit kernel: %s; exp floor (go test -bench ExpFloor, ns per exp on all cores): float64 %.4g (1 core) %.4g (2 cores), float32 %.4g (1 core) %.4g (2 cores)\n\n",
		fl.kernel, fl.ns["float64/1"], fl.ns["float64/2"], fl.ns["float32/1"], fl.ns["float32/2"])
	fmt.Println("Seconds per iteration, wall clock (CPU seconds of all threads in brackets); max abs(f − f_otkit) against otkit float64 dense.")
	fmt.Println()
	fmt.Println("| n = m | eps | solver | s/iteration | max abs(f − f_otkit) |")
	fmt.Println("|---|---|---|---|---|")
	var summary, marginal []string
	pred := map[string]struct {
		n   int
		per timing
	}{}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("bad size %q", s)
		}
		it := float64(*iters)
		x, y := clouds(n)
		row := func(name string, t timing, d string) {
			fmt.Printf("| %d | | %s | %s | %s |\n", n, name, cell(t, 1), d)
		}
		maxDiff := func(f, ref []float64) string {
			d := 0.0
			for i := range f {
				d = math.Max(d, math.Abs(f[i]-ref[i]))
			}
			return fmt.Sprintf("%.1e", d)
		}
		dense, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{})
		if err != nil {
			log.Fatal(err)
		}
		eps := dense.Epsilon()
		online, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Online: true, Epsilon: eps})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("| %d | %.4g | | | |\n", n, eps)
		opt := otkit.SinkhornOptions{MinIterations: *iters, MaxIterations: *iters}
		opt32 := opt
		opt32.Float32 = true
		ot := map[string]timing{}
		var fRef []float64
		// The first stored solve of a size allocates the buffer of its
		// scaling-form kernel K̃, which later solves of that size reuse (as
		// torch's −C/ε is allocated before its timed loop; the page faults of
		// a fresh n·m buffer cost about as much as a few iterations), and the
		// first solve of each kind grows the process's heap: time those
		// solves separately. K̃ itself is computed inside every timed solve.
		for _, w := range []struct {
			name string
			g    *otkit.Geometry
			opt  otkit.SinkhornOptions
		}{{"dense64", dense, opt}, {"dense32", dense, opt32}, {"online64", online, opt}, {"online32", online, opt32}} {
			_, t := solve(w.g, w.opt)
			fmt.Printf("| %d | | otkit %s, first solve (total s for %d iterations) | %s | |\n", n, w.name, *iters, cell(t, 1))
		}
		// marg holds the cost of one more iteration: the difference of a
		// solve of 2·iters and one of iters iterations, over iters (the
		// set-up and the result's check cancel; torch's timed loop has
		// neither).
		marg := map[string]timing{}
		opt2 := otkit.SinkhornOptions{MinIterations: 2 * *iters, MaxIterations: 2 * *iters}
		for _, v := range []struct {
			name string
			g    *otkit.Geometry
			f32  bool
		}{{"dense64", dense, false}, {"online64", online, false}, {"dense32", dense, true}, {"online32", online, true}} {
			o, o2 := opt, opt2
			o.Float32, o2.Float32 = v.f32, v.f32
			r, t := solve(v.g, o)
			_, t2 := solve(v.g, o2)
			ot[v.name] = timing{t.wall / it, t.cpu / it}
			marg[v.name] = timing{(t2.wall - t.wall) / it, (t2.cpu - t.cpu) / it}
			if fRef == nil {
				fRef = r.F
			}
			row("otkit "+v.name, ot[v.name], maxDiff(r.F, fRef))
			row(fmt.Sprintf("otkit %s, one more iteration ((%d-iteration solve − %d-iteration solve) / %d)", v.name, 2**iters, *iters, *iters), marg[v.name], "")
		}
		if n <= *refMax {
			ropt := opt
			ropt.ReferenceKernel = true
			r, t := solve(dense, ropt)
			row("otkit reference kernel (math.Exp)", timing{t.wall / it, t.cpu / it}, maxDiff(r.F, fRef))
		}
		dense, online = nil, nil
		runtime.GC()

		host.WriteF64(filepath.Join(dir, "x.f64"), x.RawMatrix().Data)
		host.WriteF64(filepath.Join(dir, "y.f64"), y.RawMatrix().Data)
		// budgetOK reports whether a peer's predicted time fits its budget,
		// and the prediction (from its previous size).
		budgetOK := func(key string, budget float64) (bool, timing) {
			p, ok := pred[key]
			if !ok {
				return true, timing{}
			}
			sc := float64(n) * float64(n) / (float64(p.n) * float64(p.n))
			t := timing{p.per.wall * sc, p.per.cpu * sc}
			return t.wall*it <= budget, t
		}
		best := map[string]timing{}
		bestName := map[string]string{}
		if *torchScript != "" {
			for _, dt := range []string{"float64", "float32"} {
				for _, th := range strings.Split(*threads, ",") {
					key := "torch " + dt + " " + th + "T"
					ok, _ := budgetOK(key, *torchBudget)
					if !ok {
						row(key, timing{math.NaN(), math.NaN()}, "skipped (budget)")
						continue
					}
					res := runPy(*python, *torchScript, dir, n, *iters, eps, dt, strings.TrimSpace(th))
					t := timing{res.PerIter, res.CPUIter}
					pred[key] = struct {
						n   int
						per timing
					}{n, t}
					row(fmt.Sprintf("%s (torch %s)", key, res.Torch), t, maxDiff(host.ReadF64(filepath.Join(dir, "torch_f.f64"), n), fRef))
					// The faster variant counts: in wall time for the
					// wall ratio, in CPU time for the CPU ratio.
					b, ok := best[dt]
					if !ok {
						b = timing{math.Inf(1), math.Inf(1)}
					}
					if t.wall < b.wall {
						b.wall, bestName[dt] = t.wall, th+"T"
					}
					b.cpu = min(b.cpu, t.cpu)
					best[dt] = b
				}
			}
		}
		var pot timing
		potMark := ""
		if ok, p := budgetOK("pot", *potBudget); ok {
			res := runPy(*python, *script, dir, n, *iters, eps)
			pot = timing{res.PerIter, res.CPUIter}
			pred["pot"] = struct {
				n   int
				per timing
			}{n, pot}
			row("POT sinkhorn_log "+res.Version, pot, maxDiff(host.ReadF64(filepath.Join(dir, "pot_f.f64"), n), fRef))
		} else {
			pot, potMark = p, "~"
			row("POT sinkhorn_log", timing{math.NaN(), math.NaN()}, "skipped (budget), extrapolated ~"+cell(p, 1))
		}
		terms := 2 * float64(n) * float64(n) * 1e-9
		ratio := func(peer, t timing) string {
			if math.IsNaN(peer.wall) || peer.wall == 0 {
				return "–"
			}
			return fmt.Sprintf("%.1f× (%.1f×)", peer.wall/t.wall, peer.cpu/t.cpu)
		}
		// Fraction of the 2-core floor in wall time, and of the 1-core
		// floor per CPU-second (robust when other processes take cores).
		frac := func(prec string, t timing) string {
			return fmt.Sprintf("%.0f %% (%.0f %%)", 100*terms*fl.ns[prec+"/2"]/t.wall, 100*terms*fl.ns[prec+"/1"]/t.cpu)
		}
		tb64, tb32 := timing{math.NaN(), math.NaN()}, timing{math.NaN(), math.NaN()}
		if t, ok := best["float64"]; ok {
			tb64 = t
		}
		if t, ok := best["float32"]; ok {
			tb32 = t
		}
		marginal = append(marginal, fmt.Sprintf("| %d | %s / %s | %s / %s | %s / %s |",
			n,
			ratio(tb64, marg["dense64"]), ratio(tb64, marg["online64"]),
			ratio(tb32, marg["dense32"]), ratio(tb32, marg["online32"]),
			frac("float64", marg["dense64"]), frac("float64", marg["online64"])))
		summary = append(summary, fmt.Sprintf("| %d | %s / %s | %s / %s | %s / %s | %s / %s | %s%s / %s%s | %s / %s | %s / %s |",
			n,
			ratio(tb64, ot["dense64"]), ratio(tb64, ot["online64"]),
			ratio(tb32, ot["dense32"]), ratio(tb32, ot["online32"]),
			ratio(tb64, ot["dense32"]), ratio(tb64, ot["online32"]),
			bestName["float64"], bestName["float32"],
			potMark, ratio(pot, ot["dense64"]), potMark, ratio(pot, ot["online64"]),
			frac("float64", ot["dense64"]), frac("float64", ot["online64"]),
			frac("float32", ot["dense32"]), frac("float32", ot["online32"])))
	}
	fmt.Println()
	fmt.Println("Summary: speed-ups per iteration, wall (CPU), stored / online cost. \"torch\" is the faster of its thread counts")
	fmt.Println("(in wall time for the wall ratio, CPU time for the CPU ratio; the threads column names the wall-time winner), same")
	fmt.Println("precision as otkit unless named; % of floor = 2·n·m exps at the 2-core exp floor / otkit wall time")
	fmt.Println("(in brackets: 2·n·m exps at the 1-core floor / otkit CPU time, all threads).")
	fmt.Println()
	fmt.Println("| n = m | otkit f64 vs torch f64 | otkit f32 vs torch f32 | otkit f32 vs torch f64 | torch threads (f64 / f32) | otkit f64 vs POT | otkit f64: % of f64 floor | otkit f32: % of f32 floor |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, l := range summary {
		fmt.Println(l)
	}
	fmt.Println()
	fmt.Println("Per additional iteration (otkit's set-up and result check excluded, as torch's set-up is): the same ratios")
	fmt.Println("against otkit's one-more-iteration times.")
	fmt.Println()
	fmt.Println("| n = m | otkit f64 vs torch f64 | otkit f32 vs torch f32 | otkit f64: % of f64 floor |")
	fmt.Println("|---|---|---|---|")
	for _, l := range marginal {
		fmt.Println(l)
	}
	fmt.Printf("\nload average after: %s\n", host.LoadAvg())
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
	c0 := host.CPUSeconds()
	start := time.Now()
	r, err := otkit.Sinkhorn(g, nil, nil, opt)
	if err != nil {
		log.Fatal(err)
	}
	t := timing{time.Since(start).Seconds(), host.CPUSeconds() - c0}
	if r.Iterations != opt.MaxIterations {
		log.Fatalf("ran %d iterations, want %d", r.Iterations, opt.MaxIterations)
	}
	return r, t
}

type timing struct{ wall, cpu float64 }

// cell formats a timing divided by k.
func cell(t timing, k float64) string {
	if math.IsNaN(t.wall) {
		return "–"
	}
	return fmt.Sprintf("%.4g (%.4g)", t.wall/k, t.cpu/k)
}

type pyResult struct {
	Seconds float64 `json:"seconds"`
	PerIter float64 `json:"per_iter"`
	CPUIter float64 `json:"cpu_per_iter"`
	Version string  `json:"pot"`
	Torch   string  `json:"torch"`
}

// runPy runs a Python driver (DIR N ITERS EPS [extra...]) on the points in
// dir and decodes its JSON line.
func runPy(python, script, dir string, n, iters int, eps float64, extra ...string) pyResult {
	args := append([]string{script, dir, strconv.Itoa(n), strconv.Itoa(iters), strconv.FormatFloat(eps, 'g', -1, 64)}, extra...)
	cmd := exec.Command(python, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("%s failed: %v", script, err)
	}
	var res pyResult
	if err := json.Unmarshal(out, &res); err != nil {
		log.Fatalf("%s output %q: %v", script, out, err)
	}
	return res
}

// floors is the exp floor of BenchmarkExpFloor: ns per exp on all cores by
// "precision/procs", and otkit's kernel path.
type floors struct {
	kernel string
	ns     map[string]float64
}

// expFloors runs go test -bench ExpFloor (the exp is internal to otkit) in this
// run and parses its result lines.
func expFloors() floors {
	cmd := exec.Command("go", "test", "./otkit/internal/simd", "-run", "^$", "-bench", "ExpFloor", "-benchtime", "1x")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("go test -bench ExpFloor: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`BenchmarkExpFloor/(float\d+)/kernel=([^/]+)/procs=(\d+)\S*\s+\d+\s+\d+ ns/op\s+([0-9.e+-]+) floor-ns/exp`)
	fl := floors{ns: map[string]float64{}}
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[4], 64)
		fl.kernel = m[2]
		fl.ns[m[1]+"/"+m[3]] = v
	}
	if len(fl.ns) != 4 {
		log.Fatalf("go test -bench ExpFloor: unexpected output\n%s", out)
	}
	return fl
}
