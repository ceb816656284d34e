package otkit

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomCloud draws n points of N(shift, scale²·I) in d dimensions.
func randomCloud(rng *rand.Rand, n, d int, scale float64, shift []float64) *mat.Dense {
	m := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			v := scale * rng.NormFloat64()
			if shift != nil {
				v += shift[k]
			}
			m.Set(i, k, v)
		}
	}
	return m
}

func randomWeights(rng *rand.Rand, n int, mass float64) []float64 {
	w := make([]float64, n)
	var s float64
	for i := range w {
		w[i] = 0.2 + rng.Float64()
		s += w[i]
	}
	for i := range w {
		w[i] *= mass / s
	}
	return w
}

// tightSinkhorn converges far below OTT's default threshold so finite
// differences measure the gradient formula, not the stopping rule.
func tightSinkhorn() SinkhornOptions {
	return SinkhornOptions{Threshold: 1e-13, MaxIterations: 100000}
}

// fdCheck compares grad with central differences of value at x and returns
// the largest absolute error, scaled by max(1, max|grad|).
func fdCheck(t *testing.T, x *mat.Dense, grad *mat.Dense, value func(*mat.Dense) float64) float64 {
	t.Helper()
	const h = 1e-5
	n, d := x.Dims()
	scale := 1.0
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			scale = math.Max(scale, math.Abs(grad.At(i, k)))
		}
	}
	worst := 0.0
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			xp := mat.DenseCopyOf(x)
			xp.Set(i, k, x.At(i, k)+h)
			xm := mat.DenseCopyOf(x)
			xm.Set(i, k, x.At(i, k)-h)
			fd := (value(xp) - value(xm)) / (2 * h)
			worst = math.Max(worst, math.Abs(fd-grad.At(i, k))/scale)
		}
	}
	return worst
}

func mustDivergence(t *testing.T, x, y *mat.Dense, a, b []float64, opt DivergenceOptions) *DivergenceResult {
	t.Helper()
	r, err := Divergence(x, y, a, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDivergenceGradXFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	x := randomCloud(rng, 6, 2, 1, nil)
	y := randomCloud(rng, 8, 2, 0.7, []float64{1, -0.5})
	cases := []struct {
		name string
		a, b []float64
		opt  DivergenceOptions
	}{
		{"uniform", nil, nil, DivergenceOptions{Epsilon: 0.5, Sinkhorn: tightSinkhorn()}},
		{"weighted-eps0.1", randomWeights(rng, 6, 1), randomWeights(rng, 8, 1), DivergenceOptions{Epsilon: 0.1, Sinkhorn: tightSinkhorn()}},
		{"staticB", nil, nil, DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: 0.3, Sinkhorn: tightSinkhorn()}},
		// Plain alternating updates on the self problems need thousands of
		// iterations to reach 1e-13 at small eps; eps = 2 keeps this fast.
		{"plain-self-solves", nil, nil, DivergenceOptions{Epsilon: 2, NoSymmetricSinkhorn: true, Sinkhorn: tightSinkhorn()}},
		{"euclidean", nil, nil, DivergenceOptions{Cost: Euclidean{}, Epsilon: 0.2, Sinkhorn: tightSinkhorn()}},
	}
	unb := tightSinkhorn()
	unb.TauA, unb.TauB = 0.8, 0.8
	cases = append(cases, struct {
		name string
		a, b []float64
		opt  DivergenceOptions
	}{"unbalanced", randomWeights(rng, 6, 1), randomWeights(rng, 8, 1.4), DivergenceOptions{Epsilon: 0.5, Sinkhorn: unb}})

	for _, c := range cases {
		r := mustDivergence(t, x, y, c.a, c.b, c.opt)
		if !r.Converged {
			t.Fatalf("%s: not converged", c.name)
		}
		g, err := r.GradX()
		if err != nil {
			t.Fatal(err)
		}
		worst := fdCheck(t, x, g, func(xx *mat.Dense) float64 {
			return mustDivergence(t, xx, y, c.a, c.b, c.opt).Divergence
		})
		t.Logf("%s: S = %.6g, FD error %.2g", c.name, r.Divergence, worst)
		if worst > 1e-6 {
			t.Errorf("%s: gradient differs from finite differences by %.2g", c.name, worst)
		}
	}
}

