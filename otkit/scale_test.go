package otkit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Table tests for two defect classes of issue 19: results float64 cannot
// hold (ErrNumerical naming the fix, never ±Inf or NaN with a nil error),
// and input checks or results that depended on the units of the data.

// Overflow: each case's result is beyond float64, or its computation would
// overflow where the result does not (then it must succeed, finite).
func TestOverflowIsErrNumerical(t *testing.T) {
	huge := []float64{1.5e308, -1.5e308}
	cases := []struct {
		name string
		run  func() ([]float64, error) // the returned numbers
		fail bool                      // ErrNumerical expected
		fix  string                    // the advice the message must give
	}{
		{"W1D ±1e200, p = 2 (W_p^p = 4e400)", func() ([]float64, error) {
			r, err := Wasserstein1D([]float64{-1e200}, []float64{1e200}, nil, nil, Wasserstein1DOptions{P: 2})
			return w1dNumbers(r), err
		}, true, "rescale the samples"},
		{"W1D ±1e200, p = 1 (fits)", func() ([]float64, error) {
			r, err := Wasserstein1D([]float64{-1e200}, []float64{1e200}, nil, nil, Wasserstein1DOptions{P: 1})
			return w1dNumbers(r), err
		}, false, ""},
		{"W1D ±1.5e308, p = 1 (W_1 = 3e308)", func() ([]float64, error) {
			r, err := Wasserstein1D(huge[:1], huge[1:], nil, nil, Wasserstein1DOptions{P: 1})
			return w1dNumbers(r), err
		}, true, "rescale the samples"},
		{"W1D 1.5e308 against itself and 0 (distances overflow, W_1 fits)", func() ([]float64, error) {
			r, err := Wasserstein1D([]float64{1.5e308, 0}, []float64{-1.5e308, 1.5e308}, []float64{1, 1e-10}, []float64{1e-10, 1}, Wasserstein1DOptions{P: 1})
			return w1dNumbers(r), err
		}, false, ""},
		{"W1D 1e300, p = 1.5 (cost 1e450)", func() ([]float64, error) {
			r, err := Wasserstein1D([]float64{0}, []float64{1e300}, nil, nil, Wasserstein1DOptions{P: 1.5})
			return w1dNumbers(r), err
		}, true, "rescale the samples"},
		{"sliced at 1e200, p = 2", func() ([]float64, error) {
			r, err := SlicedWasserstein(mat.NewDense(1, 2, []float64{1e200, 1e200}), mat.NewDense(1, 2, []float64{-1e200, 0}), nil, nil, SlicedOptions{Seed: 1})
			return slicedNumbers(r), err
		}, true, "rescale the points"},
		{"sliced at ±1.5e308, p = 1, along (1, 0)", func() ([]float64, error) {
			r, err := SlicedWasserstein(mat.NewDense(1, 2, huge), mat.NewDense(1, 2, []float64{-1.5e308, 1.5e308}), nil, nil,
				SlicedOptions{P: 1, Directions: mat.NewDense(1, 2, []float64{1, 0})})
			return slicedNumbers(r), err
		}, true, "rescale the points"},
		{"sliced at ±1.5e308, p = 1, along (1, 1) (projections cancel)", func() ([]float64, error) {
			r, err := SlicedWasserstein(mat.NewDense(1, 2, huge), mat.NewDense(1, 2, []float64{-1.5e308, 1.5e308}), nil, nil,
				SlicedOptions{P: 1, Directions: mat.NewDense(1, 2, []float64{1, 1}), Gradient: true})
			return slicedNumbers(r), err
		}, false, ""},
		{"sliced at ±1.5e308, p = 1, random directions, with gradient", func() ([]float64, error) {
			r, err := SlicedWasserstein(mat.NewDense(2, 2, []float64{1.5e308, 1e308, -1e308, 0}), mat.NewDense(1, 2, []float64{1e307, -1e307}), nil, nil,
				SlicedOptions{P: 1, Seed: 4, Gradient: true})
			return slicedNumbers(r), err
		}, false, ""},
		{"EMD costs 1e308", func() ([]float64, error) {
			r, err := EMD(mat.NewDense(2, 2, []float64{1e308, -1e308, 7, 0}), nil, nil, EMDOptions{})
			return emdNumbers(r), err
		}, true, "rescale the costs"},
		{"EMD weights summing beyond float64", func() ([]float64, error) {
			r, err := EMD(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), []float64{1e308, 1e308}, []float64{1e308, 1e308}, EMDOptions{})
			return emdNumbers(r), err
		}, true, "rescale them"},
		{"Gaussian W2, means ±1e200", func() ([]float64, error) {
			g0, err0 := NewGaussian([]float64{1e200, 0}, mat.NewSymDense(2, []float64{1, 0, 0, 1}))
			g1, err1 := NewGaussian([]float64{-1e200, 0}, mat.NewSymDense(2, []float64{2, 0, 0, 1}))
			if err := errors.Join(err0, err1); err != nil {
				return nil, err
			}
			w, err := g0.W2(g1)
			if err != nil {
				return nil, err
			}
			return []float64{w}, nil
		}, true, "rescale the means"},
		{"Gaussian transport of a point at 1.5e308", func() ([]float64, error) {
			g0, err0 := NewGaussian([]float64{-1.5e308}, mat.NewSymDense(1, []float64{1}))
			g1, err1 := NewGaussian([]float64{1.5e308}, mat.NewSymDense(1, []float64{4}))
			if err := errors.Join(err0, err1); err != nil {
				return nil, err
			}
			y, err := g0.Transport(g1, mat.NewDense(1, 1, []float64{1e308}))
			if err != nil {
				return nil, err
			}
			return y.RawMatrix().Data, nil
		}, true, "rescale the points"},
		{"Symmetrize of entries near MaxFloat64", func() ([]float64, error) {
			sm, err := Symmetrize(mat.NewDense(2, 2, []float64{1.5e308, 1.7e308, 1.6e308, 1e308}))
			if err != nil {
				return nil, err
			}
			return sm.RawSymmetric().Data, nil
		}, false, ""},
		{"GW dissimilarities 1e200 (squares overflow)", func() ([]float64, error) {
			c := mat.NewDense(3, 3, []float64{0, 1e200, 2e200, 1e200, 0, 1e200, 2e200, 1e200, 0})
			r, err := EntropicGromovWasserstein(c, c, nil, nil, GromovOptions{Epsilon: 0.1, MaxIterations: 5})
			return gwNumbers(r), err
		}, true, "NormalizeDistances"},
		{"GW dissimilarities 1e200, normalised", func() ([]float64, error) {
			c := mat.NewDense(3, 3, []float64{0, 1e200, 2e200, 1e200, 0, 1e200, 2e200, 1e200, 0})
			r, err := EntropicGromovWasserstein(c, c, nil, nil, GromovOptions{Epsilon: 0.1, MaxIterations: 5, NormalizeDistances: true})
			return gwNumbers(r), err
		}, false, ""},
	}
	for _, c := range cases {
		nums, err := c.run()
		switch {
		case c.fail && !errors.Is(err, ErrNumerical):
			t.Errorf("%s: want ErrNumerical, have %v (numbers %v)", c.name, err, nums)
		case c.fail && !strings.Contains(err.Error(), c.fix):
			t.Errorf("%s: the message does not say %q: %v", c.name, c.fix, err)
		case c.fail && nums != nil:
			t.Errorf("%s: an error with a result", c.name)
		case !c.fail && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !c.fail && (len(nums) == 0 || !allFinite(nums)):
			t.Errorf("%s: nil error with numbers %v", c.name, nums)
		}
	}
}

