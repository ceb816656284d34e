package otkit

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func freeCaseInputs(c struct {
	Name          string        `json:"name"`
	Locations     [][][]float64 `json:"locations"`
	Masses        [][]float64   `json:"masses"`
	XInit         [][]float64   `json:"x_init"`
	B             []float64     `json:"b"`
	Weights       []float64     `json:"weights"`
	X             [][]float64   `json:"x"`
	Displacements []float64     `json:"displacements"`
}) ([]*mat.Dense, *mat.Dense) {
	locs := make([]*mat.Dense, len(c.Locations))
	for k, l := range c.Locations {
		locs[k] = denseFromRows(l)
	}
	return locs, denseFromRows(c.XInit)
}

// The zero value is POT's ot.lp.free_support_barycenter: exact inner
// transport, the same iterates (displacement record) and the same support.
func TestPOTFreeSupportBarycenter(t *testing.T) {
	for _, c := range loadPOTBarycenters(t).Free {
		locs, x0 := freeCaseInputs(c)
		r, err := FreeSupportBarycenter(locs, c.Masses, x0, FreeSupportBarycenterOptions{B: c.B, Weights: c.Weights})
		if err != nil {
			t.Fatal(err)
		}
		d := maxAbsDiff(r.X.RawMatrix().Data, flatRows(c.X))
		dd := maxAbsDiff(r.Errors, c.Displacements)
		if !r.Converged || r.Iterations != len(c.Displacements) || d > 1e-12 || dd > 1e-12 {
			t.Errorf("%s: converged %v after %d iterations (POT %d), support vs POT %.2g, displacements %.2g",
				c.Name, r.Converged, r.Iterations, len(c.Displacements), d, dd)
		}
		t.Logf("%s: %d iterations, support vs POT %.1e, displacements %.1e, cost %.6g", c.Name, r.Iterations, d, dd, r.Cost)
	}
}

// As epsilon decreases the entropic fixed point approaches POT's exact one
// (first case; the second has several fixed points and large epsilons
// settle in another). The converged support is a fixed point of its own
// map, checked with dense couplings independently of the log-domain Apply.
func TestFreeSupportEntropicApproachesPOT(t *testing.T) {
	c := loadPOTBarycenters(t).Free[0]
	locs, x0 := freeCaseInputs(c)
	prev := math.Inf(1)
	for _, eps := range []float64{0.2, 0.05, 0.02} {
		r, err := FreeSupportBarycenter(locs, c.Masses, x0, FreeSupportBarycenterOptions{
			B: c.B, Weights: c.Weights, Epsilon: eps, Threshold: 1e-16, MaxIterations: 500})
		if err != nil {
			t.Fatal(err)
		}
		d := maxAbsDiff(r.X.RawMatrix().Data, flatRows(c.X))
		t.Logf("eps %g: converged %v after %d, vs POT exact %.2g", eps, r.Converged, r.Iterations, d)
		if !r.Converged || !(d < prev) {
			t.Errorf("eps %g: converged %v, distance to POT %.2g (previous eps %.2g)", eps, r.Converged, d, prev)
		}
		prev = d
		// Fixed point: X = Σ λ_k diag(1/b) P_k Y_k with P_k formed densely.
		k, dim := r.X.Dims()
		want := mat.NewDense(k, dim, nil)
		for i, y := range locs {
			geom, err := NewPointCloud(r.X, y, PointCloudOptions{Epsilon: eps})
			if err != nil {
				t.Fatal(err)
			}
			sr, err := Sinkhorn(geom, c.B, c.Masses[i], SinkhornOptions{Threshold: 1e-12, MaxIterations: 100000, ReferenceKernel: true})
			if err != nil {
				t.Fatal(err)
			}
			var py mat.Dense
			py.Mul(sr.Matrix(), y)
			for a := 0; a < k; a++ {
				for b := 0; b < dim; b++ {
					want.Set(a, b, want.At(a, b)+c.Weights[i]*py.At(a, b)/c.B[a])
				}
			}
		}
		if fd := maxAbsDiff(want.RawMatrix().Data, r.X.RawMatrix().Data); fd > 1e-7 {
			t.Errorf("eps %g: result moves by %.2g under one more step", eps, fd)
		}
	}
	if prev > 1e-5 {
		t.Errorf("eps 0.02: %.2g from POT's exact barycenter", prev)
	}
}

func TestFreeSupportBadInput(t *testing.T) {
	y := mat.NewDense(2, 2, []float64{0, 0, 1, 1})
	x0 := mat.NewDense(2, 2, []float64{0, 1, 1, 0})
	opt := FreeSupportBarycenterOptions{Epsilon: 0.1}
	for _, tc := range []struct {
		name, want string
		run        func() error
	}{
		{"no measures", "no input", func() error { _, err := FreeSupportBarycenter(nil, nil, x0, opt); return err }},
		{"nil xInit", "xInit is empty", func() error { _, err := FreeSupportBarycenter([]*mat.Dense{y}, nil, nil, opt); return err }},
		{"dimension", "mismatched supports", func() error {
			_, err := FreeSupportBarycenter([]*mat.Dense{mat.NewDense(2, 3, nil)}, nil, x0, opt)
			return err
		}},
		{"NaN", "non-finite", func() error {
			_, err := FreeSupportBarycenter([]*mat.Dense{mat.NewDense(1, 2, []float64{math.NaN(), 0})}, nil, x0, opt)
			return err
		}},
		{"masses count", "2 mass vectors for 1", func() error {
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, [][]float64{nil, nil}, x0, opt)
			return err
		}},
		{"negative", "negative", func() error {
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, [][]float64{{1.5, -0.5}}, x0, opt)
			return err
		}},
		{"zero mass", "zero total mass", func() error {
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, [][]float64{{0, 0}}, x0, opt)
			return err
		}},
		{"mass mismatch", "same mass", func() error {
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, [][]float64{{1, 1}}, x0, opt)
			return err
		}},
		{"B zero entry", "zero entry", func() error {
			o := opt
			o.B = []float64{1, 0}
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, [][]float64{{0.5, 0.5}}, x0, o)
			return err
		}},
		{"weights", "negative", func() error {
			o := opt
			o.Weights = []float64{-1}
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, nil, x0, o)
			return err
		}},
		{"epsilon", "Epsilon must be", func() error {
			o := opt
			o.Epsilon = math.NaN()
			_, err := FreeSupportBarycenter([]*mat.Dense{y}, nil, x0, o)
			return err
		}},
	} {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
