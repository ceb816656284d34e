package otkit

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// potPartialCase is one case of testdata/partial/pot.json (gen.py there,
// POT 0.8.2): the cost matrix, raw weights and POT's plan and cost.
type potPartialCase struct {
	Name        string      `json:"name"`
	M           [][]float64 `json:"M"`
	A           []float64   `json:"a"`
	B           []float64   `json:"b"`
	Mass        float64     `json:"m"`
	Price       float64     `json:"price"`
	Reg         float64     `json:"reg"`
	Plan        [][]float64 `json:"plan"`
	Cost        float64     `json:"cost"`
	ComparePlan bool        `json:"compare_plan"`
	PotErr      float64     `json:"pot_err"`
	PotNaN      bool        `json:"pot_nan"`
}

type potPartial struct {
	Exact    []potPartialCase `json:"exact"`
	Lagrange []potPartialCase `json:"lagrange"`
	Entropic []potPartialCase `json:"entropic"`
	Unstable []potPartialCase `json:"unstable"`
}

func loadPOTPartial(t *testing.T) potPartial {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "partial", "pot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p potPartial
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Exact) < 7 || len(p.Lagrange) < 4 || len(p.Entropic) < 3 || len(p.Unstable) < 1 {
		t.Fatalf("pot.json is incomplete: %d/%d/%d/%d cases", len(p.Exact), len(p.Lagrange), len(p.Entropic), len(p.Unstable))
	}
	return p
}

// planDiff is max|P − Q| relative to max|Q|.
func planDiff(p *mat.Dense, q [][]float64) float64 {
	var d, top float64
	for i, row := range q {
		for j, v := range row {
			d = math.Max(d, math.Abs(p.At(i, j)-v))
			top = math.Max(top, math.Abs(v))
		}
	}
	return d / top
}

func TestPartialEMDAgainstPOT(t *testing.T) {
	p := loadPOTPartial(t)
	for _, c := range p.Exact {
		r, err := PartialEMD(denseFromRows(c.M), c.A, c.B, PartialOptions{Mass: c.Mass})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if rel := relDiff(r.Cost, c.Cost); rel > 1e-9 {
			t.Errorf("%s: cost %.16g, POT %.16g (rel %.1e)", c.Name, r.Cost, c.Cost, rel)
		}
		if rel := relDiff(r.Mass, c.Mass); rel > 1e-12 {
			t.Errorf("%s: mass %.16g, asked %.16g", c.Name, r.Mass, c.Mass)
		}
		if d := planDiff(r.Matrix(), c.Plan); c.ComparePlan && d > 1e-9 {
			t.Errorf("%s: plan differs from POT's by %.1e (relative to its largest entry)", c.Name, d)
		}
		t.Logf("%s: cost rel %.1e, plan %.1e (compared: %v)", c.Name, relDiff(r.Cost, c.Cost), planDiff(r.Matrix(), c.Plan), c.ComparePlan)
	}
}

func TestPartialEMDLagrangeAgainstPOT(t *testing.T) {
	p := loadPOTPartial(t)
	for _, c := range p.Lagrange {
		r, err := PartialEMDLagrange(denseFromRows(c.M), c.A, c.B, PartialLagrangeOptions{Price: c.Price})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if rel := relDiff(r.Cost, c.Cost); rel > 1e-9 {
			t.Errorf("%s: cost %.16g, POT %.16g (rel %.1e)", c.Name, r.Cost, c.Cost, rel)
		}
		if d := planDiff(r.Matrix(), c.Plan); d > 1e-9 {
			t.Errorf("%s: plan differs from POT's by %.1e", c.Name, d)
		}
		t.Logf("%s: cost rel %.1e, plan %.1e", c.Name, relDiff(r.Cost, c.Cost), planDiff(r.Matrix(), c.Plan))
	}
}