func w1dNumbers(r *Wasserstein1DResult) []float64 {
	if r == nil {
		return nil
	}
	return append(append([]float64{r.Cost, r.Distance}, r.GradU...), r.GradV...)
}

func slicedNumbers(r *SlicedResult) []float64 {
	if r == nil {
		return nil
	}
	out := append([]float64{r.Cost, r.Distance, r.MaxDistance}, r.Projected...)
	if r.GradX != nil {
		out = append(append(out, r.GradX.RawMatrix().Data...), r.GradY.RawMatrix().Data...)
	}
	return out
}

func emdNumbers(r *EMDResult) []float64 {
	if r == nil {
		return nil
	}
	out := append(append([]float64{r.Cost}, r.F...), r.G...)
	for _, e := range r.Plan {
		out = append(out, e.Mass)
	}
	return out
}

func gwNumbers(r *GromovResult) []float64 {
	if r == nil {
		return nil
	}
	return append([]float64{r.Cost}, r.Coupling.RawMatrix().Data...)
}

// scales spans float64's range; the powers of ten round the data, the
// powers of two do not.
var scales = []float64{1e-200, 0x1p-600, 1e-100, 1e-13, 0x1p-40, 1, 0x1p40, 1e13, 1e100, 0x1p600, 1e200}

func scaled(x []float64, s float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * s
	}
	return out
}

