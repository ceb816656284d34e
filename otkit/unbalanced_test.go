package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// mmGradient returns ∂/∂P_ij of the UnbalancedMM objective at P.
func mmGradient(pen MarginalPenalty, c, p *mat.Dense, a, b []float64, ra, rb float64) *mat.Dense {
	n, m := p.Dims()
	r, s := make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			r[i] += p.At(i, j)
			s[j] += p.At(i, j)
		}
	}
	g := mat.NewDense(n, m, nil)
	g.Apply(func(i, j int, _ float64) float64 {
		if pen == PenaltyKL {
			return c.At(i, j) + ra*math.Log(r[i]/a[i]) + rb*math.Log(s[j]/b[j])
		}
		return c.At(i, j) + 2*ra*(r[i]-a[i]) + 2*rb*(s[j]-b[j])
	}, g)
	return g
}

// The converged MM plans satisfy the optimality conditions of the
// objective the doc states (gradient 0 where P > 0, ≥ 0 where P = 0 for the
// L2 penalty), with different penalties on the two sides.
func TestUnbalancedMMOptimality(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 10))
	for _, pen := range []MarginalPenalty{PenaltyKL, PenaltySquaredL2} {
		cost, a, b := randomPartialProblem(rng, 6, 5)
		ra, rb := 0.8, 2.5
		r, err := UnbalancedMM(cost, a, b, UnbalancedMMOptions{Penalty: pen, RhoA: ra, RhoB: rb, Threshold: 1e-14, MaxIterations: 200000})
		if err != nil || r.Err() != nil {
			t.Fatal(pen, err, r.Err())
		}
		g := mmGradient(pen, cost, r.Coupling, a, b, ra, rb)
		top := mat.Max(r.Coupling)
		for i := 0; i < 6; i++ {
			for j := 0; j < 5; j++ {
				p, gij := r.Coupling.At(i, j), g.At(i, j)
				if p > 1e-6*top && math.Abs(gij) > 1e-6 {
					t.Errorf("%v: P[%d,%d] = %.3g > 0 but gradient %.3g", pen, i, j, p, gij)
				}
				if pen == PenaltySquaredL2 && gij < -1e-9 {
					t.Errorf("%v: gradient %.3g < 0 at [%d,%d] (P = %.3g)", pen, gij, i, j, p)
				}
			}
		}
	}
}

// MM never increases its objective: each step minimises a majoriser that
// touches the objective at the current plan.
func TestUnbalancedMMObjectiveDecreases(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 11))
	for _, pen := range []MarginalPenalty{PenaltyKL, PenaltySquaredL2} {
		cost, a, b := randomPartialProblem(rng, 7, 6)
		prev := math.Inf(1)
		for it := 10; it <= 200; it += 10 {
			r, err := UnbalancedMM(cost, a, b, UnbalancedMMOptions{Penalty: pen, Rho: 1.3, Threshold: math.SmallestNonzeroFloat64, MaxIterations: it})
			if err != nil {
				t.Fatal(err)
			}
			if r.Objective > prev*(1+1e-14) {
				t.Errorf("%v: objective %.15g after %d iterations, %.15g before", pen, r.Objective, it, prev)
			}
			prev = r.Objective
		}
	}
}

// Where exp(−C/(2ρ)) underflows (C/(2ρ) > 745), the log-domain KL
// iteration still converges to a plan meeting the optimality conditions.
func TestUnbalancedMMSmallPenalty(t *testing.T) {
	c := mat.NewDense(2, 2, []float64{0, 800, 800, 0.5})
	a, b := []float64{1, 2}, []float64{1.5, 1}
	r, err := UnbalancedMM(c, a, b, UnbalancedMMOptions{Rho: 0.5, Threshold: 1e-13, MaxIterations: 100000})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	// The diagonal decouples: P_00 = sqrt(a0 b0), P_11 = sqrt(a1 b1)·exp(−C11/(2ρ)).
	want := []float64{math.Sqrt(1.5), math.Sqrt(2) * math.Exp(-0.5)}
	for k, w := range want {
		if got := r.Coupling.At(k, k); math.Abs(got-w) > 1e-9 {
			t.Errorf("P[%d,%d] = %.12g, want %.12g", k, k, got, w)
		}
	}
	if off := r.Coupling.At(0, 1) + r.Coupling.At(1, 0); !(off >= 0) || off > 1e-300 {
		t.Errorf("off-diagonal mass %g", off)
	}
}

