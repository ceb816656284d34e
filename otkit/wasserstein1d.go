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
// across (so the division is exact), and sums dq·(|x − y|/R)^p; terms tiny
// on that scale are summed apart as mantissa and exponent and folded in
// (quantileWalk.result), so neither far samples overflow nor close ones or
// tiny masses underflow. What is still lost is the p-th power of a mantissa
// in [1/2, 1) for an order p in the thousands: lost bounds it (log₂ of
// W_p^p), −Inf when nothing was lost; a zero scaled sum with lost inside
// float64's range is that failure, not a cost below float64's range.
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
		return numericalError("%s: every term (moved mass)·|x − y|^p underflows float64 even split into mantissa and exponent (order p = %g is too large): use a smaller p", op, p)
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
// The levels are exact (walkLevels: integers for uniform weights,
// double-double otherwise) and the last atom of each sample has level
// exactly 1: the walk ends when both samples are exhausted and the last
// pair carries whatever mass remains, so no mass is dropped. The terms
// dq·(|x − y|/R)^p are added with compensation (neumaier); R = 2^exp
// grows, by powers of two, with the largest distance met (see lineCost).
// Terms that are tiny on that scale (a mass near 1e-300, a pair far closer
// than R) would underflow there: they are summed apart, as mantissa and
// exponent, on the scale of the largest of them (splitSum). The limit left
// is the levels' resolution, ~2^-106: a mass is exact to rounding when it is
// a whole atom (its weight over the total, see mass), but a piece of an atom
// cut by the other sample's level is a difference of two levels, off by up
// to ~1e-32 of the total, which matters only when weights span more than
// 1e-30 and the cut piece is the one moved farthest (uniform weights have
// no such limit: every mass is rounded once).
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
	var l walkLevels
	l.start(q.wu, q.wv, n, m)
	i, j := 0, 0
	for {
		var dq float64
		var endU, endV bool
		if l.integer {
			dq, endU, endV = l.pieceInt()
		} else {
			dq, endU, endV = l.pieceFloat(i, j)
		}
		if dq > 0 {
			q.add(i, j, dq)
		}
		// The walk ends on the last atoms, not at level 1: the level of
		// atoms before the last may round to 1 when the weights after them
		// are below 2^-106 of the total, and their mass is not dropped.
		if i == n-1 && j == m-1 {
			return q.result(n + m)
		}
		// An atom whose level is the one reached is left (the other sample
		// can only be on its last atom, level exactly 1, when it is not).
		if endU && i < n-1 {
			i++
			l.enterU(i)
		}
		if endV && j < m-1 {
			j++
			l.enterV(j)
		}
	}
}

// walkLevels holds the cumulative levels of the walk's current atoms and
// the level reached, in one of two exact representations.
//
// Uniform weights (both nil) with n·m ≤ 2^53 use integers: the levels i/n
// and j/m are i·m and j·n in units of 1/(n·m), compared exactly, and a
// piece's mass is an integer count over n·m, both exact in float64, so it
// is rounded once: cheaper than double-double levels (their long division
// per atom was a quarter of a sliced distance's walk) and exact where
// those round each cut piece more than once.
//
// Otherwise the levels are cumulative weights over the total, both in
// double-double (twoFloat), and the last atom of each sample has level
// exactly 1 (a float64 running total of 10⁵ weights is off by ~1e-12,
// enough to drop the farthest pair's share). A level is the cumulative
// weight times the total's reciprocal (both double-double: a long division
// per atom was a quarter of the weighted walk's time), clamped to 1: the
// product may round a level before the last slightly above 1, and the walk,
// which leaves an atom only at its level, would never leave it.
type walkLevels struct {
	integer bool

	// Integer levels: kat reached, ku and kv the ends of the current atoms.
	kat, ku, kv int64
	km, kn      int64   // the steps of ku (m) and kv (n)
	nm          float64 // n·m, the unit's inverse

	// Double-double levels: at reached, su and sv where the current atoms
	// start, lu and lv where they end; cu and cv the cumulative weights,
	// tuF and tvF the totals rounded to float64.
	at, su, sv, lu, lv twoFloat
	cu, cv, iu, iv     twoFloat // iu, iv: the totals' reciprocals
	tuF, tvF           float64
	wu, wv             []float64 // nil → uniform
	n, m               int
}

// start sets the levels of the first atoms of samples of n and m atoms
// with weights wu and wv (nil → uniform).
func (l *walkLevels) start(wu, wv []float64, n, m int) {
	if wu == nil && wv == nil && n <= (1<<53)/m {
		l.integer = true
		l.km, l.kn = int64(m), int64(n)
		l.ku, l.kv = l.km, l.kn
		l.nm = float64(n) * float64(m)
		return
	}
	l.wu, l.wv, l.n, l.m = wu, wv, n, m
	tu, tv := lineTotal(wu, n), lineTotal(wv, m)
	l.tuF, l.tvF = tu.float(), tv.float()
	one := twoFloat{1, 0}
	l.iu, l.iv = one.div(tu), one.div(tv)
	l.cu, l.cv = twoFloat{atomWeight(wu, 0), 0}, twoFloat{atomWeight(wv, 0), 0}
	l.lu, l.lv = level(l.cu, l.iu, n == 1), level(l.cv, l.iv, m == 1)
}

