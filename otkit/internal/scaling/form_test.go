package scaling

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestStreamPassDirection: a pass with its blocks backwards gives the same
// bits as forwards (each block sums its rows in the same order), in
// parallel at GOMAXPROCS ≥ 2 (the problem is above parallel.MinWork).
func TestStreamPassDirection(t *testing.T) {
	n, m := 3*scalingBlockRows+5, 90
	c, a, b := cloudProblem(rand.New(rand.NewPCG(9, 7)), n, m)
	st := newStreamKernel(c, n, m, false)
	ft, gt := make([]float64, n), make([]float64, m)
	if !st.rebuild(ft, gt, 0.1, nil) {
		t.Fatal("rebuild failed")
	}
	defer st.done()
	v := append([]float64(nil), b...)
	u0, u1 := make([]float64, n), make([]float64, n)
	st.pass = 0
	if !st.stream(a, v, u0) {
		t.Fatal("pass failed")
	}
	c0 := append([]float64(nil), st.cNew...)
	if st.pass != 1 || !st.stream(a, v, u1) {
		t.Fatal("second pass failed")
	}
	for i := range u0 {
		if math.Float64bits(u0[i]) != math.Float64bits(u1[i]) {
			t.Fatalf("u[%d]: %v forwards, %v backwards", i, u0[i], u1[i])
		}
	}
	for j := range c0 {
		if math.Float64bits(c0[j]) != math.Float64bits(st.cNew[j]) {
			t.Fatalf("c[%d]: %v forwards, %v backwards", j, c0[j], st.cNew[j])
		}
	}
}

// TestScalingStep3MatchesStep: the unrolled 3×3 step gives bit for bit the
// iterates of the general step, through absorptions (small ε) and on a
// kernel column that is zero (both must refuse the step and change nothing).
func TestScalingStep3MatchesStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 0))
	absorbed, refused := 0, false
	for trial, eps := range []float64{1, 0.1, 0.01, 0.002, 1e-4} {
		c, a, b := randProblem(rng, 3, 3)
		f := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		g := []float64{rng.NormFloat64(), 0, rng.NormFloat64()}
		fast, ref := New(c, 3, 3, eps, a, b, false), New(c, 3, 3, eps, a, b, false)
		fast.Enter(f, g)
		ref.Enter(f, g)
		if trial == 4 {
			// A zero kernel column: the sums fail on the first step.
			for i := 0; i < 3; i++ {
				fast.kt[i*3+1], ref.kt[i*3+1] = 0, 0
				fast.ktT[3+i], ref.ktT[3+i] = 0, 0
			}
		}
		for it := 0; it < 300; it++ {
			okF, okR := fast.step3(), ref.stepGeneric()
			if okF != okR {
				t.Fatalf("eps %v iteration %d: step3 reports %v, the general step %v", eps, it, okF, okR)
			}
			for name, pair := range map[string][2][]float64{
				"u": {fast.u, ref.u}, "v": {fast.v, ref.v}, "ft": {fast.ft, ref.ft}, "gt": {fast.gt, ref.gt},
				"kt": {fast.kt, ref.kt}, "ktT": {fast.ktT, ref.ktT},
			} {
				for i := range pair[0] {
					if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
						t.Fatalf("eps %v iteration %d: %s[%d] = %v, general step %v", eps, it, name, i, pair[0][i], pair[1][i])
					}
				}
			}
			if fast.absorbs != ref.absorbs {
				t.Fatalf("eps %v iteration %d: %d absorptions, general step %d", eps, it, fast.absorbs, ref.absorbs)
			}
			if !okF {
				refused = true
				break
			}
		}
		absorbed += fast.absorbs
	}
	if absorbed == 0 || !refused {
		t.Errorf("%d absorptions, a refused step: %v; the test does not reach both paths", absorbed, refused)
	}
}

// TestScalingStepsMatchStep: a block of steps (the 3×3 register loop and
// the general loop) gives bit for bit the iterates of single general
// steps and stops before a refused step.
func TestScalingStepsMatchStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 0))
	absorbed := 0
	for _, shape := range [][2]int{{3, 3}, {3, 4}} {
		for trial, eps := range []float64{0.5, 0.01, 0.002, 1e-3} {
			k0, k1 := shape[0], shape[1]
			c, a, b := randProblem(rng, k0, k1)
			f := make([]float64, k0)
			g := make([]float64, k1)
			for i := range f {
				f[i] = rng.NormFloat64()
			}
			fast, ref := New(c, k0, k1, eps, a, b, false), New(c, k0, k1, eps, a, b, false)
			fast.Enter(f, g)
			ref.Enter(f, g)
			if trial == 3 {
				// A zero kernel row: the steps refuse the first iteration.
				for j := 0; j < k1; j++ {
					fast.kt[j], ref.kt[j] = 0, 0
					fast.ktT[j*k0], ref.ktT[j*k0] = 0, 0
				}
			}
			stopped := -1
			for t0 := 1; t0 < 400 && stopped < 0; t0 += 10 {
				got := fast.Steps(10)
				want := 10
				for k := 0; k < 10; k++ {
					if !ref.stepGeneric() {
						want = k
						break
					}
				}
				if got != want {
					t.Fatalf("%v eps %v block at %d: %d steps, want %d", shape, eps, t0, got, want)
				}
				if got < 10 {
					stopped = t0 + got
				}
				for name, pair := range map[string][2][]float64{
					"u": {fast.u, ref.u}, "v": {fast.v, ref.v}, "ft": {fast.ft, ref.ft}, "gt": {fast.gt, ref.gt},
					"kt": {fast.kt, ref.kt}, "ktT": {fast.ktT, ref.ktT},
				} {
					for i := range pair[0] {
						if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
							t.Fatalf("%v eps %v block at %d: %s[%d] = %v, general step %v", shape, eps, t0, name, i, pair[0][i], pair[1][i])
						}
					}
				}
			}
			if trial == 3 && stopped != 1 {
				t.Errorf("%v: stopped at iteration %d, want 1 (a refused first step)", shape, stopped)
			}
			absorbed += fast.absorbs
		}
	}
	if absorbed == 0 {
		t.Error("no absorption: the test does not reach that path")
	}
}

