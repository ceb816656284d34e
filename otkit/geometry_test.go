package otkit

import (
	"math"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestGeometryDefaultEpsilon(t *testing.T) {
	x := randCloud(61, 8, 3, 1, 0)
	y := randCloud(62, 5, 3, 2, 1)
	for _, online := range []bool{false, true} {
		g := mustCloud(t, x, y, PointCloudOptions{Online: online})
		c := g.CostMatrix()
		var s, s2 float64
		for i := 0; i < 8; i++ {
			for j := 0; j < 5; j++ {
				v := c.At(i, j)
				s += v
				s2 += v * v
			}
		}
		mean := s / 40
		std := math.Sqrt(s2/40 - mean*mean)
		if math.Abs(g.Epsilon()-0.05*std) > 1e-14 {
			t.Fatalf("default eps %v, want %v", g.Epsilon(), 0.05*std)
		}
		g = mustCloud(t, x, y, PointCloudOptions{Online: online, RelativeEpsilon: "mean"})
		if math.Abs(g.Epsilon()-0.05*mean) > 1e-14 {
			t.Fatalf("relative mean eps %v, want %v", g.Epsilon(), 0.05*mean)
		}
		g = mustCloud(t, x, y, PointCloudOptions{Online: online, RelativeEpsilon: "std", Epsilon: 0.2})
		if math.Abs(g.Epsilon()-0.2*std) > 1e-14 {
			t.Fatalf("relative std eps %v, want %v", g.Epsilon(), 0.2*std)
		}
		g = mustCloud(t, x, y, PointCloudOptions{Online: online, Epsilon: 0.7})
		if g.Epsilon() != 0.7 {
			t.Fatal("explicit eps")
		}
	}
}

func TestGeometryCosts(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{0, 0, 1, 2})
	y := mat.NewDense(3, 2, []float64{1, 0, 1, 2, -1, -1})
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 1})
	want := []float64{1, 5, 2, 4, 0, 13}
	if !equalSlices(g.CostMatrix().RawMatrix().Data, want) {
		t.Fatalf("SqEuclidean costs %v, want %v", g.CostMatrix().RawMatrix().Data, want)
	}
	g = mustCloud(t, x, y, PointCloudOptions{Epsilon: 1, Cost: Euclidean{}})
	for k, v := range g.CostMatrix().RawMatrix().Data {
		if math.Abs(v-math.Sqrt(want[k])) > 1e-15 {
			t.Fatalf("Euclidean cost %d: %v", k, v)
		}
	}
	// Norm form: not clamped, so it can come out negative by rounding, as OTT.
	p := []float64{0.1, 0.2, 0.3}
	q := []float64{0.1, 0.2, 0.3 + 1e-9}
	var se SqEuclidean
	if v := se.Cost(p, p); v != 0 {
		t.Logf("c(p, p) = %g", v)
	}
	if got, exact := se.Cost(p, q), 1e-18; got == exact {
		t.Fatal("norm form should lose the tiny difference to rounding")
	}
	n, m := g.Shape()
	if n != 2 || m != 3 || g.X().At(1, 1) != 2 || g.Y().At(2, 0) != -1 || g.Symmetric() {
		t.Fatal("accessors")
	}
	if _, ok := g.Cost().(Euclidean); !ok {
		t.Fatal("Cost()")
	}
	if !mustCloud(t, x, nil, PointCloudOptions{Epsilon: 1}).Symmetric() || !mustCloud(t, x, x, PointCloudOptions{Epsilon: 1}).Symmetric() {
		t.Fatal("Symmetric")
	}
	gm, err := NewGeometry(mat.NewDense(1, 2, []float64{1, 2}), GeometryOptions{Epsilon: 1})
	if err != nil || gm.X() != nil || gm.Y() != nil || gm.Cost() != nil {
		t.Fatal("cost-matrix geometry accessors")
	}
}

