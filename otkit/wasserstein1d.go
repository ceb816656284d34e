package otkit

import (
	"errors"
	"fmt"
	"math"
)

// Wasserstein1DOptions configures Wasserstein1D. The zero value is POT's
// default ot.wasserstein_1d: p = 1.
type Wasserstein1DOptions struct {
	P float64 // order p ≥ 1; 0 → 1
}

// Wasserstein1DResult is the exact optimal transport between two weighted
// samples on the line with the cost |x − y|^p.
type Wasserstein1DResult struct {
	// Cost is W_p^p = ∫₀¹ |F_u⁻¹(q) − F_v⁻¹(q)|^p dq, the value POT's
	// ot.wasserstein_1d returns; Distance is W_p = Cost^(1/p).
	Cost, Distance float64
	// GradU and GradV are ∂Cost/∂u_i and ∂Cost/∂v_j (the plan held fixed,
	// which is the derivative wherever the sorted order is unique). For
	// p = 1 a pair at zero distance contributes 0 (a subgradient). The
	// gradient of Distance is Cost^(1/p − 1)/p times these.
	GradU, GradV []float64
}

// Wasserstein1D computes W_p between the samples u (weights uWeights, nil →
// uniform) and v (vWeights, nil → uniform) on the real line from their
// sorted quantile functions, in O((n+m) log(n+m)). Weights are normalised
// to probability vectors (POT assumes they already are). The quantile walk
// is exact up to the rounding of each term: cumulative weights are kept in
// double-double, no mass is dropped, and the cost is a compensated sum of
// distances scaled by a power of two, so far-apart samples do not overflow
// |x − y|^p and close ones do not underflow it.
//
// Empty samples, non-finite values, weights of the wrong length, negative
// or non-finite weights, zero mass and p < 1 are errors. A Cost, Distance or
// gradient that float64 cannot hold is an ErrNumerical error.
func Wasserstein1D(u, v, uWeights, vWeights []float64, opt Wasserstein1DOptions) (*Wasserstein1DResult, error) {
	p, err := resolveOrder(opt.P, 1)
	if err != nil {
		return nil, within("Wasserstein1D", err)
	}
	if len(u) == 0 || len(v) == 0 {
		return nil, errors.New("otkit: Wasserstein1D: empty sample")
	}
	for _, s := range []struct {
		name string
		x    []float64
	}{{"u", u}, {"v", v}} {
		for i, x := range s.x {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("otkit: Wasserstein1D: sample %s has a non-finite value %g at %d", s.name, x, i)
			}
		}
	}
	wu, err := checkLineWeights(uWeights, len(u), "u")
	if err != nil {
		return nil, within("Wasserstein1D", err)
	}
	wv, err := checkLineWeights(vWeights, len(v), "v")
	if err != nil {
		return nil, within("Wasserstein1D", err)
	}
	var w line1D
	res := &Wasserstein1DResult{GradU: make([]float64, len(u)), GradV: make([]float64, len(v))}
	lc := w.solve(u, v, wu, wv, p, 0, res.GradU, res.GradV)
	res.Cost, res.Distance = lc.cost(p), lc.distance(p)
	if err := lc.check(p, "Wasserstein1D", "the samples u and v"); err != nil {
		return nil, err
	}
	if !finiteVec(res.GradU) || !finiteVec(res.GradV) {
		return nil, numericalError("Wasserstein1D: the gradient overflows float64 (W_p = %g, order p = %g): rescale the samples u and v", res.Distance, p)
	}
	return res, nil
}

// resolveOrder checks the order p of a Wasserstein distance (0 → def).
func resolveOrder(p, def float64) (float64, error) {
	if p == 0 {
		p = def
	}
	if !(p >= 1) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("order P must be finite and at least 1, have %g", p)
	}
	return p, nil
}

