package otkit

import "math"

// twoFloat is an unevaluated sum hi + lo of two float64 with |lo| ≤ ulp(hi)/2
// (double-double): about 106 bits of precision. The 1-D quantile walk keeps
// its cumulative levels in it, so that a sum of 10⁶ weights is still exact to
// ~1e-32 and no mass is lost to the rounding of running totals.
type twoFloat struct{ hi, lo float64 }

// twoSum returns s = fl(a + b) and the exact rounding error e: a + b = s + e.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// quickTwoSum is twoSum for |a| ≥ |b| (or a = 0).
func quickTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return s, e
}

// addFloat returns x + b.
func (x twoFloat) addFloat(b float64) twoFloat {
	s, e := twoSum(x.hi, b)
	e += x.lo
	s, e = quickTwoSum(s, e)
	return twoFloat{s, e}
}

// add returns x + y; the result is exact to ~2⁻¹⁰⁶·max(|x|, |y|).
func (x twoFloat) add(y twoFloat) twoFloat {
	return x.sub(twoFloat{-y.hi, -y.lo})
}

// sub returns x − y; the result is exact to ~2⁻¹⁰⁶·max(|x|, |y|).
func (x twoFloat) sub(y twoFloat) twoFloat {
	s, e := twoSum(x.hi, -y.hi)
	f, g := twoSum(x.lo, -y.lo)
	e += f
	s, e = quickTwoSum(s, e)
	e += g
	s, e = quickTwoSum(s, e)
	return twoFloat{s, e}
}

// div returns x / y (y > 0) to about 2⁻¹⁰⁴ relative: one long division step
// whose remainder x − q·y is formed exactly with a fused multiply-add.
func (x twoFloat) div(y twoFloat) twoFloat {
	q := x.hi / y.hi
	ph := q * y.hi
	pl := math.FMA(q, y.hi, -ph) // q·y.hi = ph + pl exactly
	r := ((x.hi - ph) - pl) + x.lo - q*y.lo
	q2 := r / y.hi
	s, e := quickTwoSum(q, q2)
	return twoFloat{s, e}
}

// mul returns x·y to about 2⁻¹⁰⁴ relative: the product of the high parts
// exactly (fused multiply-add), the cross terms in float64 (x.lo·y.lo is
// below 2⁻¹⁰⁶ of the product).
func (x twoFloat) mul(y twoFloat) twoFloat {
	p := x.hi * y.hi
	e := math.FMA(x.hi, y.hi, -p)
	e += x.hi*y.lo + x.lo*y.hi
	s, e := quickTwoSum(p, e)
	return twoFloat{s, e}
}

// less reports x < y for normalised values.
func (x twoFloat) less(y twoFloat) bool {
	return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo
}

// float returns the nearest float64 (to within one rounding).
func (x twoFloat) float() float64 { return x.hi + x.lo }