func TestGeometryScaleRules(t *testing.T) {
	x := randCloud(63, 5, 2, 1, 0)
	y := randCloud(64, 4, 2, 1, 2)
	raw := mustCloud(t, x, y, PointCloudOptions{Epsilon: 1}).CostMatrix().RawMatrix().Data
	vals := append([]float64(nil), raw...)
	sort.Float64s(vals)
	var mean float64
	for _, v := range raw {
		mean += v / float64(len(raw))
	}
	var mx, my float64
	for i := 0; i < 5; i++ {
		mx = math.Max(mx, SqEuclidean{}.Norm(x.RawRowView(i)))
	}
	for j := 0; j < 4; j++ {
		my = math.Max(my, SqEuclidean{}.Norm(y.RawRowView(j)))
	}
	want := map[string]float64{
		"mean":      mean,
		"median":    0.5 * (vals[9] + vals[10]),
		"max_cost":  vals[19],
		"max_norm":  math.Max(mx, my),
		"max_bound": mx + my + 2*math.Sqrt(mx*my),
	}
	for rule, f := range want {
		for _, online := range []bool{false, true} {
			g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 1, ScaleCostRule: rule, Online: online})
			if math.Abs(g.ScaleFactor()-f) > 1e-12*f {
				t.Fatalf("%s: factor %v want %v", rule, g.ScaleFactor(), f)
			}
			c := g.CostMatrix().RawMatrix().Data
			for k := range c {
				if math.Abs(c[k]-raw[k]/f) > 1e-14 {
					t.Fatalf("%s: scaled cost %v want %v", rule, c[k], raw[k]/f)
				}
			}
		}
	}
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 1, ScaleCost: 4})
	if g.CostMatrix().At(0, 0) != raw[0]*0.25 {
		t.Fatal("constant scale")
	}
	for _, rule := range []string{"mean", "median", "max_cost"} {
		gm, err := NewGeometry(mat.NewDense(2, 10, raw[:20]), GeometryOptions{Epsilon: 1, ScaleCostRule: rule})
		if err != nil || math.Abs(gm.ScaleFactor()-want[rule]) > 1e-12*want[rule] {
			t.Fatalf("cost-matrix %s: %v %v", rule, gm.ScaleFactor(), err)
		}
	}
}

func TestGeometrySchedule(t *testing.T) {
	g := mustCloud(t, randCloud(65, 3, 2, 1, 0), nil, PointCloudOptions{Epsilon: 0.1, Schedule: EpsilonSchedule{Init: 10, Decay: 0.5}})
	for _, c := range []struct {
		t    int
		want float64
	}{{0, 1}, {1, 0.5}, {3, 0.125}, {4, 0.1}, {50, 0.1}} {
		if got := g.epsAt(c.t); math.Abs(got-c.want) > 1e-15 {
			t.Fatalf("eps_%d = %v want %v", c.t, got, c.want)
		}
	}
	if g.Epsilon() != 0.1 {
		t.Fatal("target eps")
	}
}