// checkLineWeights checks weights (nil stays nil: uniform) and returns a copy
// multiplied by the power of two that brings the largest into [1/2, 1): the
// walk normalises by the total itself (exactly, in double-double), and the
// power of two keeps the total of weights near MaxFloat64 finite and that of
// subnormal weights precise without rounding any weight.
func checkLineWeights(w []float64, k int, name string) ([]float64, error) {
	if w == nil {
		return nil, nil
	}
	if len(w) != k {
		return nil, fmt.Errorf("weights %s have length %d, want %d", name, len(w), k)
	}
	var mx float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("weights %s have a non-finite entry %g at %d", name, v, i)
		}
		if v < 0 {
			return nil, fmt.Errorf("weights %s have a negative entry %g at %d", name, v, i)
		}
		if v > mx {
			mx = v
		}
	}
	if mx == 0 {
		return nil, fmt.Errorf("weights %s have zero total mass", name)
	}
	_, e := math.Frexp(mx)
	out := make([]float64, k)
	if e < -1000 { // subnormal weights: 2^-e itself would overflow
		for i, v := range w {
			out[i] = math.Ldexp(v, -e)
		}
		return out, nil
	}
	scale := math.Ldexp(1, -e) // exact: the products are below 1
	for i, v := range w {
		out[i] = v * scale
	}
	return out, nil
}

// lineCost is W_p^p = scaled · 2^(exp·p): the walk divides every distance
// by R = 2^exp, a power of two above the largest distance it has moved mass
// across (so the division is exact), and sums (|x − y|/R)^p. lost bounds
// (log₂ of W_p^p) the terms that underflowed even so, −Inf when none did: a
// zero scaled sum with a lost bound inside float64's range is an underflow of
// the terms themselves (masses near 1e-300, an order p in the thousands), not
// a cost below float64's range.
type lineCost struct {
	scaled float64
	exp    int
	lost   float64
}

// cost returns W_p^p (±Inf or 0 when float64 cannot hold it).
func (c lineCost) cost(p float64) float64 { return pow2Scale(c.scaled, float64(c.exp)*p) }

// distance returns W_p = R·scaled^(1/p), representable far beyond W_p^p.
func (c lineCost) distance(p float64) float64 {
	return math.Ldexp(math.Pow(c.scaled, 1/p), c.exp)
}

// log10Cost is log₁₀ W_p^p, for messages about a cost float64 cannot hold.
func (c lineCost) log10Cost(p float64) float64 {
	return math.Log10(c.scaled) + float64(c.exp)*p*math.Log10(2)
}

// check returns ErrNumerical when W_p^p or W_p does not fit in float64.
func (c lineCost) check(p float64, op, data string) error {
	// Below 2^-1075 in W_p, 0 is the correctly rounded distance.
	if c.scaled == 0 && c.lost/p >= -1075 {
		return numericalError("%s: every term (moved mass)·(|x − y|/R)^p underflows float64, R being the largest distance (order p = %g; a mass below ~1e-300 or p in the thousands): use a smaller p or drop the near-zero weights", op, p)
	}
	if d := c.distance(p); math.IsInf(d, 0) {
		return numericalError("%s: W_p is about 10^%.1f, beyond float64: rescale %s (divide them by 2^%d)", op, c.log10Cost(p)/p, data, c.exp)
	}
	if math.IsInf(c.cost(p), 0) {
		return numericalError("%s: W_p^p is about 10^%.1f, beyond float64 (W_p = %g): rescale %s (divide them by 2^%d)", op, c.log10Cost(p), c.distance(p), data, c.exp)
	}
	return nil
}

// pow2Scale returns x·2^e for a real exponent e: the integer part of e is
// applied exactly by Ldexp (so overflow happens only when the result does),
// the fraction by Exp2 to the mantissa of x (a subnormal x multiplied as is
// would round the product to its few bits).
func pow2Scale(x, e float64) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	m, ex := math.Frexp(x)
	e += float64(ex)
	switch {
	case e > 1e4:
		return math.Copysign(math.Inf(1), x)
	case e < -1e4:
		return math.Copysign(0, x)
	}
	fl := math.Floor(e)
	return math.Ldexp(m*math.Exp2(e-fl), int(fl))
}

