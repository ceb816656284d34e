package otkit

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// potUnbalanced is testdata/unbalanced/pot.json (gen.py there, POT 0.8.2).
type potUnbalanced struct {
	MM []struct {
		Name     string      `json:"name"`
		M        [][]float64 `json:"M"`
		A        []float64   `json:"a"`
		B        []float64   `json:"b"`
		RegM     float64     `json:"reg_m"`
		Div      string      `json:"div"`
		Iters    int         `json:"iters"`
		Plan     [][]float64 `json:"plan"`
		PlanLong [][]float64 `json:"plan_long"`
		ErrLong  float64     `json:"err_long"`
		CostLong float64     `json:"cost_long"`
	} `json:"mm"`
	Barycenter []potUnbalancedBary `json:"barycenter"`
	Unstable   []potUnbalancedBary `json:"unstable"`
}

type potUnbalancedBary struct {
	Name      string      `json:"name"`
	M         [][]float64 `json:"M"`
	A         [][]float64 `json:"A"`
	Reg       float64     `json:"reg"`
	RegM      float64     `json:"reg_m"`
	Tau       float64     `json:"tau"`
	Weights   []float64   `json:"weights"`
	Q         []float64   `json:"q"`
	PotErr    float64     `json:"pot_err"`
	PotNaN    bool        `json:"pot_nan"`
	PotWarned bool        `json:"pot_warned"`
}

func loadPOTUnbalanced(t *testing.T) potUnbalanced {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "unbalanced", "pot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p potUnbalanced
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.MM) < 4 || len(p.Barycenter) < 3 || len(p.Unstable) < 1 {
		t.Fatalf("pot.json is incomplete: %d/%d/%d cases", len(p.MM), len(p.Barycenter), len(p.Unstable))
	}
	return p
}

func TestUnbalancedMMAgainstPOT(t *testing.T) {
	p := loadPOTUnbalanced(t)
	for _, c := range p.MM {
		pen := PenaltyKL
		if c.Div == "l2" {
			pen = PenaltySquaredL2
		}
		// Same algorithm, same number of iterations: the same iterate. A
		// threshold of 0 is the default, so use the smallest positive one.
		r, err := UnbalancedMM(denseFromRows(c.M), c.A, c.B, UnbalancedMMOptions{Penalty: pen, Rho: c.RegM,
			Threshold: math.SmallestNonzeroFloat64, MaxIterations: c.Iters})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		// L2 iterates can reach their fixed point exactly (change 0) first.
		if r.Iterations != c.Iters && !(r.Converged && r.Errors[len(r.Errors)-1] == 0) {
			t.Fatalf("%s: ran %d iterations, want %d", c.Name, r.Iterations, c.Iters)
		}
		if d := planDiff(r.Coupling, c.Plan); d > 1e-9 {
			t.Errorf("%s: iterate %d differs from POT's by %.1e", c.Name, c.Iters, d)
		}
		long, err := UnbalancedMM(denseFromRows(c.M), c.A, c.B, UnbalancedMMOptions{Penalty: pen, Rho: c.RegM, Threshold: 1e-13, MaxIterations: 50000})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if c.ErrLong > 1e-14 {
			t.Fatalf("%s: POT's long run did not converge (change %g)", c.Name, c.ErrLong)
		}
		if d := planDiff(long.Coupling, c.PlanLong); d > 1e-6 || long.Err() != nil {
			t.Errorf("%s: converged plan differs from POT's by %.1e (%v)", c.Name, d, long.Err())
		}
		if rel := relDiff(long.Cost, c.CostLong); rel > 1e-6 {
			t.Errorf("%s: cost %.12g, POT %.12g", c.Name, long.Cost, c.CostLong)
		}
		t.Logf("%s: iterate diff %.1e; converged in %d iterations, plan diff %.1e, cost rel %.1e", c.Name,
			planDiff(r.Coupling, c.Plan), long.Iterations, planDiff(long.Coupling, c.PlanLong), relDiff(long.Cost, c.CostLong))
	}
}