// With equal masses the unbalanced barycenter tends to the balanced one as
// τ → 1.
func TestUnbalancedBarycenterNearBalanced(t *testing.T) {
	grid := mat.NewDense(30, 1, nil)
	for i := 0; i < 30; i++ {
		grid.Set(i, 0, float64(i)/29)
	}
	g, err := NewPointCloud(grid, nil, PointCloudOptions{Epsilon: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	h := [][]float64{make([]float64, 30), make([]float64, 30)}
	for i := 0; i < 30; i++ {
		h[0][i] = math.Exp(-math.Pow(float64(i-7)/3, 2))
		h[1][i] = math.Exp(-math.Pow(float64(i-22)/4, 2))
	}
	h[0], h[1] = normalized(h[0]), normalized(h[1])
	bal, err := Barycenter(g, h, BarycenterOptions{Threshold: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	// The deviation is O(1−τ): ten times closer to 1, ten times closer.
	var dev []float64
	for _, tau := range []float64{0.99, 0.999} {
		u, err := UnbalancedBarycenter(g, h, UnbalancedBarycenterOptions{Tau: tau, Threshold: 1e-11, MaxIterations: 100000})
		if err != nil || u.Err() != nil {
			t.Fatal(err, u.Err())
		}
		var d float64
		for j := range bal.Histogram {
			d = math.Max(d, math.Abs(bal.Histogram[j]-u.Histogram[j]))
		}
		dev = append(dev, d/mat.Max(mat.NewVecDense(30, bal.Histogram)))
	}
	if dev[1] > dev[0]/5 || dev[1] > 0.05 {
		t.Errorf("relative deviation from the balanced barycenter %.3g at τ = 0.99, %.3g at τ = 0.999: not shrinking like 1−τ", dev[0], dev[1])
	}
}

func TestUnbalancedNotConvergedAndBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 12))
	cost, a, b := randomPartialProblem(rng, 4, 4)
	r, err := UnbalancedMM(cost, a, b, UnbalancedMMOptions{Rho: 1, MaxIterations: 15})
	if err != nil {
		t.Fatal(err)
	}
	if e := r.Err(); !errors.Is(e, ErrNotConverged) || r.Iterations != 15 {
		t.Errorf("Err() = %v after %d iterations", e, r.Iterations)
	}
	g, _ := NewGeometry(cost, GeometryOptions{Epsilon: 0.1})
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"no rho", second(UnbalancedMM(cost, a, b, UnbalancedMMOptions{})), "set Rho"},
		{"bad penalty", second(UnbalancedMM(cost, a, b, UnbalancedMMOptions{Rho: 1, Penalty: 7})), "Penalty must be"},
		{"NaN cost", second(UnbalancedMM(mat.NewDense(1, 1, []float64{math.Inf(1)}), nil, nil, UnbalancedMMOptions{Rho: 1})), "not finite"},
		{"tau 1", second(UnbalancedBarycenter(g, [][]float64{a}, UnbalancedBarycenterOptions{Tau: 1})), "use Barycenter"},
		{"no hists", second(UnbalancedBarycenter(g, nil, UnbalancedBarycenterOptions{Tau: 0.5})), "no input"},
		{"short hist", second(UnbalancedBarycenter(g, [][]float64{{1}}, UnbalancedBarycenterOptions{Tau: 0.5})), "histogram 0"},
		{"weights", second(UnbalancedBarycenter(g, [][]float64{a}, UnbalancedBarycenterOptions{Tau: 0.5, Weights: []float64{1, 2}})), "Weights"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, tc.err, tc.want)
		}
	}
}

// The linear-domain KL iteration (the fast path) and the log-domain one
// (its fallback, written like the reference) give the same iterates; a
// row whose kernel underflows entirely sends the solve to the log domain,
// which still finds the row's optimal mass.
func TestUnbalancedMMLinearMatchesLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 13))
	cost, a, b := randomPartialProblem(rng, 8, 6)
	cfg, err := UnbalancedMMOptions{RhoA: 0.7, RhoB: 1.9, Threshold: 1e-300, MaxIterations: 300}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	newState := func() *mmState {
		return &mmState{c: cost.RawMatrix().Data, n: 8, m: 6, a: a, b: b, cfg: cfg, r: make([]float64, 8), s: make([]float64, 6)}
	}
	lin, lg := newState(), newState()
	ok, _, itl, _ := lin.runKLLinear()
	_, itg, _ := lg.runKLLog()
	if !ok || itl != itg {
		t.Fatalf("linear path ok %v, %d vs %d iterations", ok, itl, itg)
	}
	if d := relChange(lin.p, lg.p); d > 1e-12 {
		t.Errorf("linear and log-domain iterates differ by %.2e (relative)", d)
	}
	// Row 0 costs 2000 everywhere: exp(−2000/2) underflows, the linear
	// path gives up and the log-domain one converges; the other rows meet
	// their optimality conditions (row 0's optimal mass, about
	// a0·exp(−1000), is below float64's range itself).
	far := mat.DenseCopyOf(cost)
	for j := 0; j < 6; j++ {
		far.Set(0, j, 2000)
	}
	st := newState()
	st.c = far.RawMatrix().Data
	if ok, _, _, _ := st.runKLLinear(); ok {
		t.Fatal("the linear path accepted a row whose kernel underflows")
	}
	r, err := UnbalancedMM(far, a, b, UnbalancedMMOptions{Rho: 1, Threshold: 1e-13, MaxIterations: 100000})
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	g := mmGradient(PenaltyKL, far, r.Coupling, a, b, 1, 1)
	for i := 1; i < 8; i++ {
		for j := 0; j < 6; j++ {
			if r.Coupling.At(i, j) > 1e-6*mat.Max(r.Coupling) && math.Abs(g.At(i, j)) > 1e-6 {
				t.Errorf("[%d,%d]: gradient %.3g at P = %.3g", i, j, g.At(i, j), r.Coupling.At(i, j))
			}
		}
	}
}