// line1D holds the sorting buffers of one 1-D solve, reused across the
// projections of a sliced distance.
type line1D struct {
	sorter         floatSorter
	us, vs, wu, wv []float64
	pu, pv         []int32
	gu, gv         []float64
}

// solve returns W_p^p between u (weights wu) and v (wv), nil weights being
// uniform, and, when gu and gv are not nil, writes ∂/∂u_i and ∂/∂v_j into
// them (in the input order). The samples are taken as given times 2^shift
// (a sliced distance projects points scaled down by 2^shift when their
// projections would overflow): the returned exponent and the gradients are
// those of the unscaled samples.
func (w *line1D) solve(u, v, wu, wv []float64, p float64, shift int, gu, gv []float64) lineCost {
	n, m := len(u), len(v)
	w.us, w.pu = grow(w.us, n), grow(w.pu, n)
	w.vs, w.pv = grow(w.vs, m), grow(w.pv, m)
	w.sorter.sort(u, w.us, w.pu)
	w.sorter.sort(v, w.vs, w.pv)
	sortedWeights := func(buf, wt []float64, perm []int32) []float64 {
		if wt == nil {
			return nil
		}
		buf = grow(buf, len(perm))
		for k, i := range perm {
			buf[k] = wt[i]
		}
		return buf
	}
	su, sv := sortedWeights(w.wu, wu, w.pu), sortedWeights(w.wv, wv, w.pv)
	if su != nil {
		w.wu = su
	}
	if sv != nil {
		w.wv = sv
	}
	var gsu, gsv []float64
	if gu != nil {
		w.gu, w.gv = grow(w.gu, n), grow(w.gv, m)
		clear(w.gu)
		clear(w.gv)
		gsu, gsv = w.gu, w.gv
	}
	q := quantileWalk{us: w.us, vs: w.vs, wu: su, wv: sv, p: p, shift: shift, gu: gsu, gv: gsv}
	lc := q.run()
	if gu != nil {
		for k, i := range w.pu {
			gu[i] = gsu[k]
		}
		for k, j := range w.pv {
			gv[j] = gsv[k]
		}
	}
	return lc
}

// quantileWalk integrates |F_u⁻¹ − F_v⁻¹|^p over [0, 1] for sorted samples:
// on each interval (q, q'] between consecutive cumulative levels of the two
// samples both quantile functions are constant, at the first atom whose
// cumulative level reaches q' (POT's searchsorted rule).
//
// The levels are cumulative weights over the total, both in double-double
// (twoFloat), and the last atom of each sample has level exactly 1: the walk
// ends when both samples are exhausted and the last pair carries whatever
// mass remains, so no mass is dropped (a float64 running total of 10⁵
// weights is off by ~1e-12, enough to drop the farthest pair's share). The
// terms dq·(|x − y|/R)^p are added with compensation (neumaier); R = 2^exp
// grows, by powers of two, with the largest distance met (see lineCost).
// Terms that are tiny on that scale (a mass near 1e-300, a pair far closer
// than R) would underflow there: they are summed apart, as mantissa and
// exponent, on the scale of the largest of them (splitSum).
type quantileWalk struct {
	us, vs []float64 // sorted samples
	wu, wv []float64 // their weights in sorted order; nil → uniform
	p      float64
	shift  int       // the samples are the true ones times 2^-shift
	gu, gv []float64 // gradients in sorted order; nil → not computed

	exp  int      // R = 2^exp
	invR float64  // 2^-exp
	sum  neumaier // compensated Σ dq·(|x − y|/R)^p over the terms ≥ tinyTerm
	tiny splitSum // the other terms, in the units of the true samples
	lost float64  // log₂ of the largest term lost to underflow (true units)
}

// tinyTerm is the smallest term the walk adds on the scale of R: smaller
// ones have lost (or may lose) digits to gradual underflow.
const tinyTerm = 0x1p-960

// walkMinExp is the smallest exponent of R: 2^-walkMinExp must be finite,
// and distances below 2^walkMinExp (subnormal ones) are then scaled up
// exactly but not normalised.
const walkMinExp = -1022

