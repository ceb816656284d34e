package otkit

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// potExact is testdata/emd/pot.json, written by testdata/emd/gen.py from
// POT 0.8.2: exact OT, 1-D and sliced Wasserstein references. Weights are
// stored raw; both sides divide them by their sum.
type potExact struct {
	POT string `json:"pot"`
	EMD []struct {
		Name     string      `json:"name"`
		X        [][]float64 `json:"x"`
		Y        [][]float64 `json:"y"`
		A        []float64   `json:"a"`
		B        []float64   `json:"b"`
		EMD2     float64     `json:"emd2"`
		PlanCost float64     `json:"plan_cost"`
		PlanNNZ  int         `json:"plan_nnz"`
	} `json:"emd"`
	W1D []struct {
		U, V, WU, WV []float64
		P            float64
		Cost         float64
	} `json:"w1d"`
	Sliced []struct {
		X          [][]float64 `json:"x"`
		Y          [][]float64 `json:"y"`
		A          []float64   `json:"a"`
		B          []float64   `json:"b"`
		P          float64     `json:"p"`
		Directions [][]float64 `json:"directions"`
		Sliced     float64     `json:"sliced"`
		MaxSliced  float64     `json:"max_sliced"`
	} `json:"sliced"`
}

func loadPOTExact(t *testing.T) potExact {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "emd", "pot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p potExact
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.EMD) < 8 || len(p.W1D) < 16 || len(p.Sliced) < 6 {
		t.Fatalf("pot.json is incomplete: %d/%d/%d cases", len(p.EMD), len(p.W1D), len(p.Sliced))
	}
	return p
}

func normalized(w []float64) []float64 {
	s := sum(w)
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = v / s
	}
	return out
}

func TestEMDAgainstPOT(t *testing.T) {
	p := loadPOTExact(t)
	for _, c := range p.EMD {
		x, y := denseFromRows(c.X), denseFromRows(c.Y)
		r, err := EMDPoints(x, y, normalized(c.A), normalized(c.B), EMDOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if rel := relDiff(r.Cost, c.EMD2); rel > 1e-9 {
			t.Errorf("%s: cost %.16g, POT emd2 %.16g (rel %.1e)", c.Name, r.Cost, c.EMD2, rel)
		}
		if rel := relDiff(r.Cost, c.PlanCost); rel > 1e-9 {
			t.Errorf("%s: cost %.16g, POT plan cost %.16g (rel %.1e)", c.Name, r.Cost, c.PlanCost, rel)
		}
		g, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: 1})
		if err != nil {
			t.Fatal(err)
		}
		n, m := g.Shape()
		checkEMDCertificate(t, c.Name, g.cost, n, m, r)
		t.Logf("%s (%d×%d): rel. diff to POT %.1e, %d entries (POT %d), %d pivots",
			c.Name, n, m, relDiff(r.Cost, c.EMD2), len(r.Plan), c.PlanNNZ, r.Iterations)
	}
}

func TestWasserstein1DAgainstPOT(t *testing.T) {
	p := loadPOTExact(t)
	worst := 0.0
	for k, c := range p.W1D {
		r, err := Wasserstein1D(c.U, c.V, c.WU, c.WV, Wasserstein1DOptions{P: c.P})
		if err != nil {
			t.Fatal(err)
		}
		rel := relDiff(r.Cost, c.Cost)
		worst = math.Max(worst, rel)
		if rel > 1e-12 {
			t.Errorf("case %d (n=%d, m=%d, p=%g): %.16g, POT %.16g", k, len(c.U), len(c.V), c.P, r.Cost, c.Cost)
		}
	}
	t.Logf("worst relative difference to POT's wasserstein_1d: %.1e", worst)
}

func TestSlicedAgainstPOT(t *testing.T) {
	p := loadPOTExact(t)
	worst := 0.0
	for k, c := range p.Sliced {
		r, err := SlicedWasserstein(denseFromRows(c.X), denseFromRows(c.Y), c.A, c.B,
			SlicedOptions{P: c.P, Directions: denseFromRows(c.Directions)})
		if err != nil {
			t.Fatal(err)
		}
		for _, cmp := range []struct {
			what      string
			got, want float64
		}{{"sliced", r.Distance, c.Sliced}, {"max-sliced", r.MaxDistance, c.MaxSliced}} {
			rel := relDiff(cmp.got, cmp.want)
			worst = math.Max(worst, rel)
			if rel > 1e-12 {
				t.Errorf("case %d p=%g %s: %.16g, POT %.16g", k, c.P, cmp.what, cmp.got, cmp.want)
			}
		}
	}
	t.Logf("worst relative difference to POT's sliced / max-sliced: %.1e", worst)
}
