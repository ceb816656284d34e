package otkit

import "math"

// lrDykstra is the projection step of low-rank Sinkhorn (Scetbon, Cuturi &
// Peyré 2021, Algorithm 2, "LR-Dykstra"): the KL projection of the kernels
// (ξ1, ξ2, ξ3) onto {Q·1 = a, R·1 = b, Qᵀ·1 = Rᵀ·1 = g, g ≥ α}, by
// Dykstra's alternating projections on scalings Q = diag(u1)·ξ1·diag(v1),
// R = diag(u2)·ξ2·diag(v2).
//
// Stabilisation. The kernels come as logarithms L = log ξ, whose spread
// grows like γ·(cost): stored as exponentials they would under- or
// overflow. Each is kept as K = exp(L − s_i − t_k), shifted by its row
// maxima s and then its column maxima t, so that every entry is in (0, 1]
// and every row and column holds a 1. The scalings absorb the shifts
// exactly: with u' = u·e^s and v' = v·e^t the updates read u' = a / (K·v')
// and ξᵀu = e^t·(Kᵀu'), and the projection onto g only involves the
// products v·(ξᵀu) and ratios of successive v. Every r-vector (v, g and
// Dykstra's correction terms) is carried as a logarithm, so only the n×r
// and m×r passes run on plain numbers, and those are bounded.
type lrDykstra struct {
	r        int
	lalpha   float64 // log of the lower bound on g
	tol      float64
	maxIter  int
	capped   int // projections that stopped at maxIter
	itersSum int // Dykstra iterations over the solve (reported)
	fq, fr   *lrFactor
}

// lrFactor is one side (Q with a, or R with b) of the projection.
type lrFactor struct {
	n, r       int
	w          []float64 // the marginal a or b
	k          []float64 // K, n×r, built in place from L
	t          []float64 // column shifts
	uOld, uNew []float64 // u' of the last two iterations
	lv, lq     []float64 // log v and Dykstra's log correction for v
	vp         []float64 // v' = exp(lv + t)
	ktu        []float64 // Kᵀ·u'
	parts      []float64 // per-block partial sums: r entries of Kᵀu' + 1 error
}

func newLRFactor(w []float64, r int) *lrFactor {
	n := len(w)
	nb := (n + lrBlockRows - 1) / lrBlockRows
	return &lrFactor{
		n: n, r: r, w: w, k: make([]float64, n*r), t: make([]float64, r),
		uOld: make([]float64, n), uNew: make([]float64, n),
		lv: make([]float64, r), lq: make([]float64, r), vp: make([]float64, r),
		ktu: make([]float64, r), parts: make([]float64, nb*(r+1)),
	}
}

// stabilise turns f.k, holding L = log ξ, into K = exp(L − s − t). Rows of
// zero weight carry no mass (their u is 0) and are set to zero. It reports
// false when a column has no finite entry on a row of positive weight:
// that component cannot carry the mass g_k ≥ α the constraint demands.
func (f *lrFactor) stabilise() bool {
	r := f.r
	for k := range f.t {
		f.t[k] = math.Inf(-1)
	}
	for i := 0; i < f.n; i++ {
		row := f.k[i*r : (i+1)*r]
		if f.w[i] == 0 {
			clear(row)
			continue
		}
		s := math.Inf(-1)
		for _, v := range row {
			s = math.Max(s, v)
		}
		for k, v := range row {
			row[k] = v - s
			f.t[k] = math.Max(f.t[k], row[k])
		}
	}
	for _, t := range f.t {
		if !isFinite(t) {
			return false
		}
	}
	forRowBlocks(f.n, f.n*r*8, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			if f.w[i] == 0 {
				continue
			}
			row := f.k[i*r : (i+1)*r]
			for k, v := range row {
				row[k] = math.Exp(v - f.t[k])
			}
		}
	})
	return true
}

// pass is one fused sweep over K: for every row, kv = K_i·v', the row's
// marginal error |u'_old·kv − w| of the previous plan (when measure), the new
// u' = w/kv, and Kᵀu' accumulated in fixed row blocks added in order. It
// returns the summed error, or NaN when a row sum is zero or not finite.
func (f *lrFactor) pass(measure bool) float64 {
	r, nb := f.r, (f.n+lrBlockRows-1)/lrBlockRows
	clear(f.parts)
	forRowBlocks(f.n, f.n*r, func(b, lo, hi int) {
		part := f.parts[b*(r+1) : (b+1)*(r+1)]
		acc, errSum := part[:r], 0.0
		for i := lo; i < hi; i++ {
			if f.w[i] == 0 {
				f.uNew[i] = 0
				continue
			}
			row := f.k[i*r : (i+1)*r]
			var kv float64
			for k, v := range row {
				kv += v * f.vp[k]
			}
			if measure {
				errSum += math.Abs(f.uOld[i]*kv - f.w[i])
			}
			u := f.w[i] / kv
			f.uNew[i] = u
			for k, v := range row {
				acc[k] += v * u
			}
			if !(kv > 0) || math.IsInf(u, 0) {
				errSum = math.NaN()
			}
		}
		part[r] = errSum
	})
	clear(f.ktu)
	var e float64
	for b := 0; b < nb; b++ {
		part := f.parts[b*(r+1) : (b+1)*(r+1)]
		for k := 0; k < r; k++ {
			f.ktu[k] += part[k]
		}
		e += part[r]
	}
	return e
}

