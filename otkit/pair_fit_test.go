package otkit

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// mixtureFromParams builds a GaussianMixture from packed parameters.
func mixtureFromParams(lay paramLayout, th []float64) *GaussianMixture {
	m := &GaussianMixture{Logits: append([]float64{}, lay.logits(th)...)}
	nt := lay.nTri()
	for c := 0; c < lay.k; c++ {
		m.Loc = append(m.Loc, append([]float64(nil), lay.loc(th)[c*lay.d:(c+1)*lay.d]...))
		m.Scale = append(m.Scale, append([]float64(nil), lay.scale(th)[c*nt:(c+1)*nt]...))
	}
	return m
}

// pairTestSetup returns a pair fit on random 2-D data with K0 = 3, K1 = 2
// whose statistics were gathered at parameters other than the current ones,
// so every term of the gradient is non-zero.
func pairTestSetup(t *testing.T, seed uint64, eps, tau float64, lock bool, sk SinkhornOptions) *pairFit {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	l0, l1 := paramLayout{3, 2}, paramLayout{2, 2}
	th0, th1 := randPairParams(rng, l0, 1), randPairParams(rng, l1, 1)
	x0 := randPairPoints(rng, l0, th0, 300)
	x1 := randPairPoints(rng, l1, th1, 200)
	w0 := make([]float64, 300)
	for i := range w0 {
		w0[i] = 0.5 + rng.Float64()
	}
	pair, err := NewMixturePair(mixtureFromParams(l0, th0), mixtureFromParams(l1, th1), MixturePairOptions{Epsilon: eps, Tau: tau, LockGMM1: lock})
	if err != nil {
		t.Fatal(err)
	}
	f, err := newPairFit(pair, mat.NewDense(300, 2, x0), mat.NewDense(200, 2, x1), PairFitOptions{
		WeightTransport: 0.7, PointWeights0: w0, Sinkhorn: sk,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eStep(true); err != nil {
		t.Fatal(err)
	}
	for i := range f.th0 {
		f.th0[i] += 0.15 * rng.NormFloat64()
	}
	for i := range f.th1 {
		f.th1[i] += 0.15 * rng.NormFloat64()
	}
	return f
}

// checkPairFD compares the packed gradient g of side (0 or 1) with central
// differences of value() and returns the largest relative error.
func checkPairFD(t *testing.T, f *pairFit, side int, g []float64, value func() float64, tol float64, label string) float64 {
	t.Helper()
	th := f.th0
	if side == 1 {
		th = f.th1
	}
	const h = 1e-5
	worst := 0.0
	for i := range th {
		old := th[i]
		th[i] = old + h
		vp := value()
		th[i] = old - h
		vm := value()
		th[i] = old
		fd := (vp - vm) / (2 * h)
		rel := math.Abs(fd-g[i]) / math.Max(1e-2, math.Abs(fd))
		worst = math.Max(worst, rel)
		if rel > tol {
			t.Errorf("%s gmm%d parameter %d: gradient %.10g, finite difference %.10g", label, side, i, g[i], fd)
		}
	}
	return worst
}

// TestFitPairGradientFD checks every gradient of J (means, Cholesky
// parameters, logits of both mixtures) against central differences of the
// solved objective, balanced and unbalanced (default consistent update),
// unlocked and locked, with a tight Sinkhorn so that the value is the
// optimum the envelope theorem differentiates.
func TestFitPairGradientFD(t *testing.T) {
	for _, tc := range []struct {
		tau  float64
		lock bool
		eps  float64
	}{{1, false, 0.5}, {1, true, 0.5}, {0.8, false, 0.5}, {1 / 1.01, false, 0.3}, {0.8, true, 0.5}} {
		label := fmt.Sprintf("tau=%.4f lock=%v", tc.tau, tc.lock)
		f := pairTestSetup(t, 21, tc.eps, tc.tau, tc.lock, pairTight)
		if _, err := f.eval(true); err != nil {
			t.Fatal(err)
		}
		g0 := append([]float64(nil), f.g0...)
		g1 := append([]float64(nil), f.g1...)
		value := func() float64 {
			ev, err := f.eval(false)
			if err != nil {
				t.Fatal(err)
			}
			if !ev.converged {
				t.Fatal("Sinkhorn did not converge")
			}
			return ev.j
		}
		w := checkPairFD(t, f, 0, g0, value, 1e-6, label)
		if !tc.lock {
			w = math.Max(w, checkPairFD(t, f, 1, g1, value, 1e-6, label))
		}
		t.Logf("%s: worst relative FD error %.2g", label, w)
	}
}

// regCostAt is reg_ot_cost (note §3) at given potentials.
func regCostAt(f, g, c, a, b []float64, eps, tau float64) float64 {
	k0, k1 := len(a), len(b)
	var sa, sb, sp float64
	for i := 0; i < k0; i++ {
		sa += a[i]
		for j := 0; j < k1; j++ {
			sp += math.Exp((f[i] + g[j] - c[i*k1+j]) / eps)
		}
	}
	for _, v := range b {
		sb += v
	}
	r := eps * (sa*sb - sp)
	d := func(w, h []float64) {
		for i := range w {
			u := h[i] - eps*math.Log(w[i])
			if tau == 1 {
				r += w[i] * u
			} else {
				rho := eps * tau / (1 - tau)
				r += w[i] * rho * (1 - math.Exp(-u/rho))
			}
		}
	}
	d(a, f)
	d(b, g)
	return r
}

// TestFitPairOTTUpdateGradient: with OTT's unbalanced update the gradient is
// OTT's (Danskin at the returned potentials): it matches finite differences
// of J with the potentials frozen, and differs from the derivative of the
// reported value (note §4.4).
func TestFitPairOTTUpdateGradient(t *testing.T) {
	sk := pairTight
	sk.OTTUnbalancedUpdate = true
	f := pairTestSetup(t, 22, 0.5, 0.8, false, sk)
	if _, err := f.eval(true); err != nil {
		t.Fatal(err)
	}
	g0 := append([]float64(nil), f.g0...)
	g1 := append([]float64(nil), f.g1...)
	sol, err := f.solve()
	if err != nil {
		t.Fatal(err)
	}
	frozen := func() float64 {
		ev, err := f.eval(false) // refreshes m0, m1 and the costs
		if err != nil {
			t.Fatal(err)
		}
		r := regCostAt(sol.f, sol.g, f.bures.cost, f.m0.pi, f.m1.pi, f.p.Epsilon, f.p.Tau)
		return ev.q0 + ev.q1 - f.opt.WeightTransport*r
	}
	checkPairFD(t, f, 0, g0, frozen, 1e-6, "OTT update, frozen potentials")
	checkPairFD(t, f, 1, g1, frozen, 1e-6, "OTT update, frozen potentials")
	// Against the true value the OTT gradient is off by far more than FD noise.
	value := func() float64 {
		ev, _ := f.eval(false)
		return ev.j
	}
	const h = 1e-5
	worst := 0.0
	for i := range f.th0 {
		old := f.th0[i]
		f.th0[i] = old + h
		vp := value()
		f.th0[i] = old - h
		vm := value()
		f.th0[i] = old
		worst = math.Max(worst, math.Abs((vp-vm)/(2*h)-g0[i]))
	}
	if worst < 1e-4 {
		t.Errorf("OTT-update gradient matches the reported value's derivative to %g; expected the §4.4 mismatch", worst)
	}
	t.Logf("OTT update: largest gap between Danskin gradient and d(reported J): %.3g", worst)
}

// TestFitPairLockedKeepsGMM1 runs a short fit with gmm1 locked: gmm1 comes
// back bit-identical, gmm0 moves, and J increases.
func TestFitPairLockedKeepsGMM1(t *testing.T) {
	f := pairTestSetup(t, 23, 0.5, 1, true, SinkhornOptions{})
	p := &MixturePair{GMM0: mixtureFromParams(f.lay0, f.th0), GMM1: mixtureFromParams(f.lay1, f.th1), Epsilon: 0.5, Tau: 1, LockGMM1: true}
	x0 := mat.NewDense(len(f.x0)/2, 2, f.x0)
	x1 := mat.NewDense(len(f.x1)/2, 2, f.x1)
	res, err := FitPair(p, x0, x1, PairFitOptions{WeightTransport: 0.5, EMSteps: 5, MSteps: 10, LearningRate: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	th1, _ := packMixture(res.Pair.GMM1)
	for i := range th1 {
		if th1[i] != f.th1[i] {
			t.Fatalf("locked gmm1 parameter %d moved: %v → %v", i, f.th1[i], th1[i])
		}
	}
	th0, _ := packMixture(res.Pair.GMM0)
	moved := 0.0
	for i := range th0 {
		moved = math.Max(moved, math.Abs(th0[i]-f.th0[i]))
	}
	if moved < 0.01 {
		t.Errorf("gmm0 barely moved (%g)", moved)
	}
	if n := len(res.Steps); n != 5 || res.Objective <= res.Steps[0].Objective {
		t.Errorf("steps %d, objective %v → %v: want 5 steps and an increase", n, res.Steps[0].Objective, res.Objective)
	}
	if !res.Pair.LockGMM1 {
		t.Error("result pair lost LockGMM1")
	}
}

// TestFitPairReportAndDeterminism checks the report format and that the
// same input gives identical bits at GOMAXPROCS 1 and 2.
func TestFitPairReportAndDeterminism(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 0))
	lay := paramLayout{3, 2}
	th := randPairParams(rng, lay, 2)
	n := 3*eStepChunk + 5
	x := randPairPoints(rng, lay, th, n)
	y := append([]float64(nil), x...)
	for i := range y {
		y[i] += 0.3
	}
	g := mixtureFromParams(lay, th)
	run := func(procs int) (*PairFitResult, string) {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		var buf bytes.Buffer
		p, err := NewMixturePair(g, g, MixturePairOptions{Epsilon: 0.1, Tau: 1})
		if err != nil {
			t.Fatal(err)
		}
		res, err := FitPair(p, mat.NewDense(n, 2, x), mat.NewDense(n, 2, y), PairFitOptions{
			WeightTransport: 0.1, EMSteps: 3, MSteps: 5, Report: &buf,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res, buf.String()
	}
	r1, out1 := run(1)
	r2, out2 := run(2)
	if r1.Objective != r2.Objective || out1 != out2 {
		t.Fatalf("GOMAXPROCS changed the result: %v vs %v\n%s\n%s", r1.Objective, r2.Objective, out1, out2)
	}
	a1, _ := packMixture(r1.Pair.GMM1)
	a2, _ := packMixture(r2.Pair.GMM1)
	for i := range a1 {
		if a1[i] != a2[i] {
			t.Fatalf("GOMAXPROCS changed gmm1 parameter %d", i)
		}
	}
	lines := strings.Split(strings.TrimRight(out1, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("report has %d lines:\n%s", len(lines), out1)
	}
	for i, l := range lines {
		s := r1.Steps[i]
		want := fmt.Sprintf("%3d %.3f %.3f transport:%.3f objective:%.3f", i, s.Q0, s.Q1, s.Transport, s.Objective)
		if l != want {
			t.Errorf("line %d = %q, want %q", i, l, want)
		}
		if math.Abs(s.Objective-(s.Q0+s.Q1-0.1*s.Transport)) > 1e-12 {
			t.Errorf("step %d: objective %v ≠ Q0+Q1−w·R", i, s.Objective)
		}
	}
	if !strings.HasPrefix(lines[0], "  0 ") {
		t.Errorf("first line %q should start with a right-aligned 0", lines[0])
	}
}

// TestFitPairBadInput: errors name the problem.
func TestFitPairBadInput(t *testing.T) {
	lay := paramLayout{2, 2}
	rng := rand.New(rand.NewPCG(25, 0))
	g := mixtureFromParams(lay, randPairParams(rng, lay, 1))
	x := mat.NewDense(10, 2, randPairPoints(rng, lay, randPairParams(rng, lay, 1), 10))
	good, _ := NewMixturePair(g, g, MixturePairOptions{Epsilon: 0.1, Tau: 1})
	nanX := mat.DenseCopyOf(x)
	nanX.Set(3, 1, math.NaN())
	three := mat.NewDense(10, 3, nil)
	for _, tc := range []struct {
		name string
		fn   func() error
		want string
	}{
		{"eps", func() error { _, err := NewMixturePair(g, g, MixturePairOptions{Epsilon: -1, Tau: 1}); return err }, "Epsilon"},
		{"tau", func() error { _, err := NewMixturePair(g, g, MixturePairOptions{Epsilon: 0.1, Tau: 1.5}); return err }, "Tau"},
		{"nil", func() error { _, err := NewMixturePair(nil, g, MixturePairOptions{Epsilon: 0.1, Tau: 1}); return err }, "nil"},
		{"nan point", func() error { _, err := FitPair(good, nanX, x, PairFitOptions{EMSteps: 1}); return err }, "x0[3,1]"},
		{"dim", func() error { _, err := FitPair(good, x, three, PairFitOptions{EMSteps: 1}); return err }, "x1 has 3 columns"},
		{"weights", func() error {
			_, err := FitPair(good, x, x, PairFitOptions{EMSteps: 1, PointWeights1: make([]float64, 3)})
			return err
		}, "PointWeights1"},
		{"neg weight", func() error {
			w := make([]float64, 10)
			w[2] = -1
			_, err := FitPair(good, x, x, PairFitOptions{EMSteps: 1, PointWeights0: w})
			return err
		}, "PointWeights0[2]"},
		{"tau option", func() error {
			_, err := FitPair(good, x, x, PairFitOptions{EMSteps: 1, Sinkhorn: SinkhornOptions{TauA: 0.5}})
			return err
		}, "TauA"},
		{"lr", func() error { _, err := FitPair(good, x, x, PairFitOptions{LearningRate: -1}); return err }, "learning rate"},
		{"huge lr", func() error {
			_, err := FitPair(good, x, x, PairFitOptions{EMSteps: 3, MSteps: 20, LearningRate: 1e300, WeightTransport: 1})
			return err
		}, "gmm"},
	} {
		err := tc.fn()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestFitPairFallbackSolverAgrees: options the fast component solver does
// not implement send FitPair through Sinkhorn; with ReferenceKernel (same
// algorithm, reference LSE) the fit must agree with the fast path.
func TestFitPairFallbackSolverAgrees(t *testing.T) {
	for _, tau := range []float64{1, 0.9} {
		f := pairTestSetup(t, 26, 0.2, tau, false, SinkhornOptions{})
		p := &MixturePair{GMM0: mixtureFromParams(f.lay0, f.th0), GMM1: mixtureFromParams(f.lay1, f.th1), Epsilon: 0.2, Tau: tau}
		x0 := mat.NewDense(len(f.x0)/2, 2, f.x0)
		x1 := mat.NewDense(len(f.x1)/2, 2, f.x1)
		opt := PairFitOptions{WeightTransport: 0.5, EMSteps: 3, MSteps: 10}
		fast, err := FitPair(p, x0, x1, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.Sinkhorn.ReferenceKernel = true
		slow, err := FitPair(p, x0, x1, opt)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(fast.Objective - slow.Objective); d > 1e-9 {
			t.Errorf("tau=%v: objective %v (fast solver) vs %v (Sinkhorn)", tau, fast.Objective, slow.Objective)
		}
		for i := range fast.Steps {
			if d := math.Abs(fast.Steps[i].Transport - slow.Steps[i].Transport); d > 1e-9 {
				t.Errorf("tau=%v step %d: transport %v vs %v", tau, i, fast.Steps[i].Transport, slow.Steps[i].Transport)
			}
		}
	}
	if _, err := FitPair(&MixturePair{}, nil, nil, PairFitOptions{Sinkhorn: SinkhornOptions{InnerIterations: -1}}); err == nil {
		t.Error("invalid pair accepted")
	}
	f := pairTestSetup(t, 27, 0.2, 1, false, SinkhornOptions{})
	p := &MixturePair{GMM0: mixtureFromParams(f.lay0, f.th0), GMM1: mixtureFromParams(f.lay1, f.th1), Epsilon: 0.2, Tau: 1}
	x := mat.NewDense(len(f.x0)/2, 2, f.x0)
	if _, err := FitPair(p, x, x, PairFitOptions{Sinkhorn: SinkhornOptions{InnerIterations: -1}}); err == nil || !strings.Contains(err.Error(), "iteration") {
		t.Errorf("negative InnerIterations: error %v", err)
	}
}

// TestFitPairPointWeights: zero weights drop points and integer weights
// repeat them; EMSteps = 0 only evaluates J.
func TestFitPairPointWeights(t *testing.T) {
	f := pairTestSetup(t, 28, 0.3, 1, false, SinkhornOptions{})
	p := &MixturePair{GMM0: mixtureFromParams(f.lay0, f.th0), GMM1: mixtureFromParams(f.lay1, f.th1), Epsilon: 0.3, Tau: 1}
	n0, n1 := len(f.x0)/2, len(f.x1)/2
	x0 := mat.NewDense(n0, 2, f.x0)
	x1 := mat.NewDense(n1, 2, f.x1)
	opt := PairFitOptions{WeightTransport: 0.3, EMSteps: 3, MSteps: 10}

	// Weights (1…1, 0…0) on x0 equal dropping the zero-weight points.
	w := make([]float64, n0)
	for i := 0; i < n0/2; i++ {
		w[i] = 1
	}
	o := opt
	o.PointWeights0 = w
	a, err := FitPair(p, x0, x1, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitPair(p, mat.NewDense(n0/2, 2, f.x0[:n0/2*2]), x1, opt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a.Objective-b.Objective) > 1e-12 {
		t.Errorf("zero weights: objective %v, dropped points %v", a.Objective, b.Objective)
	}
	// Weight 2 on every x1 point equals listing each point twice.
	w2 := make([]float64, n1)
	for i := range w2 {
		w2[i] = 2
	}
	o = opt
	o.PointWeights1 = w2
	c, err := FitPair(p, x0, x1, o)
	if err != nil {
		t.Fatal(err)
	}
	dup := mat.NewDense(2*n1, 2, append(append([]float64(nil), f.x1...), f.x1...))
	d, err := FitPair(p, x0, dup, opt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Objective-d.Objective) > 1e-12 {
		t.Errorf("weight 2: objective %v, duplicated points %v", c.Objective, d.Objective)
	}
	// EMSteps = 0: no steps, J at the initial parameters.
	o = opt
	o.EMSteps = 0
	z, err := FitPair(p, x0, x1, o)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := FitPair(p, x0, x1, PairFitOptions{WeightTransport: 0.3, EMSteps: 1, MSteps: 1})
	if len(z.Steps) != 0 || z.Objective != first.Steps[0].Objective {
		t.Errorf("EMSteps=0: %d steps, objective %v, want the iteration-0 value %v", len(z.Steps), z.Objective, first.Steps[0].Objective)
	}
}
