package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomSpace returns the squared-distance matrix of k random points in
// the plane (symmetric, zero diagonal).
func randomSpace(rng *rand.Rand, k int) *mat.Dense {
	x := mat.NewDense(k, 2, nil)
	for i := 0; i < k; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	c := mat.NewDense(k, k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			dx, dy := x.At(i, 0)-x.At(j, 0), x.At(i, 1)-x.At(j, 1)
			c.Set(i, j, dx*dx+dy*dy)
		}
	}
	return c
}

// gwEnergyDirect is E(T) = Σ_ijkl (c1_ik − c2_jl)² T_ij T_kl written out:
// the reference for gwPair.energy.
func gwEnergyDirect(c1, c2, t *mat.Dense) float64 {
	n, m := t.Dims()
	var e float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			for k := 0; k < n; k++ {
				for l := 0; l < m; l++ {
					d := c1.At(i, k) - c2.At(j, l)
					e += d * d * t.At(i, j) * t.At(k, l)
				}
			}
		}
	}
	return e
}

func TestGWEnergyAndGradientAgainstDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 20))
	c1, c2 := randomSpace(rng, 4), randomSpace(rng, 3)
	g, err := newGWPair(c1, c2)
	if err != nil {
		t.Fatal(err)
	}
	tp := mat.NewDense(4, 3, nil)
	tp.Apply(func(int, int, float64) float64 { return rng.Float64() - 0.3 }, tp) // any matrix, signs too
	if e, want := g.energy(tp), gwEnergyDirect(c1, c2, tp); math.Abs(e-want) > 1e-12*math.Abs(want) {
		t.Errorf("energy %.15g, direct %.15g", e, want)
	}
	grad := mat.NewDense(4, 3, nil)
	g.gradient(grad, tp)
	both := mat.NewDense(4, 3, nil)
	if e := g.energyGradient(both, tp); math.Abs(e-g.energy(tp)) > 1e-12*math.Abs(e) || !mat.EqualApprox(both, grad, 1e-12) {
		t.Errorf("energyGradient disagrees with energy and gradient: %.15g vs %.15g", e, g.energy(tp))
	}
	const h = 1e-6
	for i := 0; i < 4; i++ {
		for j := 0; j < 3; j++ {
			up, dn := mat.DenseCopyOf(tp), mat.DenseCopyOf(tp)
			up.Set(i, j, up.At(i, j)+h)
			dn.Set(i, j, dn.At(i, j)-h)
			fd := (gwEnergyDirect(c1, c2, up) - gwEnergyDirect(c1, c2, dn)) / (2 * h)
			if math.Abs(fd-grad.At(i, j)) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("∂E/∂T[%d,%d] = %.9g, finite difference %.9g", i, j, grad.At(i, j), fd)
			}
		}
	}
}

// vertexPlan puts all of p_i on column assign[i].
func vertexPlan(p []float64, m int, assign []int) *mat.Dense {
	t := mat.NewDense(len(p), m, nil)
	for i, j := range assign {
		t.Set(i, j, p[i])
	}
	return t
}

// On tiny problems the global minimum over {T ≥ 0, T1 = p} is found by
// exhaustive search over a grid of plans (each row's split between the
// columns); conditional gradient started from every vertex must reach it
// (its best run is at most the grid minimum, and not far below).
func TestSemiRelaxedGWExhaustive(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 21))
	const steps = 40
	for trial := 0; trial < 4; trial++ {
		c1, c2 := randomSpace(rng, 3), randomSpace(rng, 2)
		p := []float64{0.2 + rng.Float64(), 0.2 + rng.Float64(), 0.2 + rng.Float64()}
		gridMin := math.Inf(1)
		tp := mat.NewDense(3, 2, nil)
		for x := 0; x <= steps; x++ {
			for y := 0; y <= steps; y++ {
				for z := 0; z <= steps; z++ {
					for i, f := range []int{x, y, z} {
						tp.Set(i, 0, p[i]*float64(f)/steps)
						tp.Set(i, 1, p[i]*(1-float64(f)/steps))
					}
					gridMin = math.Min(gridMin, gwEnergyDirect(c1, c2, tp))
				}
			}
		}
		best := math.Inf(1)
		for v := 0; v < 8; v++ {
			assign := []int{v & 1, v >> 1 & 1, v >> 2 & 1}
			r, err := SemiRelaxedGW(c1, c2, p, SemiRelaxedGWOptions{Init: vertexPlan(p, 2, assign)})
			if err != nil || r.Err() != nil {
				t.Fatal(err, r.Err())
			}
			best = math.Min(best, r.Cost)
		}
		if best > gridMin*(1+1e-12) || best < gridMin-0.01*gridMin-1e-12 {
			t.Errorf("trial %d: best conditional-gradient energy %.12g, grid minimum %.12g", trial, best, gridMin)
		}
	}
}