// plan writes the factor diag(u'_old)·K·diag(v') into dst (n×r).
func (f *lrFactor) plan(dst []float64) {
	r := f.r
	forRowBlocks(f.n, f.n*r, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			u := f.uOld[i]
			for k := 0; k < r; k++ {
				dst[i*r+k] = u * f.k[i*r+k] * f.vp[k]
			}
		}
	})
}

// project runs Dykstra on the kernels held (as logarithms) in d.fq.k,
// d.fr.k and lxi3, and writes the projected factors into q, rr and g. It
// returns false when the kernels or the iterates stop being finite.
func (d *lrDykstra) project(lxi3, q, rr, g []float64) bool {
	if !d.fq.stabilise() || !d.fr.stabilise() {
		return false
	}
	r := d.r
	for _, f := range []*lrFactor{d.fq, d.fr} {
		clear(f.lv)
		clear(f.lq)
	}
	lgt := append([]float64(nil), lxi3...) // Dykstra's running g̃, as a log
	lq3a, lq3b := make([]float64, r), make([]float64, r)
	it := 0
	for ; ; it++ {
		for _, f := range []*lrFactor{d.fq, d.fr} {
			for k := range f.vp {
				f.vp[k] = math.Exp(f.lv[k] + f.t[k])
			}
		}
		e := d.fq.pass(it > 0) + d.fr.pass(it > 0)
		if math.IsNaN(e) {
			return false
		}
		// The plan of the previous iteration (uOld, current v') has
		// columns summing to g exactly; its rows miss a and b by e.
		if it > 0 && e < d.tol {
			break
		}
		if it == d.maxIter {
			d.capped++
			break
		}
		d.fq.uOld, d.fq.uNew = d.fq.uNew, d.fq.uOld
		d.fr.uOld, d.fr.uNew = d.fr.uNew, d.fr.uOld
		// First projection's g part: g ≥ α.
		for k := 0; k < r; k++ {
			lg := math.Max(d.lalpha, lgt[k]+lq3a[k])
			lq3a[k] += lgt[k] - lg
			lgt[k] = lg
		}
		// Second projection: Qᵀ1 = Rᵀ1 = g, g the geometric mean.
		for k := 0; k < r; k++ {
			lx1 := d.fq.t[k] + math.Log(d.fq.ktu[k])
			lx2 := d.fr.t[k] + math.Log(d.fr.ktu[k])
			lg := (lgt[k] + lq3b[k] + d.fq.lv[k] + d.fq.lq[k] + lx1 + d.fr.lv[k] + d.fr.lq[k] + lx2) / 3
			lv1, lv2 := lg-lx1, lg-lx2
			d.fq.lq[k] += d.fq.lv[k] - lv1
			d.fr.lq[k] += d.fr.lv[k] - lv2
			lq3b[k] += lgt[k] - lg
			d.fq.lv[k], d.fr.lv[k], lgt[k] = lv1, lv2, lg
			if !isFinite(lg) {
				return false
			}
		}
	}
	d.itersSum += it
	d.fq.plan(q)
	d.fr.plan(rr)
	for k := range g {
		g[k] = math.Exp(lgt[k])
	}
	return finiteVec(q) && finiteVec(rr) && finiteVec(g) && d.consistent(q, rr, g)
}

// consistent checks what the projection guarantees by construction,
// Qᵀ1 = Rᵀ1 = g ≥ α, to 1e-9 of the mass. It fails only when the logarithms
// of the r-vectors grew so large (a step γ·∇ of 1e10 or more: costs many
// orders of magnitude below 1 under the rescaled γ) that adding Dykstra's
// O(1) corrections to them lost every digit.
func (d *lrDykstra) consistent(q, rr, g []float64) bool {
	r := d.r
	var mass float64
	for _, w := range d.fq.w {
		mass += w
	}
	for _, f := range [][]float64{q, rr} {
		col := make([]float64, r)
		for i, v := range f {
			col[i%r] += v
		}
		for k := range col {
			if math.Abs(col[k]-g[k]) > 1e-9*mass {
				return false
			}
		}
	}
	for _, gk := range g {
		if math.Log(gk) < d.lalpha-1e-9 {
			return false
		}
	}
	return true
}