func TestGeometryValidation(t *testing.T) {
	good := randCloud(66, 4, 2, 1, 0)
	nan := mat.DenseCopyOf(good)
	nan.Set(2, 1, math.NaN())
	inf := mat.DenseCopyOf(good)
	inf.Set(0, 0, math.Inf(1))
	huge := mat.NewDense(2, 2, []float64{1e200, 0, 0, 1})
	bures := mat.NewDense(2, 6, []float64{0, 0, 1, 0, 0, 1, 1, 1, 2, 0.5, 0.5, 1})
	asym := mat.NewDense(1, 6, []float64{0, 0, 1, 0.2, 0.1, 1})
	indef := mat.NewDense(1, 6, []float64{0, 0, 1, 2, 2, 1})
	cases := []struct {
		name string
		x, y *mat.Dense
		opt  PointCloudOptions
		want string
	}{
		{"nil x", nil, nil, PointCloudOptions{}, "empty"},
		{"empty x", &mat.Dense{}, nil, PointCloudOptions{}, "empty"},
		{"dims", good, randCloud(1, 3, 3, 1, 0), PointCloudOptions{}, "dimension mismatch"},
		{"nan x", nan, nil, PointCloudOptions{}, "non-finite"},
		{"inf y", good, inf, PointCloudOptions{}, "non-finite"},
		{"overflow", huge, nil, PointCloudOptions{}, "cost is not finite"},
		{"neg eps", good, nil, PointCloudOptions{Epsilon: -1}, "Epsilon"},
		{"nan eps", good, nil, PointCloudOptions{Epsilon: math.NaN()}, "Epsilon"},
		{"rel", good, nil, PointCloudOptions{RelativeEpsilon: "max"}, "RelativeEpsilon"},
		{"scale", good, nil, PointCloudOptions{ScaleCost: -2}, "ScaleCost"},
		{"rule", good, nil, PointCloudOptions{ScaleCostRule: "std"}, "unknown ScaleCostRule"},
		{"both", good, nil, PointCloudOptions{ScaleCost: 2, ScaleCostRule: "mean"}, "not both"},
		{"bound", mat.NewDense(2, 2, []float64{0, 1, 1, 2}), nil, PointCloudOptions{ScaleCostRule: "max_bound", Cost: Bures{Dim: 1}}, "SqEuclidean"},
		{"norm", good, nil, PointCloudOptions{ScaleCostRule: "max_norm", Cost: Euclidean{}}, "Norm"},
		{"decay", good, nil, PointCloudOptions{Schedule: EpsilonSchedule{Decay: 1.5}}, "Decay"},
		{"init", good, nil, PointCloudOptions{Schedule: EpsilonSchedule{Init: -1}}, "Init"},
		{"bures dim", good, nil, PointCloudOptions{Cost: Bures{Dim: 2}}, "d+d²"},
		{"bures zero dim", bures, nil, PointCloudOptions{Cost: Bures{}}, "Dim"},
		{"bures asym", asym, bures, PointCloudOptions{Cost: Bures{Dim: 2}}, "not symmetric"},
		{"bures indef", bures, indef, PointCloudOptions{Cost: Bures{Dim: 2}}, "positive semidefinite"},
		{"user NaN", good, nil, PointCloudOptions{Cost: nanCost{}}, "cost is not finite"},
		{"same points", mat.NewDense(2, 1, []float64{1, 1}), nil, PointCloudOptions{}, "all costs are equal"},
		{"zero mean", mat.NewDense(1, 1, []float64{1}), nil, PointCloudOptions{RelativeEpsilon: "mean"}, "not positive"},
		{"zero mean scale", mat.NewDense(1, 1, []float64{1}), nil, PointCloudOptions{ScaleCostRule: "mean"}, "positive"},
	}
	for _, c := range cases {
		_, err := NewPointCloud(c.x, c.y, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := NewPointCloud(bures, nil, PointCloudOptions{Cost: Bures{Dim: 2}}); err != nil {
		t.Errorf("valid Bures points rejected: %v", err)
	}
	mcases := []struct {
		name string
		c    *mat.Dense
		opt  GeometryOptions
		want string
	}{
		{"nil", nil, GeometryOptions{}, "empty"},
		{"nan", mat.NewDense(1, 2, []float64{1, math.NaN()}), GeometryOptions{Epsilon: 1}, "non-finite"},
		{"inf", mat.NewDense(1, 2, []float64{1, math.Inf(-1)}), GeometryOptions{Epsilon: 1}, "non-finite"},
		{"max_norm", mat.NewDense(1, 2, []float64{1, 2}), GeometryOptions{ScaleCostRule: "max_norm"}, "point cloud"},
		{"eps", mat.NewDense(1, 2, []float64{1, 2}), GeometryOptions{Epsilon: math.Inf(1)}, "Epsilon"},
	}
	for _, c := range mcases {
		_, err := NewGeometry(c.c, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

type nanCost struct{}

func (nanCost) Cost(x, y []float64) float64 { return math.NaN() }