func TestEntropicPartialAgainstPOT(t *testing.T) {
	p := loadPOTPartial(t)
	for _, c := range p.Entropic {
		if c.PotNaN || c.PotErr > 1e-12 {
			t.Fatalf("%s: POT did not converge in the committed data (err %g); regenerate with more iterations", c.Name, c.PotErr)
		}
		g, err := NewGeometry(denseFromRows(c.M), GeometryOptions{Epsilon: c.Reg})
		if err != nil {
			t.Fatal(err)
		}
		r, err := EntropicPartial(g, c.A, c.B, EntropicPartialOptions{Mass: c.Mass, Threshold: 1e-12, MaxIterations: 100000})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if rel := relDiff(r.Cost, c.Cost); rel > 1e-6 {
			t.Errorf("%s: cost %.16g, POT %.16g (rel %.1e)", c.Name, r.Cost, c.Cost, rel)
		}
		if d := planDiff(r.Coupling, c.Plan); d > 1e-6 {
			t.Errorf("%s: plan differs from POT's by %.1e", c.Name, d)
		}
		t.Logf("%s: %d iterations, cost rel diff %.1e, plan %.1e", c.Name, r.Iterations, relDiff(r.Cost, c.Cost), planDiff(r.Coupling, c.Plan))
	}
}

// At ε = 0.001 on costs in [0, 1] POT's kernel exp(−C/ε) underflows and its
// plan is NaN after one iteration (recorded by gen.py); the log-domain solve
// converges on the same problem to a plan meeting its optimality
// conditions, whose cost is within ε·log-terms of the exact partial cost.
func TestEntropicPartialStableWherePOTFails(t *testing.T) {
	p := loadPOTPartial(t)
	c := p.Unstable[0]
	if !c.PotNaN {
		t.Fatalf("%s: the committed POT plan is finite; the case no longer shows POT's failure", c.Name)
	}
	g, err := NewGeometry(denseFromRows(c.M), GeometryOptions{Epsilon: c.Reg})
	if err != nil {
		t.Fatal(err)
	}
	r, err := EntropicPartial(g, c.A, c.B, EntropicPartialOptions{Mass: c.Mass, Threshold: 1e-9, MaxIterations: 50000})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	checkPartialKKT(t, r, c.A, c.B, 1e-8)
	ex, err := PartialEMD(denseFromRows(c.M), c.A, c.B, PartialOptions{Mass: c.Mass})
	if err != nil {
		t.Fatal(err)
	}
	// The entropic plan is feasible for the exact problem, so its cost is
	// at least the exact one; at ε = 1e-3 it is close above.
	if r.Cost < ex.Cost-1e-9 || r.Cost > ex.Cost+0.01 {
		t.Errorf("entropic cost %.6g, exact %.6g: not within [exact, exact + 0.01]", r.Cost, ex.Cost)
	}
	t.Logf("POT: NaN; otkit: %d iterations, cost %.6g (exact %.6g)", r.Iterations, r.Cost, ex.Cost)
}

// checkPartialKKT checks the entropic plan against its optimality
// conditions: P1 ≤ a, Pᵀ1 ≤ b, Σ P = m, and equality wherever the
// multiplier is active (F_i < 0, G_j < 0), to tol relative to m.
func checkPartialKKT(t *testing.T, r *EntropicPartialResult, a, b []float64, tol float64) {
	t.Helper()
	n, m := r.Coupling.Dims()
	if len(a) == 0 {
		a = uniform(n)
	}
	if len(b) == 0 {
		b = uniform(m)
	}
	rows, cols := make([]float64, n), make([]float64, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := r.Coupling.At(i, j)
			if v < 0 || math.IsNaN(v) {
				t.Fatalf("P[%d,%d] = %g", i, j, v)
			}
			rows[i] += v
			cols[j] += v
		}
	}
	scale := tol * r.Mass
	if math.Abs(sum(rows)-r.Mass) > scale {
		t.Errorf("Σ P = %.12g, Mass %.12g", sum(rows), r.Mass)
	}
	for i := range rows {
		if rows[i] > a[i]+scale || (r.F[i] < 0 && math.Abs(rows[i]-a[i]) > scale) || r.F[i] > 0 {
			t.Errorf("row %d: sum %.12g, a %.12g, F %g", i, rows[i], a[i], r.F[i])
		}
	}
	for j := range cols {
		if cols[j] > b[j]+scale || (r.G[j] < 0 && math.Abs(cols[j]-b[j]) > scale) || r.G[j] > 0 {
			t.Errorf("column %d: sum %.12g, b %.12g, G %g", j, cols[j], b[j], r.G[j])
		}
	}
}
