package otkit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/scaling"
)

func randPairProblem(rng *rand.Rand, k0, k1 int) (c, a, b []float64) {
	c = make([]float64, k0*k1)
	for i := range c {
		c[i] = 2 * rng.Float64()
	}
	return c, randomWeights(rng, k0, 1), randomWeights(rng, k1, 1)
}

var pairTight = SinkhornOptions{Threshold: 1e-14, MaxIterations: 200000}

// smallSolve runs the solver on the flat k0×k1 cost c as Sinkhorn does and
// also returns its scaling form (nil when the options exclude it).
func smallSolve(t testing.TB, c, a, b []float64, k0, k1 int, eps, tau float64, opt SinkhornOptions) (*SinkhornResult, *scaling.Form) {
	t.Helper()
	geom, err := NewGeometry(mat.NewDense(k0, k1, append([]float64(nil), c...)), GeometryOptions{Epsilon: eps})
	if err != nil {
		t.Fatal(err)
	}
	opt.TauA, opt.TauB = tau, tau
	cfg, err := opt.resolve(k0, k1)
	if err != nil {
		t.Fatal(err)
	}
	s := newSolver(geom, append([]float64(nil), a...), append([]float64(nil), b...), cfg)
	s.run()
	return s.result(), s.sc
}

// TestScalingFormBalancedPrimal: converged balanced value equals
// ⟨P,C⟩ + ε KL(P | abᵀ) and the marginals are a and b.
func TestScalingFormBalancedPrimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	c, a, b := randPairProblem(rng, 3, 4)
	const eps = 0.3
	res, sc := smallSolve(t, c, a, b, 3, 4, eps, 1, pairTight)
	if sc == nil {
		t.Fatal("the scaling form was not used")
	}
	if !res.Converged {
		t.Fatal("not converged")
	}
	r := struct {
		p   []float64
		reg float64
	}{res.Matrix().RawMatrix().Data, res.RegOTCost}
	var primal float64
	row, col := make([]float64, 3), make([]float64, 4)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			p := r.p[i*4+j]
			q := a[i] * b[j]
			primal += p*c[i*4+j] + eps*(p*math.Log(p/q)-p+q)
			row[i] += p
			col[j] += p
		}
	}
	if math.Abs(primal-r.reg) > 1e-12 {
		t.Errorf("reg cost %v, primal %v", r.reg, primal)
	}
	for i := range row {
		if math.Abs(row[i]-a[i]) > 1e-13 {
			t.Errorf("row %d: %v want %v", i, row[i], a[i])
		}
	}
	for j := range col {
		if math.Abs(col[j]-b[j]) > 1e-13 {
			t.Errorf("col %d: %v want %v", j, col[j], b[j])
		}
	}
}

// TestSmallSolveGradients: with the consistent update, finite differences of
// the solved value in C, a and b equal P and the Danskin weight gradients,
// balanced and unbalanced. With OTT's update (τ<1) they do not, but they do
// when the potentials are frozen.
func TestSmallSolveGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	for _, tau := range []float64{1, 0.8, 1 / 1.01} {
		c, a, b := randPairProblem(rng, 3, 2)
		const eps = 0.4
		res, _ := smallSolve(t, c, a, b, 3, 2, eps, tau, pairTight)
		r := struct{ p, gradA, gradB []float64 }{res.Matrix().RawMatrix().Data, res.GradA(), res.GradB()}
		val := func() float64 {
			v, _ := smallSolve(t, c, a, b, 3, 2, eps, tau, pairTight)
			return v.RegOTCost
		}
		const h = 1e-6
		for i := range c {
			old := c[i]
			c[i] = old + h
			vp := val()
			c[i] = old - h
			vm := val()
			c[i] = old
			if fd := (vp - vm) / (2 * h); math.Abs(fd-r.p[i]) > 1e-8 {
				t.Errorf("tau=%v ∂R/∂C[%d]: FD %v, P %v", tau, i, fd, r.p[i])
			}
		}
		// Weights: balanced only along Σδ = 0 directions.
		for _, side := range []struct {
			w, g []float64
		}{{a, r.gradA}, {b, r.gradB}} {
			w, g := side.w, side.g
			for i := 0; i+1 < len(w); i++ {
				w[i] += h
				w[i+1] -= h
				vp := val()
				w[i] -= 2 * h
				w[i+1] += 2 * h
				vm := val()
				w[i] += h
				w[i+1] -= h
				fd := (vp - vm) / (2 * h)
				if want := g[i] - g[i+1]; math.Abs(fd-want) > 1e-8 {
					t.Errorf("tau=%v weight direction %d: FD %v, Danskin %v", tau, i, fd, want)
				}
			}
			if tau < 1 {
				w[0] += h
				vp := val()
				w[0] -= 2 * h
				vm := val()
				w[0] += h
				if fd := (vp - vm) / (2 * h); math.Abs(fd-g[0]) > 1e-8 {
					t.Errorf("tau=%v weight 0: FD %v, Danskin %v", tau, fd, g[0])
				}
			}
		}
	}
}

