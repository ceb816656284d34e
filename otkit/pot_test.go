package otkit

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// potCase is one reference problem written by testdata/pot/gen.py. The
// script's docstring explains how POT's objectives are mapped onto OTT's
// reg_ot_cost: for tau < 1 POT is run on the shifted cost
// C − eps·log a_i − eps·log b_j, which turns its 1·1ᵀ entropy reference into
// the a·bᵀ reference of the problem our (consistent) update solves, and
// reg_ot_cost is the primal objective evaluated on POT's coupling.
type potCase struct {
	Name      string      `json:"name"`
	Eps       float64     `json:"eps"`
	Tau       float64     `json:"tau"`
	X         [][]float64 `json:"x"`
	Y         [][]float64 `json:"y"`
	A         []float64   `json:"a"`
	B         []float64   `json:"b"`
	Cost      [][]float64 `json:"cost"`
	Coupling  [][]float64 `json:"coupling"`
	F         []float64   `json:"f"`
	G         []float64   `json:"g"`
	RegOTCost float64     `json:"reg_ot_cost"`
	Primal    float64     `json:"primal_cost"`
}

func loadPOTCases(t *testing.T) []potCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "pot", "problems.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []potCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 6 {
		t.Fatalf("only %d POT cases", len(file.Cases))
	}
	return file.Cases
}

func denseFromRows(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func relDiff(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// potTightOptions runs Sinkhorn far past OTT's default 1e-3 threshold so the
// comparison measures the solution, not the stopping rule.
func potTightOptions(c potCase) SinkhornOptions {
	return SinkhornOptions{Threshold: 1e-13, MaxIterations: 200000, TauA: c.Tau, TauB: c.Tau}
}

func solvePOTCase(t *testing.T, c potCase, opt SinkhornOptions) *SinkhornResult {
	t.Helper()
	g, err := NewPointCloud(denseFromRows(c.X), denseFromRows(c.Y), PointCloudOptions{Epsilon: c.Eps})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Sinkhorn(g, c.A, c.B, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged {
		t.Fatalf("%s: not converged after %d iterations", c.Name, r.Iterations)
	}
	return r
}

func TestPOTReference(t *testing.T) {
	const tol = 1e-6
	for _, c := range loadPOTCases(t) {
		modes := []bool{false}
		if c.Eps >= 0.5 {
			modes = append(modes, true)
		}
		for _, kernel := range modes {
			opt := potTightOptions(c)
			opt.KernelMode = kernel
			r := solvePOTCase(t, c, opt)
			name := c.Name
			if kernel {
				name += "/kernel"
			}
			if r.Epsilon != c.Eps {
				t.Errorf("%s: epsilon %g, want %g", name, r.Epsilon, c.Eps)
			}
			// Cost matrix (same norm form as the script).
			cm := r.Geom.CostMatrix()
			for i := range c.Cost {
				for j := range c.Cost[i] {
					if d := math.Abs(cm.At(i, j) - c.Cost[i][j]); d > 1e-12*math.Max(1, math.Abs(c.Cost[i][j])) {
						t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i, j, cm.At(i, j), c.Cost[i][j])
					}
				}
			}
			if d := relDiff(r.RegOTCost, c.RegOTCost); d > tol {
				t.Errorf("%s: RegOTCost %.12g, POT %.12g (rel %.2g)", name, r.RegOTCost, c.RegOTCost, d)
			}
			if d := relDiff(r.PrimalCost(), c.Primal); d > tol {
				t.Errorf("%s: PrimalCost %.12g, POT %.12g (rel %.2g)", name, r.PrimalCost(), c.Primal, d)
			}
			// Coupling, entrywise relative.
			p := r.Matrix()
			worstP := 0.0
			for i := range c.Coupling {
				for j, want := range c.Coupling[i] {
					worstP = math.Max(worstP, relDiff(p.At(i, j), want))
				}
			}
			if worstP > tol {
				t.Errorf("%s: coupling differs from POT by %.2g relative", name, worstP)
			}
			// Potentials: balanced ones are unique up to f+k, g−k.
			shift := 0.0
			if c.Tau == 1 {
				for i := range c.F {
					shift += r.F[i] - c.F[i]
				}
				shift /= float64(len(c.F))
			}
			scale := 1.0
			for _, v := range append(append([]float64{}, c.F...), c.G...) {
				scale = math.Max(scale, math.Abs(v))
			}
			worstF := 0.0
			for i := range c.F {
				worstF = math.Max(worstF, math.Abs(r.F[i]-shift-c.F[i])/scale)
			}
			for j := range c.G {
				worstF = math.Max(worstF, math.Abs(r.G[j]+shift-c.G[j])/scale)
			}
			if worstF > tol {
				t.Errorf("%s: potentials differ from POT by %.2g (relative to %g)", name, worstF, scale)
			}
			t.Logf("%s: iters %d, R rel %.1e, P rel %.1e, f/g rel %.1e", name, r.Iterations,
				relDiff(r.RegOTCost, c.RegOTCost), worstP, worstF)
		}
	}
}

// TestPOTReferenceOTTUpdateDiffers shows the unbalanced comparison can fail:
// OTT's own update (tau also multiplying eps·log a) solves a different
// problem and misses POT's coupling of the stated objective by far more
// than the tolerance.
func TestPOTReferenceOTTUpdateDiffers(t *testing.T) {
	found := false
	for _, c := range loadPOTCases(t) {
		if c.Tau == 1 || c.Tau > 0.95 {
			continue
		}
		found = true
		opt := potTightOptions(c)
		opt.OTTUnbalancedUpdate = true
		r := solvePOTCase(t, c, opt)
		p := r.Matrix()
		worst := 0.0
		for i := range c.Coupling {
			for j, want := range c.Coupling[i] {
				worst = math.Max(worst, relDiff(p.At(i, j), want))
			}
		}
		if worst < 1e-3 {
			t.Errorf("%s: OTT's update matches the a·bᵀ problem's coupling to %.2g; expected a visible difference", c.Name, worst)
		}
	}
	if !found {
		t.Fatal("no unbalanced POT case")
	}
}