// checkSemiRelaxedKKT checks first-order optimality: in each row the plan
// only uses columns where ∇E(T) is within tol·scale of the row's minimum.
func checkSemiRelaxedKKT(t *testing.T, c1, c2 *mat.Dense, r *SemiRelaxedGWResult, tol float64) {
	t.Helper()
	g, _ := newGWPair(c1, c2)
	n, m := r.Coupling.Dims()
	grad := mat.NewDense(n, m, nil)
	g.gradient(grad, r.Coupling)
	rows, _ := planMarginals(r.Coupling)
	for i := 0; i < n; i++ {
		mn := mat.Min(grad.RowView(i))
		for j := 0; j < m; j++ {
			if r.Coupling.At(i, j) > 1e-7*rows[i] && grad.At(i, j)-mn > tol*g.scale {
				t.Errorf("T[%d,%d] = %.3g > 0 where ∇E exceeds the row minimum by %.3g", i, j, r.Coupling.At(i, j), grad.At(i, j)-mn)
			}
		}
	}
}

// With the second marginal forced to the one srGW found, its plan is a
// stationary point of balanced GW: otkit's exact EMD on the linearised cost
// ∇E(T*) with marginals (p, T*ᵀ1) finds no better plan than T* itself.
func TestSemiRelaxedGWForcedMarginalIsGWStationary(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	c1, c2 := randomSpace(rng, 12), randomSpace(rng, 5)
	r, err := SemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	checkSemiRelaxedKKT(t, c1, c2, r, 1e-9)
	g, _ := newGWPair(c1, c2)
	grad := mat.NewDense(12, 5, nil)
	g.gradient(grad, r.Coupling)
	e, err := EMD(grad, uniform(12), r.Marginal, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lin := frobeniusDot(grad, r.Coupling); e.Cost < lin-1e-9*math.Abs(lin) {
		t.Errorf("EMD on ∇E(T*) with T*'s marginals costs %.12g < ⟨∇E, T*⟩ = %.12g: T* not stationary for GW", e.Cost, lin)
	}
}

// The entropic srGW plan is a fixed point of otkit's entropic GW with the
// second marginal forced to srGW's: at an ε where the mirror-descent map
// contracts, EntropicGromovWasserstein from p bᵀ reaches the same plan.
func TestEntropicSemiRelaxedGWMatchesGWWithForcedMarginal(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 23))
	c1, c2 := randomSpace(rng, 8), randomSpace(rng, 4)
	c1.Scale(1/mat.Max(c1), c1)
	c2.Scale(1/mat.Max(c2), c2)
	const eps = 0.5
	r, err := EntropicSemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Epsilon: eps, Threshold: 1e-13})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	gw, err := EntropicGromovWasserstein(c1, c2, uniform(8), r.Marginal, GromovOptions{Epsilon: eps, Threshold: 1e-12, MaxIterations: 5000,
		Sinkhorn: SinkhornOptions{Threshold: 1e-13, MaxIterations: 100000}})
	if err != nil || !gw.Converged {
		t.Fatal(err, gw.Converged)
	}
	var d mat.Dense
	d.Sub(gw.Coupling, r.Coupling)
	if diff := mat.Norm(&d, math.Inf(1)); diff > 1e-9 {
		t.Errorf("entropic GW with the forced marginal differs from srGW by %.2e", diff)
	}
	if rel := relDiff(gw.Cost, r.Cost); rel > 1e-9 {
		t.Errorf("GW cost %.12g, srGW %.12g", gw.Cost, r.Cost)
	}
}

