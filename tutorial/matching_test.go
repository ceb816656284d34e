package tutorial

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

func pairwise(x *mat.Dense) []float64 {
	n, _ := x.Dims()
	var d []float64
	for i := range n {
		for k := i + 1; k < n; k++ {
			d = append(d, floats.Distance(x.RawRowView(i), x.RawRowView(k), 2))
		}
	}
	return d
}

func TestLiftedCopyIsAScaledIsometry(t *testing.T) {
	x := SpiralCloud(30, 1)
	y := LiftedCopy(x, 1, 2.5, 0.7)
	if r, c := y.Dims(); r != 30 || c != 3 {
		t.Fatalf("copy is %d×%d, want 30×3", r, c)
	}
	dx, dy := pairwise(x), pairwise(y)
	for i := range dx {
		if math.Abs(dy[i]-2.5*dx[i]) > 1e-12*(1+dy[i]) {
			t.Fatalf("pair %d: distance %v, want 2.5 × %v", i, dy[i], dx[i])
		}
	}
	// Really 3-D: the third coordinate varies.
	if z := mat.Col(nil, 2, y); floats.Max(z)-floats.Min(z) < 0.5 {
		t.Errorf("third coordinate spans only %v", floats.Max(z)-floats.Min(z))
	}
}

func TestMatches(t *testing.T) {
	tm := mat.NewDense(3, 3, []float64{0.2, 0.1, 0, 0, 0.05, 0.3, 0.1, 0.2, 0.05})
	m := Matches(tm)
	if m[0] != 0 || m[1] != 2 || m[2] != 1 {
		t.Fatalf("matches %v, want [0 2 1]", m)
	}
	f, err := MatchFraction(m, []int{0, 1, 2})
	if err != nil || math.Abs(f-1.0/3) > 1e-15 {
		t.Fatalf("fraction %v, %v; want 1/3", f, err)
	}
	if _, err := MatchFraction(m, []int{0}); err == nil {
		t.Error("length mismatch: no error")
	}
}

func TestPlaneViewKeepsShape(t *testing.T) {
	x := SpiralCloud(40, 2)
	y := LiftedCopy(x, 0.4, 3, 0.9)
	truth := make([]int, 40)
	for i := range truth {
		truth[i] = i
	}
	v, err := PlaneView(y, x, truth)
	if err != nil {
		t.Fatal(err)
	}
	// With the true matching, the drawing is x shifted right by one constant.
	dx0 := v.At(0, 0) - x.At(0, 0)
	for i := range 40 {
		if math.Abs(v.At(i, 0)-x.At(i, 0)-dx0) > 1e-9 || math.Abs(v.At(i, 1)-v.At(0, 1)-(x.At(i, 1)-x.At(0, 1))) > 1e-9 {
			t.Fatalf("point %d is not x's point %d shifted", i, i)
		}
	}
	if _, err := PlaneView(y, x, []int{1}); err == nil {
		t.Error("wrong number of matches: no error")
	}
	v, err = PlaneView(y, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Distance ratios are kept: the drawing is x's shape at x's scale.
	dx, dv := pairwise(x), pairwise(v)
	ratio := dv[0] / dx[0]
	for i := range dx {
		if math.Abs(dv[i]-ratio*dx[i]) > 1e-9*(1+dv[i]) {
			t.Fatalf("pair %d: ratio %v, pair 0 %v", i, dv[i]/dx[i], ratio)
		}
	}
	if math.Abs(ratio-1) > 1e-9 {
		t.Errorf("scale %v, want x's (1)", ratio)
	}
	// Drawn to the right of x.
	if floats.Min(mat.Col(nil, 0, v)) <= floats.Max(mat.Col(nil, 0, x)) {
		t.Error("the drawing overlaps x")
	}
	if _, err := PlaneView(mat.NewDense(2, 3, nil), x, nil); err == nil {
		t.Error("two points: no error")
	}
}

func TestSortByFirst(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{3, 0, 1, 1, 2, 2})
	s := SortByFirst(x)
	want := mat.NewDense(3, 2, []float64{1, 1, 2, 2, 3, 0})
	if !mat.Equal(s, want) {
		t.Fatalf("sorted %v", mat.Formatted(s))
	}
}

func TestMarginalError(t *testing.T) {
	x, y := UniformClouds(50, 1)
	g, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	r, err := otkit.Sinkhorn(g, nil, nil, otkit.SinkhornOptions{Threshold: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	if e := MarginalError(r); !(e >= 0 && e < 1e-7) {
		t.Errorf("converged solve: marginal error %v", e)
	}
	r1, err := otkit.Sinkhorn(g, nil, nil, otkit.SinkhornOptions{MaxIterations: 1, InnerIterations: 1})
	if err != nil && r1 == nil {
		t.Fatal(err)
	}
	if e := MarginalError(r1); e < 1e-4 {
		t.Errorf("one iteration: marginal error %v, want visibly positive", e)
	}
}
