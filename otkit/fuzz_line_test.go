package otkit

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Fuzz targets for the exact 1-D transport and the sliced distance at
// extreme scales. Besides "finite result or ErrNumerical", they check the
// invariants the exact walk must keep: symmetry in the two samples,
// translation invariance (bit for bit when the shift is exact), scale
// covariance W_p(2^k·u, 2^k·v) = 2^k·W_p(u, v) (when the scaling is exact
// and the results fit in float64; otherwise the failing side must be the one
// float64 cannot hold), and for sliced directions invariance to their scale.

// fuzzOrders are the orders p the targets pick from (0.5 is invalid).
var fuzzOrders = [...]float64{1, 2, 1.5, 3, 0.5}

// scaledExactly returns 2^k·x and whether that is exact both ways: no value
// overflows, and no non-zero value is or becomes subnormal.
func scaledExactly(x []float64, k int) ([]float64, bool) {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Ldexp(v, k)
		if v == 0 {
			continue
		}
		if math.IsInf(out[i], 0) || math.Abs(v) < 0x1p-1022 || math.Abs(out[i]) < 0x1p-1022 {
			return nil, false
		}
	}
	return out, true
}

// shiftedExactly returns x + t and whether every sum is exact and finite.
func shiftedExactly(x []float64, t float64) ([]float64, bool) {
	out := make([]float64, len(x))
	for i, v := range x {
		s, e := twoSum(v, t)
		if e != 0 || math.IsInf(s, 0) || math.IsNaN(s) {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// fuzzWeights returns nil (uniform) or |values| (possibly invalid: NaN,
// Inf, all zero) and whether they are valid weights.
func fuzzWeights(use bool, vals []float64) ([]float64, bool) {
	if !use {
		return nil, true
	}
	w := make([]float64, len(vals))
	var mx float64
	for i, v := range vals {
		w[i] = math.Abs(v)
		if !isFinite(w[i]) {
			return w, false
		}
		mx = math.Max(mx, w[i])
	}
	return w, mx > 0
}

// closeRel reports |a − b| ≤ tol·max(|a|, |b|) (true for a = b).
func closeRel(a, b, tol float64) bool {
	return a == b || math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}

// normalRange reports that v is a normal float64 far from under- and
// overflow, where scaled comparisons are meaningful (a cost of 0 may be an
// underflow of a positive one).
func normalRange(v float64) bool {
	a := math.Abs(v)
	return a > 1e-290 && a < 1e290
}

func FuzzWasserstein1D(f *testing.F) {
	f.Add(uint8(2), uint8(2), uint8(1<<2), int16(3), 0.25, fuzzSeed(-1e200, 1e200, 1e200, -1e200))
	f.Add(uint8(3), uint8(2), uint8(0), int16(-7), 1.0, fuzzSeed(-1.5e308, 1.5e308, 0, 1.5e308, -1.5e308))
	f.Add(uint8(3), uint8(3), uint8(3|2<<2), int16(900), -3.0, fuzzSeed(0, 1e-300, 1e300, 5e-324, 1, -1, 1, 1e308, 1e-320, 2, 3, 4))
	f.Add(uint8(4), uint8(5), uint8(1|3<<2), int16(-1000), 0.0, fuzzSeed(0.1, 0.2, 0.3, 0.4, 1e6, -2, 0, 2, 7, 1e308, 1e308, 1, 5e-324))
	f.Add(uint8(1), uint8(1), uint8(4<<2), int16(0), 0.0, fuzzSeed(1, 2))
	f.Fuzz(func(t *testing.T, n, m, mode uint8, k16 int16, shift float64, data []byte) {
		n, m = 1+n%16, 1+m%16
		vals := floatsFrom(data, 64)
		all := fuzzTake(vals, 2*int(n)+2*int(m))
		u, v := all[:n], all[n:n+m]
		wu, okU := fuzzWeights(mode&1 != 0, all[n+m:2*n+m])
		wv, okV := fuzzWeights(mode&2 != 0, all[2*n+m:])
		p := fuzzOrders[int(mode>>2)%len(fuzzOrders)]
		valid := okU && okV && p >= 1 && allFinite(u) && allFinite(v)
		opt := Wasserstein1DOptions{P: p}

		r, err := Wasserstein1D(u, v, wu, wv, opt)
		checkW1DOutcome(t, "W(u, v)", r, err, valid)

		// Symmetry: the walk is the same with the samples swapped.
		rs, errs := Wasserstein1D(v, u, wv, wu, opt)
		checkW1DOutcome(t, "W(v, u)", rs, errs, valid)
		if (err == nil) != (errs == nil) {
			t.Fatalf("W(u, v) error %v, W(v, u) error %v", err, errs)
		}
		if err != nil {
			return
		}
		if rs.Cost != r.Cost || rs.Distance != r.Distance || !equalSlices(rs.GradU, r.GradV) || !equalSlices(rs.GradV, r.GradU) {
			t.Fatalf("not symmetric: W(u,v) = %v %v, W(v,u) = %v %v", r.Cost, r.Distance, rs.Cost, rs.Distance)
		}

		// Translation: an exact shift changes no distance and no order.
		if su, ok := shiftedExactly(u, shift); ok {
			if sv, ok := shiftedExactly(v, shift); ok {
				rt, errt := Wasserstein1D(su, sv, wu, wv, opt)
				if errt != nil || rt.Cost != r.Cost || rt.Distance != r.Distance || !equalSlices(rt.GradU, r.GradU) || !equalSlices(rt.GradV, r.GradV) {
					t.Fatalf("shift %g: %v (cost %v, want %v)", shift, errt, rt, r.Cost)
				}
			}
		}

		// Scale covariance under an exact power of two.
		k := int(k16) % 1100
		su, ok1 := scaledExactly(u, k)
		sv, ok2 := scaledExactly(v, k)
		if !ok1 || !ok2 {
			return
		}
		rk, errk := Wasserstein1D(su, sv, wu, wv, opt)
		if errk != nil {
			if !errors.Is(errk, ErrNumerical) {
				t.Fatalf("scaled by 2^%d: %v", k, errk)
			}
			// Only a result float64 cannot hold may fail.
			if w1dFits(r, k, p) {
				t.Fatalf("scaled by 2^%d: %v, but 2^k times the unscaled result (%v, %v) fits", k, errk, r.Cost, r.Distance)
			}
			return
		}
		checkW1DScaled(t, r, rk, k, p)
	})
}

// checkW1DOutcome: valid input gives a finite result or ErrNumerical,
// invalid input an error, and never both a result and an error.
func checkW1DOutcome(t *testing.T, what string, r *Wasserstein1DResult, err error, valid bool) {
	t.Helper()
	if err != nil {
		if r != nil {
			t.Fatalf("%s: error %v with a result", what, err)
		}
		if valid && !errors.Is(err, ErrNumerical) {
			t.Fatalf("%s: valid input rejected: %v", what, err)
		}
		return
	}
	if !valid {
		t.Fatalf("%s: invalid input accepted", what)
	}
	if !isFinite(r.Cost) || !isFinite(r.Distance) || r.Cost < 0 || r.Distance < 0 || !allFinite(r.GradU) || !allFinite(r.GradV) {
		t.Fatalf("%s: nil error with cost %v, distance %v, gradients %v %v", what, r.Cost, r.Distance, r.GradU, r.GradV)
	}
}

// w1dFits reports whether 2^k times r's distance (2^(kp) its cost,
// 2^(k(p−1)) its gradient) fits in float64.
func w1dFits(r *Wasserstein1DResult, k int, p float64) bool {
	return costFits(r.Distance, k, p) && gradFits(append(append([]float64{}, r.GradU...), r.GradV...), k, p)
}

// costFits reports whether W_p = 2^k·dist and W_p^p fit in float64, from
// the distance (the unscaled cost may have underflowed to 0); within 0.1 of
// the limit in log₂ counts as not fitting.
func costFits(dist float64, k int, p float64) bool {
	if dist == 0 {
		return true
	}
	l := math.Log2(dist) + float64(k)
	return l < 1023.9 && p*l < 1023.9
}

// gradFits reports whether the gradients g, times 2^(k(p−1)), fit.
func gradFits(g []float64, k int, p float64) bool {
	for _, v := range g {
		if v != 0 && (math.Log2(math.Abs(v))+float64(k)*(p-1)) >= 1023.9 {
			return false
		}
	}
	return true
}

// checkW1DScaled compares the result for 2^k·(u, v) with 2^k times r where
// both are in float64's normal range.
func checkW1DScaled(t *testing.T, r, rk *Wasserstein1DResult, k int, p float64) {
	t.Helper()
	// A zero on one side only is an underflow of the other's value.
	if r.Distance == 0 && math.Ldexp(rk.Distance, -k) != 0 || rk.Distance == 0 && math.Ldexp(r.Distance, k) != 0 {
		t.Fatalf("scaled by 2^%d: distance %v, unscaled %v", k, rk.Distance, r.Distance)
	}
	if want := math.Ldexp(r.Distance, k); normalRange(want) && normalRange(r.Distance) && !closeRel(rk.Distance, want, 1e-14) {
		t.Fatalf("scaled by 2^%d: distance %.17g, want %.17g", k, rk.Distance, want)
	}
	if want := pow2Scale(r.Cost, float64(k)*p); normalRange(want) && normalRange(r.Cost) && !closeRel(rk.Cost, want, 1e-13) {
		t.Fatalf("scaled by 2^%d: cost %.17g, want %.17g", k, rk.Cost, want)
	}
	// Gradients norm-wise: an entry that sums contributions of both signs
	// has an error relative to their size, not to the (cancelled) sum.
	checkGradScaled(t, k, p, append(append([]float64{}, r.GradU...), r.GradV...), append(append([]float64{}, rk.GradU...), rk.GradV...))
}

// checkGradScaled compares got with 2^(k(p−1))·g in the max norm.
func checkGradScaled(t *testing.T, k int, p float64, g, got []float64) {
	t.Helper()
	want := make([]float64, len(g))
	var scale, scale0 float64
	for i, v := range g {
		want[i] = pow2Scale(v, float64(k)*(p-1))
		scale = math.Max(scale, math.Abs(want[i]))
		scale0 = math.Max(scale0, math.Abs(v))
	}
	if !normalRange(scale) || !normalRange(scale0) {
		return // one side is (partly) subnormal or near overflow
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*scale {
			t.Fatalf("scaled by 2^%d: gradient %d is %.17g, want %.17g (largest %.3g)", k, i, got[i], want[i], scale)
		}
	}
}

func FuzzSlicedWasserstein(f *testing.F) {
	f.Add(uint8(2), uint8(2), uint8(2), uint8(0), int16(5), int16(600), fuzzSeed(1e200, 0, 0, 1e200, -1e200, 1, 2, 3, 1, 1))
	f.Add(uint8(2), uint8(3), uint8(2), uint8(1), int16(-3), int16(-650), fuzzSeed(1.5e308, -1.5e308, -1.5e308, 1.5e308, 0, 1e-300, 1e200, 1e200, 1e-200, 3e-200))
	f.Add(uint8(3), uint8(3), uint8(3), uint8(2|1<<3), int16(1000), int16(0), fuzzSeed(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0.5, 0.25))
	f.Add(uint8(1), uint8(4), uint8(1), uint8(1|2<<3), int16(-1000), int16(3), fuzzSeed(5e-324, 1e-310, 1, -1, 7))
	f.Fuzz(func(t *testing.T, n, m, d, mode uint8, k16, j16 int16, data []byte) {
		n, m, d = 1+n%6, 1+m%6, 1+d%3
		vals := floatsFrom(data, 64)
		all := fuzzTake(vals, (int(n)+int(m)+3)*int(d)+int(n)+int(m))
		nd, md := int(n)*int(d), int(m)*int(d)
		xs, ys, ds := all[:nd], all[nd:nd+md], all[nd+md:nd+md+3*int(d)]
		rest := all[nd+md+3*int(d):]
		a, okA := fuzzWeights(mode&4 != 0, rest[:n])
		b, okB := fuzzWeights(mode&4 != 0, rest[n:])
		p := fuzzOrders[int(mode>>3)%len(fuzzOrders)]
		opt := SlicedOptions{P: p, Projections: 3, Seed: uint64(k16)}
		dirsOK := true
		if mode&3 != 0 { // the caller's directions: 1 or 2 rows
			rows := 1 + int(mode&3)%2
			ds = ds[:rows*int(d)]
			opt.Directions = mat.NewDense(rows, int(d), ds)
			for r := 0; r < rows; r++ {
				row := ds[r*int(d) : (r+1)*int(d)]
				nz := false
				for _, v := range row {
					nz = nz || v != 0
				}
				dirsOK = dirsOK && nz && allFinite(row)
			}
		}
		valid := okA && okB && p >= 1 && allFinite(xs) && allFinite(ys) && dirsOK
		x, y := mat.NewDense(int(n), int(d), xs), mat.NewDense(int(m), int(d), ys)
		opt.Gradient = true

		r, err := SlicedWasserstein(x, y, a, b, opt)
		checkSlicedOutcome(t, "SW(x, y)", r, err, valid)
		rs, errs := SlicedWasserstein(y, x, b, a, opt)
		checkSlicedOutcome(t, "SW(y, x)", rs, errs, valid)
		if (err == nil) != (errs == nil) {
			t.Fatalf("SW(x, y) error %v, SW(y, x) error %v", err, errs)
		}
		if err != nil {
			return
		}
		if rs.Cost != r.Cost || rs.Distance != r.Distance || rs.MaxDistance != r.MaxDistance {
			t.Fatalf("not symmetric: %v %v %v against %v %v %v", r.Cost, r.Distance, r.MaxDistance, rs.Cost, rs.Distance, rs.MaxDistance)
		}

		// The caller's directions are normalised: scaling them by an exact
		// power of two (to 1e±200 and beyond) changes nothing.
		if opt.Directions != nil {
			if sd, ok := scaledExactly(ds, int(j16)%1100); ok {
				o2 := opt
				o2.Directions = mat.NewDense(len(sd)/int(d), int(d), sd)
				r2, err2 := SlicedWasserstein(x, y, a, b, o2)
				if err2 != nil || r2.Cost != r.Cost || r2.Distance != r.Distance || !mat.Equal(r2.GradX, r.GradX) {
					t.Fatalf("directions scaled by 2^%d: %v (%v, want %v)", int(j16)%1100, err2, r2, r.Cost)
				}
			}
		}

		// Scale covariance of the points under an exact power of two.
		k := int(k16) % 1100
		sx, ok1 := scaledExactly(xs, k)
		sy, ok2 := scaledExactly(ys, k)
		if !ok1 || !ok2 {
			return
		}
		rk, errk := SlicedWasserstein(mat.NewDense(int(n), int(d), sx), mat.NewDense(int(m), int(d), sy), a, b, opt)
		if errk != nil {
			if !errors.Is(errk, ErrNumerical) {
				t.Fatalf("scaled by 2^%d: %v", k, errk)
			}
			if slicedFits(r, k, p) {
				t.Fatalf("scaled by 2^%d: %v, but 2^k times the unscaled result (%v, %v) fits", k, errk, r.Cost, r.Distance)
			}
			return
		}
		for _, c := range []struct {
			what           string
			got, was, want float64
			tol            float64
		}{
			{"distance", rk.Distance, r.Distance, math.Ldexp(r.Distance, k), 1e-13},
			{"max distance", rk.MaxDistance, r.MaxDistance, math.Ldexp(r.MaxDistance, k), 1e-13},
			{"cost", rk.Cost, r.Cost, pow2Scale(r.Cost, float64(k)*p), 1e-12},
		} {
			// Only where neither side is subnormal or near overflow.
			if normalRange(c.want) && normalRange(c.was) && !closeRel(c.got, c.want, c.tol) {
				t.Fatalf("scaled by 2^%d: %s %.17g, want %.17g", k, c.what, c.got, c.want)
			}
		}
	})
}

// checkSlicedOutcome: valid input gives finite outputs or ErrNumerical,
// invalid input an error; MaxDistance is at least Distance.
func checkSlicedOutcome(t *testing.T, what string, r *SlicedResult, err error, valid bool) {
	t.Helper()
	if err != nil {
		if r != nil {
			t.Fatalf("%s: error %v with a result", what, err)
		}
		if valid && !errors.Is(err, ErrNumerical) {
			t.Fatalf("%s: valid input rejected: %v", what, err)
		}
		return
	}
	if !valid {
		t.Fatalf("%s: invalid input accepted", what)
	}
	if !isFinite(r.Cost) || !isFinite(r.Distance) || !isFinite(r.MaxDistance) || !allFinite(r.Projected) ||
		!allFinite(r.GradX.RawMatrix().Data) || !allFinite(r.GradY.RawMatrix().Data) {
		t.Fatalf("%s: nil error with cost %v, distance %v, max %v, projected %v", what, r.Cost, r.Distance, r.MaxDistance, r.Projected)
	}
	if r.MaxDistance < r.Distance*(1-1e-14) {
		t.Fatalf("%s: max-sliced %v below sliced %v", what, r.MaxDistance, r.Distance)
	}
	k, d := r.Directions.Dims()
	for i := 0; i < k; i++ {
		if nrm := mat.Norm(r.Directions.RowView(i), 2); math.Abs(nrm-1) > 1e-15*float64(d+1) {
			t.Fatalf("%s: direction %d has norm %v", what, i, nrm)
		}
	}
}

// slicedFits reports whether 2^k times r's distances (2^(kp) its costs)
// fit in float64.
func slicedFits(r *SlicedResult, k int, p float64) bool {
	if !costFits(r.MaxDistance, k, p) {
		return false
	}
	return gradFits(append(append([]float64{}, r.GradX.RawMatrix().Data...), r.GradY.RawMatrix().Data...), k, p)
}
