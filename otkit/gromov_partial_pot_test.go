package otkit

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// potPartialGW is testdata/partialgw/pot.json (gen.py there, POT 0.8.2).
type potPartialGW struct {
	Exact    []potPartialGWCase `json:"exact"`
	Entropic []potPartialGWCase `json:"entropic"`
}

type potPartialGWCase struct {
	Name   string      `json:"name"`
	C1     [][]float64 `json:"C1"`
	C2     [][]float64 `json:"C2"`
	P      []float64   `json:"p"`
	Q      []float64   `json:"q"`
	Mass   float64     `json:"m"`
	Reg    float64     `json:"reg"`
	Plan   [][]float64 `json:"plan"`
	Cost   float64     `json:"cost"`
	Err    float64     `json:"err"`
	PlanMs float64     `json:"mass"`
}

func loadPOTPartialGW(t *testing.T) potPartialGW {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "partialgw", "pot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p potPartialGW
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Exact) < 3 || len(p.Entropic) < 6 {
		t.Fatalf("pot.json is incomplete: %d/%d cases", len(p.Exact), len(p.Entropic))
	}
	return p
}

func TestEntropicPartialGWAgainstPOT(t *testing.T) {
	p := loadPOTPartialGW(t)
	for _, c := range p.Entropic {
		if c.Err > 1e-12 {
			t.Fatalf("%s: POT did not converge in the committed data (change %g)", c.Name, c.Err)
		}
		r, err := EntropicPartialGW(denseFromRows(c.C1), denseFromRows(c.C2), c.P, c.Q, PartialGWOptions{
			Mass: c.Mass, Epsilon: 2 * c.Reg, Threshold: 1e-13, MaxIterations: 5000, Inner: EntropicPartialOptions{Threshold: 1e-14, MaxIterations: 100000}})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if rel := relDiff(r.Cost, c.Cost); rel > 1e-6 {
			t.Errorf("%s: cost %.12g, POT %.12g (rel %.1e)", c.Name, r.Cost, c.Cost, rel)
		}
		if d := planDiff(r.Coupling, c.Plan); d > 1e-6 {
			t.Errorf("%s: plan differs from POT's by %.1e", c.Name, d)
		}
		t.Logf("%s: %d iterations, cost rel %.1e, plan %.1e", c.Name, r.Iterations, relDiff(r.Cost, c.Cost), planDiff(r.Coupling, c.Plan))
	}
}

// POT's exact partial GW takes a different path (see gen.py). otkit's plan
// must be a certified stationary point; where POT's plan is stationary too
// (Frank–Wolfe gap 0, mass m) both must be the same point, and where POT
// stops short of stationarity (15×10: gap 4e-5) otkit must not be worse.
func TestPartialGWAgainstPOT(t *testing.T) {
	p := loadPOTPartialGW(t)
	for _, c := range p.Exact {
		c1, c2 := denseFromRows(c.C1), denseFromRows(c.C2)
		r, err := PartialGW(c1, c2, c.P, c.Q, PartialGWOptions{Mass: c.Mass, Threshold: 1e-14, MaxIterations: 20000})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		potPlan := denseFromRows(c.Plan)
		gap := partialGWGap(t, c1, c2, c.P, c.Q, c.Mass, potPlan)
		t.Logf("%s: otkit E = %.12g in %d iterations, POT E = %.12g (mass %.12g, its Frank–Wolfe gap %.2e)", c.Name, r.Cost, r.Iterations, c.Cost, c.PlanMs, gap)
		if own := partialGWGap(t, c1, c2, c.P, c.Q, c.Mass, r.Coupling); own > 1e-12 {
			t.Errorf("%s: otkit's plan has Frank–Wolfe gap %.2e", c.Name, own)
		}
		switch {
		case math.Abs(c.PlanMs-c.Mass) < 1e-12 && gap < 1e-12: // POT stationary: the same point
			if rel := relDiff(r.Cost, c.Cost); rel > 1e-9 {
				t.Errorf("%s: cost %.15g, POT %.15g (rel %.1e)", c.Name, r.Cost, c.Cost, rel)
			}
			if d := planDiff(r.Coupling, c.Plan); d > 1e-9 {
				t.Errorf("%s: plan differs from POT's by %.1e", c.Name, d)
			}
		case r.Cost > c.Cost: // POT stopped short of stationarity: otkit must not be worse
			t.Errorf("%s: cost %.15g above POT's non-stationary %.15g", c.Name, r.Cost, c.Cost)
		}
	}
}

// partialGWGap is the Frank–Wolfe gap of a plan over the partial polytope,
// relative to the energy scale: 0 exactly at stationary points.
func partialGWGap(t *testing.T, c1, c2 *mat.Dense, p, q []float64, mass float64, plan *mat.Dense) float64 {
	t.Helper()
	g, err := newGWPair(c1, c2)
	if err != nil {
		t.Fatal(err)
	}
	n, m := plan.Dims()
	grad := mat.NewDense(n, m, nil)
	g.gradient(grad, plan)
	lin, err := PartialEMD(grad, p, q, PartialOptions{Mass: mass})
	if err != nil {
		t.Fatal(err)
	}
	return (frobeniusDot(grad, plan) - lin.Cost) / (g.scale * mass * mass)
}