func (q *quantileWalk) run() lineCost {
	q.lost = math.Inf(-1)
	q.setExp(walkMinExp)
	n, m := len(q.us), len(q.vs)
	tu, tv := q.total(q.wu, n), q.total(q.wv, m)
	one := twoFloat{1, 0}
	i, j := 0, 0
	cu, cv := twoFloat{atomWeight(q.wu, 0), 0}, twoFloat{atomWeight(q.wv, 0), 0}
	lu, lv := level(cu, tu, n == 1), level(cv, tv, m == 1)
	var at twoFloat // the level reached so far
	for {
		next := lu
		if lv.less(lu) {
			next = lv
		}
		if dq := next.sub(at).float(); dq > 0 {
			q.add(i, j, dq)
		}
		if !next.less(one) {
			return q.result(n + m)
		}
		at = next
		// Only an atom whose level is the one reached, and below 1, is
		// left: the last atom (level exactly 1) is never passed.
		if lu == next {
			i++
			cu = cu.addFloat(atomWeight(q.wu, i))
			lu = level(cu, tu, i == n-1)
		}
		if lv == next {
			j++
			cv = cv.addFloat(atomWeight(q.wv, j))
			lv = level(cv, tv, j == m-1)
		}
	}
}

// atomWeight is the weight of atom k (1 for uniform weights).
func atomWeight(w []float64, k int) float64 {
	if w == nil {
		return 1
	}
	return w[k]
}

// total is the sum of the k weights in double-double (exact for uniform).
func (q *quantileWalk) total(w []float64, k int) twoFloat {
	if w == nil {
		return twoFloat{float64(k), 0}
	}
	var t twoFloat
	for _, v := range w {
		t = t.addFloat(v)
	}
	return t
}

// level is cum/total, exactly 1 for the last atom.
func level(cum, total twoFloat, last bool) twoFloat {
	if last {
		return twoFloat{1, 0}
	}
	return cum.div(total)
}

// result combines the two sums into W_p^p = scaled·2^(exp·p) (terms is
// an upper bound on their number, for the bound on what was lost).
func (q *quantileWalk) result(terms int) lineCost {
	lost := q.lost + math.Log2(float64(terms))
	exp := q.exp + q.shift
	v := q.sum.sum()
	if !q.tiny.any {
		return lineCost{scaled: v, exp: exp, lost: lost}
	}
	t := q.tiny.sum.sum()
	if v != 0 { // the tiny terms on the scale of R (below 2^-1074 of it: negligible)
		return lineCost{scaled: v + pow2Scale(t, float64(q.tiny.e)-float64(exp)*q.p), exp: exp, lost: lost}
	}
	// Only tiny terms: choose the exponent so that scaled is in [1, 2^p).
	_, et := math.Frexp(t)
	e := int(math.Floor(float64(q.tiny.e+et-1) / q.p))
	return lineCost{scaled: pow2Scale(t, float64(q.tiny.e)-float64(e)*q.p), exp: e, lost: lost}
}

// setExp makes R = 2^e and rescales the running sum to it; a sum that would
// fall below tinyTerm on the new scale moves to the tiny terms instead.
func (q *quantileWalk) setExp(e int) {
	if old := q.sum.sum(); old != 0 {
		f := math.Exp2(float64(q.exp-e) * q.p) // exact for integer p
		if old*f < tinyTerm {
			m, eo := math.Frexp(old)
			q.tiny.add(m, float64(eo)+float64(q.exp+q.shift)*q.p)
			q.sum = neumaier{}
		} else {
			q.sum.s *= f
			q.sum.c *= f
		}
	}
	q.exp = e
	q.invR = math.Ldexp(1, -e)
}

// splitSum is a compensated sum of terms m·2^e (m in (0, 2), e real) on
// the scale of the largest: value = sum·2^e.
type splitSum struct {
	sum neumaier
	e   int
	any bool
}