// pieceInt and pieceFloat return the mass of the next piece, from the
// level reached to the lower end of the current atoms i and j, and whether
// it is u's or v's end (or both); the level reached moves there. They are
// two methods, chosen in the walk, so that the integer one is inlined.
func (l *walkLevels) pieceInt() (dq float64, endU, endV bool) {
	next := min(l.ku, l.kv)
	dq = float64(next-l.kat) / l.nm
	l.kat = next
	return dq, l.ku == next, l.kv == next
}

func (l *walkLevels) pieceFloat(i, j int) (dq float64, endU, endV bool) {
	next := l.lu
	if l.lv.less(l.lu) {
		next = l.lv
	}
	dq = l.mass(next, i, j)
	l.at = next
	return dq, l.lu == next, l.lv == next
}

// enterU moves u to its atom i, which starts at the level reached.
func (l *walkLevels) enterU(i int) {
	if !l.integer {
		l.enterUFloat(i)
		return
	}
	l.ku += l.km
}

func (l *walkLevels) enterUFloat(i int) {
	l.cu = l.cu.addFloat(atomWeight(l.wu, i))
	l.su, l.lu = l.at, level(l.cu, l.iu, i == l.n-1)
}

// enterV moves v to its atom j, which starts at the level reached.
func (l *walkLevels) enterV(j int) {
	if !l.integer {
		l.enterVFloat(j)
		return
	}
	l.kv += l.kn
}

func (l *walkLevels) enterVFloat(j int) {
	l.cv = l.cv.addFloat(atomWeight(l.wv, j))
	l.sv, l.lv = l.at, level(l.cv, l.iv, j == l.m-1)
}

// mass returns the double-double walk's mass on (at, next] from u's atom i
// (levels su to lu) to v's atom j (sv to lv). A whole atom's mass is its
// weight over the total: as a difference of two levels near 1/2 it would
// keep only ~1e-32, nothing of a weight of 1e-40 (a far point with a tiny
// weight, whose cost may be all there is). When the interval is the whole
// of both atoms, the smaller of the two (equal but for rounding) keeps the
// walk symmetric.
func (l *walkLevels) mass(next twoFloat, i, j int) float64 {
	wholeU, wholeV := next == l.lu && l.at == l.su, next == l.lv && l.at == l.sv
	switch {
	case wholeU && wholeV:
		return math.Min(atomWeight(l.wu, i)/l.tuF, atomWeight(l.wv, j)/l.tvF)
	case wholeU:
		return atomWeight(l.wu, i) / l.tuF
	case wholeV:
		return atomWeight(l.wv, j) / l.tvF
	}
	return next.sub(l.at).float()
}

// atomWeight is the weight of atom k (1 for uniform weights).
func atomWeight(w []float64, k int) float64 {
	if w == nil {
		return 1
	}
	return w[k]
}

// lineTotal is the sum of the k weights in double-double (exact for
// uniform). Four running sums, added at the end, break the chain of
// dependent double-double additions (four times shorter), and each has a
// quarter of the terms, so the total is as precise.
func lineTotal(w []float64, k int) twoFloat {
	if w == nil {
		return twoFloat{float64(k), 0}
	}
	var t [4]twoFloat
	i := 0
	for ; i+4 <= len(w); i += 4 {
		t[0] = t[0].addFloat(w[i])
		t[1] = t[1].addFloat(w[i+1])
		t[2] = t[2].addFloat(w[i+2])
		t[3] = t[3].addFloat(w[i+3])
	}
	for ; i < len(w); i++ {
		t[0] = t[0].addFloat(w[i])
	}
	return t[0].add(t[1]).add(t[2].add(t[3]))
}

// level is cum·inv (inv the total's reciprocal), exactly 1 for the last
// atom and at most 1 for the others: cum ≤ total, so a product above 1 is
// rounding, and 1 is the nearer level.
func level(cum, inv twoFloat, last bool) twoFloat {
	if last {
		return twoFloat{1, 0}
	}
	l := cum.mul(inv)
	if l.hi > 1 || l.hi == 1 && l.lo > 0 {
		return twoFloat{1, 0}
	}
	return l
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
	// Beyond ±1e6 the result is 0 or ±Inf whatever the rest; the clamp
	// keeps int(fl) defined for orders p near MaxFloat64.
	e = math.Max(-1e6, math.Min(1e6, e))
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
	e := float64(ed) + float64(es)*q.p
	var pm float64
	switch q.p {
	case 1:
		pm = ms
	case 2:
		pm = ms * ms
	default:
		pm = math.Pow(ms, q.p)
	}
	if pm < 0x1p-1000 {
		// ms ≥ 1/2, so only an order p above ~1000 gets here: ms^p as a
		// power of two (relative error ~p·1e-16, the best float64 allows).
		lp := q.p * math.Log2(ms)
		fl := math.Floor(lp)
		pm, e = math.Exp2(lp-fl), e+fl
	}
	q.tiny.add(md*pm, e)
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