// exactScale reports whether s is a power of two (scaling is then exact).
func exactScale(s float64) bool {
	m, _ := math.Frexp(s)
	return m == 0.5
}

// Scale covariance: the same 1-D and sliced problems at scales 1e-200 to
// 1e200 give the distance times the scale (bit for bit for powers of two),
// or, exactly when the scaled result does not fit in float64, ErrNumerical.
// Directions of norm 1e-200 to 1e200 are the same directions.
func TestScaleCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	u, v := make([]float64, 60), make([]float64, 45)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	for j := range v {
		v[j] = rng.NormFloat64() + 0.7
	}
	wu := lineWeights(rng, len(u), true)
	x, y := mat.NewDense(30, 3, nil), mat.NewDense(20, 3, nil)
	for _, m := range []*mat.Dense{x, y} {
		r, c := m.Dims()
		for i := 0; i < r; i++ {
			for k := 0; k < c; k++ {
				m.Set(i, k, rng.NormFloat64())
			}
		}
	}
	dirs := []float64{1, 2, -2, 0.5, 0, -1}
	for _, p := range []float64{1, 2, 1.5} {
		base, err := Wasserstein1D(u, v, wu, nil, Wasserstein1DOptions{P: p})
		if err != nil {
			t.Fatal(err)
		}
		sbase, err := SlicedWasserstein(x, y, nil, nil, SlicedOptions{P: p, Directions: mat.NewDense(2, 3, dirs)})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range scales {
			name := fmt.Sprintf("p = %g, scale %g", p, s)
			tol := 1e-13 // rounding the scaled data
			if exactScale(s) {
				tol = 0
			}
			r, err := Wasserstein1D(scaled(u, s), scaled(v, s), wu, nil, Wasserstein1DOptions{P: p})
			checkScaled(t, "W1D "+name, base.Distance, s, p, tol, err, func() float64 { return r.Distance }, func() float64 { return r.Cost })

			var sx, sy mat.Dense
			sx.Scale(s, x)
			sy.Scale(s, y)
			// Directions scaled by 1/s: 1e±200 norms must not matter.
			sr, err := SlicedWasserstein(&sx, &sy, nil, nil, SlicedOptions{P: p, Directions: mat.NewDense(2, 3, scaled(dirs, 1/s))})
			checkScaled(t, "sliced "+name, sbase.Distance, s, p, tol+1e-15, err, func() float64 { return sr.Distance }, func() float64 { return sr.Cost })
		}
	}
}