// With the default epsilon the value depends on x through epsilon too, but
// OTT holds epsilon fixed (stop-gradient): the gradient must equal the one
// at that epsilon passed explicitly.
func TestDivergenceGradDefaultEpsilonIsConstant(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	x := randomCloud(rng, 7, 2, 1, nil)
	y := randomCloud(rng, 5, 2, 1, []float64{2, 0})
	r := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Sinkhorn: tightSinkhorn()})
	g, _ := r.GradX()
	r2 := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Epsilon: r.Epsilon, Sinkhorn: tightSinkhorn()})
	g2, _ := r2.GradX()
	if !mat.EqualApprox(g, g2, 1e-12) || r.Divergence != r2.Divergence {
		t.Errorf("default-epsilon gradient differs from the one at the same explicit epsilon")
	}
	worst := fdCheck(t, x, g, func(xx *mat.Dense) float64 {
		return mustDivergence(t, xx, y, nil, nil, DivergenceOptions{Epsilon: r.Epsilon, Sinkhorn: tightSinkhorn()}).Divergence
	})
	if worst > 1e-6 {
		t.Errorf("FD error %.2g at the frozen default epsilon", worst)
	}
}

func TestDivergenceSelfIsZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 0))
	x := randomCloud(rng, 20, 2, 1, nil)
	a := randomWeights(rng, 20, 1)
	for _, eps := range []float64{0, 0.1, 1} {
		// OTT's defaults: the upstream test asks for 1e-5.
		r := mustDivergence(t, x, x, a, a, DivergenceOptions{Epsilon: eps})
		if !r.Converged || math.Abs(r.Divergence) > 1e-5 {
			t.Errorf("eps %g: S(x,x) = %g (converged %v) with default solver options", eps, r.Divergence, r.Converged)
		}
	}
	// Tight solves. (The plain alternating x–y solve of a self problem
	// converges very slowly at small eps, so only eps where it reaches the
	// tight threshold are used here.)
	for _, eps := range []float64{0.5, 1, 3} {
		r := mustDivergence(t, x, x, a, a, DivergenceOptions{Epsilon: eps, Sinkhorn: tightSinkhorn()})
		if !r.Converged {
			t.Fatalf("eps %g: tight solves did not converge", eps)
		}
		if math.Abs(r.Divergence) > 1e-10 {
			t.Errorf("eps %g: S(x,x) = %g with a tight solve", eps, r.Divergence)
		}
		t.Logf("eps %g: S(x,x) = %.2g, iterations xy %d, xx %d", eps, r.Divergence, r.XY.Iterations, r.XX.Iterations)
		// The symmetric update needs fewer iterations (upstream invariant)
		// where Sinkhorn is slow; at large eps plain Sinkhorn converges in a
		// few blocks and the damped update (weight ½) is not faster.
		if eps <= 1 && r.XX.Iterations >= r.XY.Iterations {
			t.Errorf("eps %g: symmetric solve took %d iterations, plain x–y solve %d", eps, r.XX.Iterations, r.XY.Iterations)
		}
		g, err := r.GradX()
		if err != nil {
			t.Fatal(err)
		}
		if n := mat.Norm(g, math.Inf(1)); n > 1e-9 {
			t.Errorf("eps %g: ∇S(x,x) has size %g, want 0", eps, n)
		}
	}
}

func TestDivergenceNonNegative(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 0))
	for trial := 0; trial < 6; trial++ {
		x := randomCloud(rng, 5+trial, 2, 1, nil)
		y := randomCloud(rng, 9-trial, 2, 0.5+0.2*float64(trial), []float64{0.3 * float64(trial), 0})
		a := randomWeights(rng, 5+trial, 1)
		b := randomWeights(rng, 9-trial, 1)
		for _, eps := range []float64{0, 0.05, 0.5, 5} {
			r := mustDivergence(t, x, y, a, b, DivergenceOptions{Epsilon: eps, Sinkhorn: tightSinkhorn()})
			if r.Divergence < -1e-10 {
				t.Errorf("trial %d eps %g: S = %g < 0", trial, eps, r.Divergence)
			}
		}
	}
}