// TestSinkhornTutorialBlocks reproduces the coupled-GMM tutorial's balanced state: far-apart components,
// ε = 0.01, the seed's fitted masses: 2000 iterations do not connect the
// blocks, the state is not converged, and the coupling is the one printed.
func TestSinkhornTutorialBlocks(t *testing.T) {
	a := []float64{0.22632582, 0.23542637, 0.5382478}
	b := []float64{0.36791384, 0.3672651, 0.26482108}
	c := []float64{
		0.05, 30, 22,
		28, 0.02, 35,
		21, 40, 0.04,
	}
	res, sc := smallSolve(t, c, a, b, 3, 3, 0.01, 1, SinkhornOptions{})
	if sc == nil {
		t.Fatal("the scaling form was not used")
	}
	if res.Converged || res.Iterations != 2000 {
		t.Fatalf("converged=%v after %d iterations, want a non-converged 2000", res.Converged, res.Iterations)
	}
	r := struct{ p []float64 }{res.Matrix().RawMatrix().Data}
	var tot float64
	for _, v := range r.p {
		tot += v
	}
	want := []float64{0.22631681, 0, 0, 0, 0.2354198, 0, 0.2182516, 0, 0.32001185}
	for i := range want {
		if got := r.p[i] / tot; math.Abs(got-want[i]) > 5e-5 {
			t.Errorf("normalized P[%d] = %v, seed %v", i, got, want[i])
		}
	}
}

// TestScalingFormMatchesReferenceKernel checks the solver on small stored
// problems (the scaling form where balanced, the fast kernel otherwise)
// against the log-domain solve with the reference kernel on the same
// problems and options: same iteration count and convergence flag,
// potentials, coupling, reg cost and weight gradients to rounding.
func TestScalingFormMatchesReferenceKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 0))
	type tc struct {
		name     string
		c, a, b  []float64
		k0, k1   int
		eps, tau float64
		opt      SinkhornOptions
	}
	var cases []tc
	for _, tau := range []float64{1, 0.8, 1 / 1.01} {
		for _, opt := range []SinkhornOptions{{}, {OTTUnbalancedUpdate: true}, {MinIterations: 30, InnerIterations: 7, MaxIterations: 95}, {Threshold: 1e-9, NormError: 2}, {NormError: math.Inf(1)}} {
			c, a, b := randPairProblem(rng, 3, 4)
			cases = append(cases, tc{fmt.Sprintf("tau=%.3f %+v", tau, opt), c, a, b, 3, 4, 0.05 + rng.Float64(), tau, opt})
		}
	}
	// Small ε against the costs (kernel entries far below 1e-300) and a tiny
	// weight: scalings must be absorbed often, sums may underflow.
	for _, eps := range []float64{1e-3, 2e-2} {
		c, a, b := randPairProblem(rng, 4, 3)
		a[0] *= 1e-6
		var sa float64
		for _, v := range a {
			sa += v
		}
		for i := range a {
			a[i] /= sa
		}
		cases = append(cases, tc{fmt.Sprintf("eps=%g, tiny weight", eps), c, a, b, 4, 3, eps, 1, SinkhornOptions{MaxIterations: 3000}})
	}
	cases = append(cases, tc{"tutorial blocks", []float64{0.05, 30, 22, 28, 0.02, 35, 21, 40, 0.04},
		[]float64{0.22632582, 0.23542637, 0.5382478}, []float64{0.36791384, 0.3672651, 0.26482108}, 3, 3, 0.01, 1, SinkhornOptions{}})
	absorbed := 0
	for _, c := range cases {
		res, sc := smallSolve(t, c.c, c.a, c.b, c.k0, c.k1, c.eps, c.tau, c.opt)
		if (sc != nil) != (c.tau == 1) {
			t.Errorf("%s: scaling form used: %v", c.name, sc != nil)
		}
		if sc != nil {
			absorbed += sc.Absorptions()
		}
		got := componentSolve{f: res.F, g: res.G, p: res.Matrix().RawMatrix().Data, reg: res.RegOTCost,
			gradA: res.GradA(), gradB: res.GradB(), converged: res.Converged, iterations: res.Iterations}
		geom, err := NewGeometry(mat.NewDense(c.k0, c.k1, c.c), GeometryOptions{Epsilon: c.eps})
		if err != nil {
			t.Fatal(err)
		}
		o := c.opt
		o.TauA, o.TauB = c.tau, c.tau
		o.ReferenceKernel = true
		want, err := Sinkhorn(geom, c.a, c.b, o)
		if err != nil {
			t.Fatal(err)
		}
		if got.iterations != want.Iterations || got.converged != want.Converged {
			t.Errorf("%s: %d iterations converged=%v, reference %d %v", c.name, got.iterations, got.converged, want.Iterations, want.Converged)
		}
		close := func(what string, x, y []float64, tol float64) {
			for i := range x {
				if math.Abs(x[i]-y[i]) > tol {
					t.Errorf("%s: %s[%d] = %.15g, reference %.15g", c.name, what, i, x[i], y[i])
					return
				}
			}
		}
		close("f", got.f, want.F, 1e-10)
		close("g", got.g, want.G, 1e-10)
		close("P", got.p, want.Matrix().RawMatrix().Data, 1e-12)
		close("∂R/∂a", got.gradA, want.GradA(), 1e-10)
		close("∂R/∂b", got.gradB, want.GradB(), 1e-10)
		close("R", []float64{got.reg}, []float64{want.RegOTCost}, 1e-10)
	}
	if absorbed == 0 {
		t.Error("no case exercised the absorption of the scalings")
	}
}

// The coupled-GMM tutorial's final balanced state: 2000 iterations that
// never converge; FitPair runs 600 of these.
var pairBenchBlocksC = []float64{0.05, 30, 22, 28, 0.02, 35, 21, 40, 0.04}
var pairBenchBlocksA = []float64{0.22632582, 0.23542637, 0.5382478}
var pairBenchBlocksB = []float64{0.36791384, 0.3672651, 0.26482108}

func BenchmarkSinkhornTutorialBlocks(bm *testing.B) {
	for i := 0; i < bm.N; i++ {
		g, _ := NewGeometry(mat.NewDense(3, 3, pairBenchBlocksC), GeometryOptions{Epsilon: 0.01})
		Sinkhorn(g, pairBenchBlocksA, pairBenchBlocksB, SinkhornOptions{})
	}
}