func (s *splitSum) add(m, e float64) {
	fl := math.Floor(e)
	m *= math.Exp2(e - fl)
	ie := int(fl)
	if !s.any || ie > s.e {
		if s.any { // exact but for parts below 2^-1074 of the new term
			s.sum.s = math.Ldexp(s.sum.s, s.e-ie)
			s.sum.c = math.Ldexp(s.sum.c, s.e-ie)
		}
		s.e, s.any = ie, true
	}
	s.sum.add(math.Ldexp(m, ie-s.e))
}

// addTiny adds dq·|x − y|^p for a term below tinyTerm on the scale of R,
// as mantissa and exponent (ad is |x − y|, or half of it, in walk units).
func (q *quantileWalk) addTiny(ad float64, half bool, dq float64) {
	md, ed := math.Frexp(dq)
	ms, es := math.Frexp(ad)
	es += q.shift
	if half {
		es++
	}
	var pm float64
	switch q.p {
	case 1:
		pm = ms
	case 2:
		pm = ms * ms
	default:
		pm = math.Pow(ms, q.p) // ms ≥ 1/2: underflows only for p > 1000
	}
	if pm == 0 {
		q.lost = math.Max(q.lost, math.Log2(dq)+q.p*(math.Log2(ms)+float64(es)))
		return
	}
	q.tiny.add(md*pm, float64(ed)+float64(es)*q.p)
}

// add adds the mass dq moved from us[i] to vs[j].
func (q *quantileWalk) add(i, j int, dq float64) {
	x, y := q.us[i], q.vs[j]
	d := x - y
	ad := math.Abs(d)
	half := false
	if ad > math.MaxFloat64 { // x and y near ±MaxFloat64: halve them first
		ad, half = math.Abs(x*0.5-y*0.5), true
	}
	if ad == 0 {
		return // no cost, and a zero (sub)gradient
	}
	s := ad * q.invR // |x − y|/R < 1, exact unless it underflows
	if half {
		s *= 2
	}
	if s >= 1 { // a new largest distance: R = 2^e > |x − y|
		_, e := math.Frexp(ad)
		if half {
			e++
		}
		q.setExp(e)
		if s = ad * q.invR; half {
			s *= 2
		}
	}
	var term float64
	switch q.p {
	case 1:
		term = s
	case 2:
		term = s * s
	default:
		term = math.Pow(s, q.p)
	}
	if t := dq * term; t >= tinyTerm {
		q.sum.add(t)
	} else {
		q.addTiny(ad, half, dq)
	}
	if q.gu != nil {
		if g := q.gradTerm(ad, half, dq); g != 0 {
			g = math.Copysign(g, d)
			q.gu[i] += g
			q.gv[j] -= g
		}
	}
}

// gradTerm returns dq·p·|x − y|^(p−1), the pair's share of the gradient, in
// the units of the true samples; ad is |x − y| (half of it when half) in
// the walk's units. The slope is not taken from the scaled distance s: for
// pairs much closer than R, s^(p−1) underflows where |x − y|^(p−1) does not.
func (q *quantileWalk) gradTerm(ad float64, half bool, dq float64) float64 {
	if q.p == 1 {
		return dq
	}
	if !half && q.shift == 0 {
		var slope float64
		if q.p == 2 {
			slope = 2 * ad
		} else {
			slope = q.p * math.Pow(ad, q.p-1)
		}
		if !math.IsInf(slope, 0) {
			return dq * slope
		}
	}
	// |x − y|^(p−1) overflows (or the samples are scaled): raise the
	// mantissa and the exponent separately, so only an overflow of the
	// product itself gives ±Inf; dq is split too, as a subnormal mass times
	// the mantissas would round to its few bits.
	m, e := math.Frexp(ad)
	if half {
		e++
	}
	md, ed := math.Frexp(dq)
	ex := math.Max(-1e4, math.Min(1e4, float64(e+q.shift)*(q.p-1)))
	fl := math.Floor(ex)
	return math.Ldexp(md*q.p*math.Pow(m, q.p-1)*math.Exp2(ex-fl), int(fl)+ed)
}