// checkScaled: ErrNumerical exactly when s·want or its p-th power does not
// fit; otherwise distance = s·want to tol and cost = distance^p.
func checkScaled(t *testing.T, name string, want, s, p, tol float64, err error, dist, cost func() float64) {
	t.Helper()
	lw := math.Log2(want * 1) // want is O(1) here
	l := lw + math.Log2(s)
	overflow := p*l >= 1024
	if overflow {
		if !errors.Is(err, ErrNumerical) || !strings.Contains(err.Error(), "rescale") {
			t.Errorf("%s: W_p^p ≈ 2^%.0f overflows: want ErrNumerical naming the fix, have %v", name, p*l, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if got := dist(); math.Abs(got-want*s) > tol*want*s {
		t.Errorf("%s: distance %.17g, want %.17g", name, got, want*s)
	}
	if c, w := cost(), math.Pow(want*s, p); w > 1e-300 && math.Abs(c-w) > (tol+1e-14)*w {
		t.Errorf("%s: cost %.17g, want %.17g", name, c, w)
	}
}

// Scale invariance of input checks: the GW symmetry decision, normalised GW
// and EMD plans do not depend on the units. Before, a matrix scaled by
// 1e-13 passed the symmetry check the same matrix failed, and was then
// solved as if symmetric.
func TestInputChecksScaleInvariant(t *testing.T) {
	sym := []float64{0, 1, 2, 1, 0, 1.5, 2, 1.5, 0}
	nearly := append([]float64(nil), sym...)
	nearly[1] *= 1 + 1e-14 // rounding-level asymmetry: accepted
	off := append([]float64(nil), sym...)
	off[1] *= 1 + 1e-6 // a real asymmetry: rejected
	// 2^-1040: subnormal entries keep 34 bits, enough to see 1e-6.
	for _, s := range append(scales, 1e-305, 1e305, 0x1p-1040) {
		for _, c := range []struct {
			name string
			c    []float64
			ok   bool
		}{{"symmetric", sym, true}, {"1e-14 asymmetric", nearly, true}, {"1e-6 asymmetric", off, false}} {
			err := checkSymmetric(mat.NewDense(3, 3, scaled(c.c, s)), "c1")
			if (err == nil) != c.ok {
				t.Errorf("%s ×%g: symmetric check says %v, want accepted = %v", c.name, s, err, c.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "(C + Cᵀ)/2") {
				t.Errorf("%s ×%g: the message does not give the fix: %v", c.name, s, err)
			}
		}
	}

	// Normalised GW: the same coupling, bit for bit, at every power-of-two
	// scale, including a subnormal largest entry (normalisation divides by
	// a power of two first). Powers of ten are left out: 30 mirror-descent
	// steps from a bᵀ amplify the 1e-16 rounding of the scaled entries to
	// ~1e-4 here, a property of the iteration, not of the checks.
	c2 := []float64{0, 3, 1, 2, 3, 0, 2, 1, 1, 2, 0, 1.5, 2, 1, 1.5, 0}
	opt := GromovOptions{Epsilon: 0.05, NormalizeDistances: true, MaxIterations: 30}
	base, err := EntropicGromovWasserstein(mat.NewDense(3, 3, sym), mat.NewDense(4, 4, c2), []float64{0.2, 0.3, 0.5}, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []float64{0x1p-1040, 0x1p-600, 0x1p-40, 0x1p40, 0x1p600, 0x1p1000} {
		r, err := EntropicGromovWasserstein(mat.NewDense(3, 3, scaled(sym, s)), mat.NewDense(4, 4, scaled(c2, s)), []float64{0.2, 0.3, 0.5}, nil, opt)
		if err != nil {
			t.Fatalf("GW ×%g: %v", s, err)
		}
		if !mat.Equal(r.Coupling, base.Coupling) || r.Cost != base.Cost {
			t.Errorf("GW ×%g: coupling or cost (%v, want %v) changed", s, r.Cost, base.Cost)
		}
	}

	// EMD: the same plan at every scale of the costs, the cost scaled.
	rng := rand.New(rand.NewPCG(4, 4))
	c, a, b := randomEMDProblem(rng, 9, 7, false)
	e0, err := EMD(mat.NewDense(9, 7, c), a, b, EMDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scales {
		e, err := EMD(mat.NewDense(9, 7, scaled(c, s)), a, b, EMDOptions{})
		if err != nil {
			t.Fatalf("EMD ×%g: %v", s, err)
		}
		same := len(e.Plan) == len(e0.Plan)
		for k := 0; same && k < len(e.Plan); k++ {
			same = e.Plan[k].I == e0.Plan[k].I && e.Plan[k].J == e0.Plan[k].J
		}
		if !same || math.Abs(e.Cost-e0.Cost*s) > 1e-13*math.Abs(e0.Cost*s) {
			t.Errorf("EMD ×%g: plan or cost changed (%v, want %v)", s, e.Cost, e0.Cost*s)
		}
	}
}