func potBaryGeometry(t *testing.T, c potUnbalancedBary) *Geometry {
	t.Helper()
	g, err := NewGeometry(denseFromRows(c.M), GeometryOptions{Epsilon: c.Reg})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestUnbalancedBarycenterAgainstPOT(t *testing.T) {
	p := loadPOTUnbalanced(t)
	for _, c := range p.Barycenter {
		if c.PotNaN || c.PotWarned || c.PotErr > 1e-12 {
			t.Fatalf("%s: POT did not converge in the committed data", c.Name)
		}
		r, err := UnbalancedBarycenter(potBaryGeometry(t, c), c.A, UnbalancedBarycenterOptions{Weights: c.Weights, Tau: c.Tau, Threshold: 1e-14, MaxIterations: 200000})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		var d, top float64
		for j, v := range c.Q {
			d = math.Max(d, math.Abs(r.Histogram[j]-v))
			top = math.Max(top, v)
		}
		if d/top > 1e-6 {
			t.Errorf("%s: barycenter differs from POT's by %.1e relative", c.Name, d/top)
		}
		t.Logf("%s: %d iterations, max diff %.1e relative", c.Name, r.Iterations, d/top)
	}
}

// At ε = 3e-4 POT's kernel iteration divides by an underflowed Kᵀu, warns
// and stops with its error at 4e-5; the log-domain iteration converges to a
// fixed point of the generalised Sinkhorn equations.
func TestUnbalancedBarycenterStableWherePOTFails(t *testing.T) {
	p := loadPOTUnbalanced(t)
	c := p.Unstable[0]
	if !c.PotWarned || c.PotErr < 1e-6 {
		t.Fatalf("%s: the committed POT run converged; the case no longer shows its failure", c.Name)
	}
	g := potBaryGeometry(t, c)
	r, err := UnbalancedBarycenter(g, c.A, UnbalancedBarycenterOptions{Weights: c.Weights, Tau: c.Tau, Threshold: 1e-8, MaxIterations: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	checkUnbalancedBarycenterFixedPoint(t, g, c.A, c.Weights, r, c.Tau, 1e-5)
	t.Logf("POT: warned, error %.1e, mass %.4g; otkit: %d iterations, mass %.6g", c.PotErr, sum(c.Q), r.Iterations, sum(r.Histogram))
}

// checkUnbalancedBarycenterFixedPoint checks the fixed-point (optimality)
// equations with the reference kernel: every F_k = τ(ε log a_k −
// ε LSE_j((G_k − C)/ε)), and the barycenter is the weighted (1−τ)-power
// mean of exp(L_k/ε), L_k = ε LSE_i((F_k − C)/ε). (The G_k equation holds
// by construction: G_k is computed from q and L_k last.)
func checkUnbalancedBarycenterFixedPoint(t *testing.T, g *Geometry, hists [][]float64, weights []float64, r *UnbalancedBarycenterResult, tau, tol float64) {
	t.Helper()
	n, m := g.Shape()
	eps := r.Epsilon
	kern := float64Kernel(g, true)
	row, col := make([]float64, n), make([]float64, m)
	powerMean := make([]float64, m)
	w := normalized(weights)
	for k, h := range hists {
		kern.RowLSE(row, r.G[k], eps)
		for i := range row {
			want := tau * (eps*math.Log(h[i]) - row[i])
			if math.Abs(want-r.F[k][i]) > tol*math.Max(1, math.Abs(want)) && !(math.IsInf(want, -1) && math.IsInf(r.F[k][i], -1)) {
				t.Fatalf("input %d row %d: F = %.12g, fixed point %.12g", k, i, r.F[k][i], want)
			}
		}
		kern.ColLSE(col, r.F[k], eps)
		for j := range col {
			powerMean[j] += w[k] * math.Exp((1-tau)*col[j]/eps)
		}
	}
	for j, q := range r.Histogram {
		want := math.Pow(powerMean[j], 1/(1-tau))
		if math.Abs(q-want) > tol*math.Max(want, 1e-300)+1e-300 {
			t.Errorf("bin %d: q = %.12g, power mean of the couplings %.12g", j, q, want)
		}
	}
}