// randProblem is a k0×k1 cost in [0, 2) with positive weights of mass 1.
func randProblem(rng *rand.Rand, k0, k1 int) (c, a, b []float64) {
	c = make([]float64, k0*k1)
	for i := range c {
		c[i] = 2 * rng.Float64()
	}
	return c, randomWeights(rng, k0), randomWeights(rng, k1)
}

// cloudProblem is the n×m squared-Euclidean cost between two Gaussian
// clouds in the plane with positive weights of mass 1.
func cloudProblem(rng *rand.Rand, n, m int) (c, a, b []float64) {
	x, y := make([]float64, 2*n), make([]float64, 2*m)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for j := 0; j < m; j++ {
		y[2*j], y[2*j+1] = rng.NormFloat64()+1, 0.5*rng.NormFloat64()
	}
	c = make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			d0, d1 := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
			c[i*m+j] = d0*d0 + d1*d1
		}
	}
	return c, randomWeights(rng, n), randomWeights(rng, m)
}

func randomWeights(rng *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	var s float64
	for i := range w {
		w[i] = 0.2 + rng.Float64()
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

// logIterate is one balanced log-domain iteration on the n×m cost c, g
// then f, with plain two-pass log-sum-exps: the iterates the form must
// reproduce.
func logIterate(c []float64, n, m int, eps float64, a, b, f, g []float64) {
	lse := func(k int, get func(k int) float64) float64 {
		mx := math.Inf(-1)
		for l := 0; l < k; l++ {
			mx = math.Max(mx, get(l))
		}
		var s float64
		for l := 0; l < k; l++ {
			s += math.Exp(get(l) - mx)
		}
		return mx + math.Log(s)
	}
	for j := 0; j < m; j++ {
		g[j] = eps*math.Log(b[j]) - eps*lse(n, func(i int) float64 { return (f[i] - c[i*m+j]) / eps })
	}
	for i := 0; i < n; i++ {
		f[i] = eps*math.Log(a[i]) - eps*lse(m, func(j int) float64 { return (g[j] - c[i*m+j]) / eps })
	}
}

// TestLeaveAnyIteration: a solve that leaves the form after any number of
// steps (as the solver does when a step fails) and goes on in the log
// domain from the potentials of Sync gives the log-domain iterates: the
// streamed form from its cold start, the small one entered after a first
// log-domain iteration, through absorptions (small ε).
func TestLeaveAnyIteration(t *testing.T) {
	const total = 60
	for _, tc := range []struct {
		name string
		n, m int
		eps  float64
	}{
		{"streamed", 200, 150, 0.05},
		{"streamed, absorbing", 130, 40, 0.01},
		{"small", 4, 5, 0.01},
	} {
		c, a, b := cloudProblem(rand.New(rand.NewPCG(4, uint64(tc.n))), tc.n, tc.m)
		fRef, gRef := make([]float64, tc.n), make([]float64, tc.m)
		for range total {
			logIterate(c, tc.n, tc.m, tc.eps, a, b, fRef, gRef)
		}
		absorbed := 0
		for _, k := range []int{0, 1, 6, 22, total - 1} {
			form := New(c, tc.n, tc.m, tc.eps, a, b, false)
			f, g := make([]float64, tc.n), make([]float64, tc.m)
			done := 0
			if form.Streamed() {
				if !form.EnterCold() {
					t.Fatalf("%s: the cold start failed", tc.name)
				}
			} else {
				logIterate(c, tc.n, tc.m, tc.eps, a, b, f, g)
				form.Enter(f, g)
				done = 1
			}
			if got := form.Steps(k); got != k {
				t.Fatalf("%s: %d of %d steps", tc.name, got, k)
			}
			absorbed += form.Absorptions()
			form.Sync(f, g)
			form.Leave()
			form.Done()
			for it := done + k; it < total; it++ {
				logIterate(c, tc.n, tc.m, tc.eps, a, b, f, g)
			}
			d := 0.0
			for i := range f {
				d = math.Max(d, math.Abs(f[i]-fRef[i]))
			}
			for j := range g {
				d = math.Max(d, math.Abs(g[j]-gRef[j]))
			}
			if !(d <= 1e-11) {
				t.Errorf("%s: leaving after %d steps, potentials differ from the log domain by %g", tc.name, k, d)
			}
		}
		if tc.name == "streamed, absorbing" && absorbed == 0 {
			t.Errorf("%s: no absorption; the case does not exercise it", tc.name)
		}
	}
}

// TestFormNotEnteredTakesNoKernel: a streamed form that is never entered
// (MultiscaleSinkhorn on a stored cloud drops the one its solver chose)
// allocates no n·m K̃: its vectors and per-block column sums are O(n + m)
// and n/128·m, far below the 8·n·m bytes of K̃.
func TestFormNotEnteredTakesNoKernel(t *testing.T) {
	const n, m = 1000, 1000
	c := make([]float64, n*m)
	a := make([]float64, n)
	for i := range a {
		a[i] = 1.0 / n
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	New(c, n, m, 0.1, a, a, false).Done()
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > n*m*8/4 {
		t.Errorf("a form never entered allocated %d bytes; K̃ is %d", alloc, n*m*8)
	}
}