// The entropic plan satisfies its fixed-point equation, and as ε shrinks
// its energy approaches the conditional-gradient one from the same start.
func TestEntropicSemiRelaxedGWFixedPointAndLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 24))
	c1, c2 := randomSpace(rng, 10), randomSpace(rng, 3)
	c1.Scale(1/mat.Max(c1), c1)
	c2.Scale(1/mat.Max(c2), c2)
	cg, err := SemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{})
	if err != nil || cg.Err() != nil {
		t.Fatal(err, cg.Err())
	}
	g, _ := newGWPair(c1, c2)
	var gaps []float64
	for _, eps := range []float64{0.05, 0.005, 0.0005} {
		r, err := EntropicSemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Epsilon: eps, Threshold: 1e-12, MaxIterations: 20000})
		if err != nil || r.Err() != nil {
			t.Fatal(eps, err, r.Err())
		}
		grad := mat.NewDense(10, 3, nil)
		g.gradient(grad, r.Coupling)
		want := make([]float64, 3)
		for i := 0; i < 10; i++ {
			rowSoftmin(want, grad.RawRowView(i), eps, 0.1)
			for j, w := range want {
				if math.Abs(w-r.Coupling.At(i, j)) > 1e-9 {
					t.Fatalf("ε = %g: T[%d,%d] = %.12g, fixed point %.12g", eps, i, j, r.Coupling.At(i, j), w)
				}
			}
		}
		gaps = append(gaps, math.Abs(r.Cost-cg.Cost))
	}
	t.Logf("|E_ε − E_CG| = %.3g, %.3g, %.3g", gaps[0], gaps[1], gaps[2])
	if gaps[2] > gaps[0] || gaps[2] > 1e-3*math.Max(cg.Cost, 1e-3) {
		t.Errorf("|E_ε − E_CG| = %v for ε = 0.05, 0.005, 0.0005: not approaching the unregularised energy %.6g", gaps, cg.Cost)
	}
}

// Mirror descent with the halving step never raises the regularised
// objective F = E + ε Σ T(log T − 1) after its first step, also at an ε
// where the plain projected-gradient step cycles.
func TestEntropicSemiRelaxedGWObjectiveDecreases(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 26))
	c1, c2 := randomSpace(rng, 10), randomSpace(rng, 3)
	c1.Scale(1/mat.Max(c1), c1)
	c2.Scale(1/mat.Max(c2), c2)
	const eps = 0.01
	prev := math.Inf(1)
	for it := 1; it <= 40; it++ {
		r, err := EntropicSemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Epsilon: eps, MaxIterations: it, Threshold: 1e-300})
		if err != nil {
			t.Fatal(err)
		}
		f := r.Cost + eps*negEntropy(r.Coupling)
		if f > prev+1e-12*math.Abs(prev) {
			t.Errorf("F = %.15g after %d iterations, %.15g after %d", f, it, prev, it-1)
		}
		prev = f
	}
}

func TestSemiRelaxedGWNotConvergedAndBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 25))
	c1, c2 := randomSpace(rng, 6), randomSpace(rng, 4)
	r, err := EntropicSemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Epsilon: 0.01, MaxIterations: 2})
	if err != nil {
		t.Fatal(err)
	}
	if e := r.Err(); !errors.Is(e, ErrNotConverged) || r.Iterations != 2 {
		t.Errorf("Err() = %v after %d iterations", e, r.Iterations)
	}
	asym := mat.DenseCopyOf(c1)
	asym.Set(0, 1, asym.At(0, 1)+1)
	badInit := mat.NewDense(6, 4, nil)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"asymmetric", second(SemiRelaxedGW(asym, c2, nil, SemiRelaxedGWOptions{})), "symmetric"},
		{"short p", second(SemiRelaxedGW(c1, c2, []float64{1}, SemiRelaxedGWOptions{})), "p"},
		{"init rows", second(SemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Init: badInit})), "feasible"},
		{"init shape", second(SemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Init: mat.NewDense(2, 2, nil)})), "want 6×4"},
		{"negative eps", second(EntropicSemiRelaxedGW(c1, c2, nil, SemiRelaxedGWOptions{Epsilon: -1})), "Epsilon"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, tc.err, tc.want)
		}
	}
}
