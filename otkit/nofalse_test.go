package otkit

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// TestNoFalseSuccess covers each class of false success found by issue 9:
// every extreme but legal input either returns an error wrapping the right
// sentinel and naming the fix, or a result that passes Check.
func TestNoFalseSuccess(t *testing.T) {
	cases := []struct {
		name  string
		x, y  []float64 // 1-d points
		geom  PointCloudOptions
		opt   SinkhornOptions
		is    error    // nil: a result that passes Check is fine
		words []string // the message must name these
	}{
		{"kernel mode underflow", []float64{0, 1}, []float64{3, 4}, PointCloudOptions{Epsilon: 1e-3},
			SinkhornOptions{KernelMode: true}, ErrNumerical, []string{"kernel mode", "eps = 0.001", "costs up to 16", "log domain"}},
		{"momentum overflow", []float64{1, 0.8, 0.1}, []float64{0.2, 0.2}, PointCloudOptions{Epsilon: 1e-4},
			SinkhornOptions{Momentum: 1.8}, ErrDiverged, []string{"momentum 1.8 diverged at iteration", "Momentum ≤ 1", "schedule"}},
		{"online rounding at tiny eps", []float64{0.1, 0.1, 0.1}, []float64{0.1}, PointCloudOptions{Epsilon: 1e-300, Online: true},
			SinkhornOptions{}, nil, nil},
		{"dense at tiny eps", []float64{0.1, 0.1, 0.1}, []float64{0.1}, PointCloudOptions{Epsilon: 1e-300},
			SinkhornOptions{}, nil, nil},
		{"online 2-d rounding at tiny eps", []float64{0.1, 0.3, 0.7, 0.2}, []float64{0.1, 0.3}, PointCloudOptions{Epsilon: 1e-200, Online: true},
			SinkhornOptions{}, nil, nil},
	}
	for _, c := range cases {
		x := mat.NewDense(len(c.x), 1, c.x)
		y := mat.NewDense(len(c.y), 1, c.y)
		if strings.Contains(c.name, "2-d") {
			x = mat.NewDense(len(c.x)/2, 2, c.x)
			y = mat.NewDense(len(c.y)/2, 2, c.y)
		}
		g, err := NewPointCloud(x, y, c.geom)
		if err != nil {
			t.Fatalf("%s: geometry: %v", c.name, err)
		}
		r, err := Sinkhorn(g, nil, nil, c.opt)
		t.Logf("%s: %v", c.name, err)
		if c.is != nil {
			if !errors.Is(err, c.is) {
				t.Errorf("%s: got error %v (result %v), want one wrapping %v", c.name, err, r != nil, c.is)
				continue
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not name %q", c.name, err, w)
				}
			}
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrNumerical) && !errors.Is(err, ErrDiverged) {
				t.Errorf("%s: error %v wraps no sentinel", c.name, err)
			}
			continue
		}
		if err := r.Check(); err != nil {
			t.Errorf("%s: returned a result that fails Check: %v", c.name, err)
		}
		if r.Converged {
			var s float64
			p := r.Matrix()
			for i := range p.RawMatrix().Data {
				s += p.RawMatrix().Data[i]
			}
			if pc := r.PrimalCost(); math.IsNaN(pc) || math.IsInf(pc, 0) || math.IsInf(s, 0) || math.Abs(s-r.TransportMass()) > 1e-9*s {
				t.Errorf("%s: converged with PrimalCost %g, ΣMatrix %g, TransportMass %g", c.name, pc, s, r.TransportMass())
			}
		}
	}
}

// TestHugeCoordinatesMessage: with coordinates near 1e150 the costs are
// 1e300 and 4e300 and C² overflows; the default epsilon must come from the
// real spread of the costs (not "all costs are equal"), and a solve there
// must either pass Check or name the cause.
func TestHugeCoordinatesMessage(t *testing.T) {
	x := mat.NewDense(2, 1, []float64{0, 1e150})
	y := mat.NewDense(2, 1, []float64{2e150, 1e150})
	for _, online := range []bool{false, true} {
		g, err := NewPointCloud(x, y, PointCloudOptions{Online: online})
		if err != nil {
			if strings.Contains(err.Error(), "all costs are equal") {
				t.Fatalf("online %v: wrong cause: %v", online, err)
			}
			t.Logf("online %v: %v", online, err)
			continue
		}
		// std of {4e300, 1e300, 1e300, 0} is 1.5e300.
		if e := g.Epsilon(); math.Abs(e-0.05*1.5e300) > 1e-12*e {
			t.Errorf("online %v: default eps %g, want %g", online, e, 0.05*1.5e300)
		}
		r, err := Sinkhorn(g, nil, nil, SinkhornOptions{})
		if err != nil {
			if !errors.Is(err, ErrNumerical) {
				t.Errorf("online %v: %v wraps no sentinel", online, err)
			}
			continue
		}
		if err := r.Check(); err != nil {
			t.Errorf("online %v: %v", online, err)
		}
	}
	// An epsilon whose inverse overflows is refused with the bound.
	_, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: 1e-310})
	if err == nil || !strings.Contains(err.Error(), "1/eps overflows") {
		t.Errorf("eps 1e-310: %v", err)
	}
}