func TestDivergenceStaticB(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 0))
	x := randomCloud(rng, 9, 2, 1, nil)
	y := randomCloud(rng, 12, 2, 0.5, []float64{3, 1})
	full := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Epsilon: 1})
	if full.YY == nil {
		t.Fatal("YY missing")
	}
	// The offset is the full OT(y,y): halved inside, as OTT does.
	st := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: full.YY.RegOTCost})
	if st.YY != nil {
		t.Error("YY solved with StaticB")
	}
	if d := math.Abs(st.Divergence - full.Divergence); d > 1e-12*math.Abs(full.Divergence) {
		t.Errorf("static_b with matching offset: %.15g, full %.15g", st.Divergence, full.Divergence)
	}
	// Offset from a plain solve of (y,y), as the tutorial computes it.
	gyy, err := NewPointCloud(y, y, PointCloudOptions{Epsilon: 1})
	if err != nil {
		t.Fatal(err)
	}
	ryy, err := Sinkhorn(gyy, nil, nil, SinkhornOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st2 := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: ryy.RegOTCost})
	if d := math.Abs(st2.Divergence - full.Divergence); d > 1e-4 {
		t.Errorf("static_b with plain-solve offset: %.8g, full %.8g", st2.Divergence, full.Divergence)
	}
	// Missing offset means 0: the value moves by ½ OT(y,y).
	st0 := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Epsilon: 1, StaticB: true})
	if d := st0.Divergence - full.Divergence - 0.5*full.YY.RegOTCost; math.Abs(d) > 1e-10 {
		t.Errorf("static_b without offset off by %g", d)
	}
}

func TestDivergenceSharedEpsilonAndSymmetricSolves(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 0))
	x := randomCloud(rng, 15, 2, 0.25, nil)
	y := randomCloud(rng, 30, 2, 0.5, []float64{6, 0})
	r := mustDivergence(t, x, y, nil, nil, DivergenceOptions{})
	gxy, _ := NewPointCloud(x, y, PointCloudOptions{})
	if r.Epsilon != gxy.Epsilon() || r.XX.Epsilon != r.Epsilon || r.YY.Epsilon != r.Epsilon {
		t.Errorf("shared epsilon: xy %g (geometry %g), xx %g, yy %g", r.Epsilon, gxy.Epsilon(), r.XX.Epsilon, r.YY.Epsilon)
	}
	ns := mustDivergence(t, x, y, nil, nil, DivergenceOptions{NoShareEpsilon: true})
	gxx, _ := NewPointCloud(x, nil, PointCloudOptions{})
	gyy, _ := NewPointCloud(y, nil, PointCloudOptions{})
	if ns.XX.Epsilon != gxx.Epsilon() || ns.YY.Epsilon != gyy.Epsilon() || ns.XX.Epsilon == r.Epsilon {
		t.Errorf("unshared epsilon: xx %g (own %g), yy %g (own %g), xy %g", ns.XX.Epsilon, gxx.Epsilon(), ns.YY.Epsilon, gyy.Epsilon(), r.Epsilon)
	}
	// Symmetric update: f = g on the self problems.
	for _, s := range []*SinkhornResult{r.XX, r.YY} {
		for i := range s.F {
			if math.Abs(s.F[i]-s.G[i]) > 1e-12*math.Max(1, math.Abs(s.F[i])) {
				t.Fatalf("symmetric solve: f[%d] = %g, g[%d] = %g", i, s.F[i], i, s.G[i])
			}
		}
	}
	t.Logf("iterations: xy %d, xx %d, yy %d", r.XY.Iterations, r.XX.Iterations, r.YY.Iterations)
}