// TestOnlineFastRoundingBound measures the one place where two paths use
// different cost arithmetic: the online squared-Euclidean fast kernel
// rearranges the norm form. Its reductions must stay within
// onlineCostRoundingBound (plus the rounding both kernels share, a few ulps
// of the potentials and outputs) of the reference kernel, which evaluates
// evalRow — the arithmetic of the stored matrix, Matrix and CostMatrix —
// and it must be used only where that bound is below 1e-10·eps.
func TestOnlineFastRoundingBound(t *testing.T) {
	for _, c := range []struct {
		d           int
		scale, off  float64
		eps         float64
		wantFast    bool
		scaleFactor float64
	}{
		{2, 1, 0, 0.05, true, 0},
		{3, 1, 5, 0.01, true, 0},
		{2, 100, 300, 1000, true, 0},
		{2, 1, 0, 1e-7, false, 0},
		{3, 1, 2, 1e-300, false, 0},
		{2, 10, 30, 0.01, true, 100},
	} {
		x := randCloud(101, 40, c.d, c.scale, c.off)
		y := randCloud(102, 33, c.d, c.scale, -c.off)
		g := mustCloud(t, x, y, PointCloudOptions{Epsilon: c.eps, Online: true, ScaleCost: c.scaleFactor})
		fast := fastKernelFor(g)
		if (fast != nil) != c.wantFast {
			t.Errorf("%+v: fast kernel used %v, want %v (bound %g)", c, fast != nil, c.wantFast, g.onlineCostRoundingBound())
		}
		if fast == nil {
			fast = lse.NewSqEuclidFast(g.x, g.y, g.nx, g.ny, g.n, g.m, g.d, g.invScale)
		}
		ref := g.referenceKernel()
		bound := g.onlineCostRoundingBound()
		// Potentials of the size of the costs, as in a solve.
		cmax := g.maxAbsCost()
		h := make([]float64, g.m)
		for j := range h {
			h[j] = cmax * (float64(j%5)/5 - 0.4)
		}
		got := make([]float64, g.n)
		want := make([]float64, g.n)
		eps := c.eps
		if !c.wantFast {
			eps = 1e3 * bound // the bound is checked where it can be measured
		}
		fast.RowLSE(got, h, eps)
		ref.RowLSE(want, h, eps)
		var worst float64
		for i := range got {
			shared := 8 * 0x1p-52 * (cmax + math.Abs(want[i]))
			d := math.Abs(got[i] - want[i])
			if d > bound+shared {
				t.Errorf("%+v: row %d: fast %.17g, reference %.17g: |Δ| = %g > bound %g + shared %g", c, i, got[i], want[i], d, bound, shared)
			}
			worst = math.Max(worst, d/(bound+shared))
		}
		t.Logf("d %d scale %g eps %g: bound %.3g, worst |Δ|/(bound+shared) %.3f", c.d, c.scale, eps, bound, worst)
	}
}

// TestOneCostArithmetic: the stored matrix, online rows, CostMatrix (dense
// and online), the reference LSE kernels and Matrix/PrimalCost see the same
// cost bits, for every built-in cost and with a scale factor; so at an eps
// where the fast online kernel is not used, dense and online solves agree
// bit for bit.
func TestOneCostArithmetic(t *testing.T) {
	x := randCloud(111, 7, 3, 2, 1)
	y := randCloud(112, 5, 3, 2, -1)
	for _, c := range []Cost{SqEuclidean{}, Euclidean{}} {
		for _, sc := range []float64{0, 3} {
			opt := PointCloudOptions{Cost: c, ScaleCost: sc, Epsilon: 1e-5}
			dense := mustCloud(t, x, y, opt)
			opt.Online = true
			online := mustCloud(t, x, y, opt)
			cd, co := dense.CostMatrix().RawMatrix().Data, online.CostMatrix().RawMatrix().Data
			row := make([]float64, 5)
			for i := 0; i < 7; i++ {
				online.evalRow(row, i)
				for j := range row {
					if math.Float64bits(cd[i*5+j]) != math.Float64bits(co[i*5+j]) || math.Float64bits(row[j]) != math.Float64bits(dense.cost[i*5+j]) {
						t.Fatalf("%T scale %g: C[%d,%d] dense %v, online %v, row %v", c, sc, i, j, cd[i*5+j], co[i*5+j], row[j])
					}
				}
			}
			if fastKernelFor(online) != nil {
				t.Fatalf("%T: fast online kernel used at eps 1e-5", c)
			}
			rd := mustSinkhorn(t, dense, nil, nil, SinkhornOptions{ReferenceKernel: true})
			ro := mustSinkhorn(t, online, nil, nil, SinkhornOptions{})
			if !equalSlices(rd.F, ro.F) || !equalSlices(rd.G, ro.G) || rd.PrimalCost() != ro.PrimalCost() ||
				!equalSlices(rd.Matrix().RawMatrix().Data, ro.Matrix().RawMatrix().Data) {
				t.Errorf("%T scale %g: dense and online solves differ", c, sc)
			}
			if err := ro.Check(); err != nil {
				t.Errorf("%T scale %g: %v", c, sc, err)
			}
		}
	}
}