func TestDivergenceMassTerm(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 0))
	x := randomCloud(rng, 6, 2, 1, nil)
	y := randomCloud(rng, 7, 2, 1, []float64{1, 1})
	a := randomWeights(rng, 6, 1)
	b := randomWeights(rng, 7, 1.5)
	s := tightSinkhorn()
	s.TauA, s.TauB = 0.8, 0.8
	r := mustDivergence(t, x, y, a, b, DivergenceOptions{Epsilon: 0.5, Sinkhorn: s})
	want := r.XY.RegOTCost - 0.5*(r.XX.RegOTCost+r.YY.RegOTCost) + 0.5*0.5*0.25
	if math.Abs(r.Divergence-want) > 1e-12 {
		t.Errorf("divergence %.15g, want %.15g with the mass term ½·eps·(Σa−Σb)²", r.Divergence, want)
	}
	if r.XX.TauA != 0.8 || r.YY.TauB != 0.8 {
		t.Errorf("self problems lost tau: %g %g", r.XX.TauA, r.YY.TauB)
	}
}

func TestDivergenceReportsNonConvergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 0))
	x := randomCloud(rng, 10, 2, 1, nil)
	y := randomCloud(rng, 10, 2, 1, []float64{4, 0})
	r := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Epsilon: 0.01, Sinkhorn: SinkhornOptions{MaxIterations: 10, Threshold: 1e-12}})
	if r.Converged {
		t.Error("10 iterations at threshold 1e-12 reported as converged")
	}
}

func TestDivergenceBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 0))
	x := randomCloud(rng, 4, 2, 1, nil)
	y := randomCloud(rng, 5, 2, 1, nil)
	y3 := randomCloud(rng, 5, 3, 1, nil)
	nan := mat.DenseCopyOf(x)
	nan.Set(1, 1, math.NaN())
	cases := []struct {
		name, want string
		x, y       *mat.Dense
		a, b       []float64
		opt        DivergenceOptions
	}{
		{"nil x", "nil", nil, y, nil, nil, DivergenceOptions{}},
		{"nil y", "nil", x, nil, nil, nil, DivergenceOptions{}},
		{"dims", "dimension", x, y3, nil, nil, DivergenceOptions{}},
		{"neg eps", "epsilon", x, y, nil, nil, DivergenceOptions{Epsilon: -1}},
		{"nan eps", "epsilon", x, y, nil, nil, DivergenceOptions{Epsilon: math.NaN()}},
		{"len a", "weights", x, y, []float64{1}, nil, DivergenceOptions{}},
		{"len b", "weights", x, y, nil, []float64{1}, DivergenceOptions{}},
		{"offset", "OffsetStaticB", x, y, nil, nil, DivergenceOptions{StaticB: true, OffsetStaticB: math.Inf(1)}},
		{"neg weight", "", x, y, []float64{0.5, 0.6, -0.1, 0}, nil, DivergenceOptions{}},
		{"nan x", "", nan, y, nil, nil, DivergenceOptions{}},
	}
	for _, c := range cases {
		r, err := Divergence(c.x, c.y, c.a, c.b, c.opt)
		if err == nil {
			t.Errorf("%s: no error (result %+v)", c.name, r)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
}

// Online geometries never store cost matrices; values and gradients must
// match the dense path.
func TestDivergenceOnlineMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 0))
	x := randomCloud(rng, 30, 2, 1, nil)
	y := randomCloud(rng, 40, 2, 0.5, []float64{2, 0})
	dense := mustDivergence(t, x, y, nil, nil, DivergenceOptions{})
	online := mustDivergence(t, x, y, nil, nil, DivergenceOptions{Online: true})
	if d := math.Abs(dense.Divergence - online.Divergence); d > 1e-10*math.Abs(dense.Divergence) {
		t.Errorf("online %.15g, dense %.15g", online.Divergence, dense.Divergence)
	}
	gd, err := dense.GradX()
	if err != nil {
		t.Fatal(err)
	}
	gon, err := online.GradX()
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(gd, gon, 1e-9) {
		t.Error("online gradient differs from dense")
	}
	ed, err := RegOTObjective(y, PointCloudOptions{}, SinkhornOptions{})(x)
	if err != nil {
		t.Fatal(err)
	}
	eo, err := RegOTObjective(y, PointCloudOptions{Online: true}, SinkhornOptions{})(x)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ed.Value-eo.Value) > 1e-10*math.Abs(ed.Value) || !mat.EqualApprox(ed.Grad, eo.Grad, 1e-9) {
		t.Error("online reg-OT objective differs from dense")
	}
}
