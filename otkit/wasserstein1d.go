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
// to probability vectors (POT assumes they already are).
//
// Empty samples, non-finite values, weights of the wrong length, negative
// or non-finite weights, zero mass and p < 1 are errors.
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
	wu, err := probabilities(uWeights, len(u), "u")
	if err != nil {
		return nil, within("Wasserstein1D", err)
	}
	wv, err := probabilities(vWeights, len(v), "v")
	if err != nil {
		return nil, within("Wasserstein1D", err)
	}
	var w line1D
	res := &Wasserstein1DResult{GradU: make([]float64, len(u)), GradV: make([]float64, len(v))}
	res.Cost = w.solve(u, v, wu, wv, p, res.GradU, res.GradV)
	res.Distance = math.Pow(res.Cost, 1/p)
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

// probabilities checks weights (nil → uniform) and divides them by their sum.
func probabilities(w []float64, k int, name string) ([]float64, error) {
	w, s, err := checkWeights(w, k, name)
	if err != nil {
		return nil, err
	}
	if s != 1 {
		for i := range w {
			w[i] /= s
		}
	}
	return w, nil
}

// line1D holds the sorting buffers of one 1-D solve, reused across the
// projections of a sliced distance.
type line1D struct {
	sorter         floatSorter
	us, vs, wu, wv []float64
	pu, pv         []int32
	gu, gv         []float64
}

// solve returns W_p^p between u (weights wu, summing to 1) and v (wv) and,
// when gu and gv are not nil, writes ∂/∂u_i and ∂/∂v_j into them (in the
// input order). uniform weights may be passed as nil to skip permuting them.
func (w *line1D) solve(u, v, wu, wv []float64, p float64, gu, gv []float64) float64 {
	n, m := len(u), len(v)
	w.us, w.pu = grow(w.us, n), grow(w.pu, n)
	w.vs, w.pv = grow(w.vs, m), grow(w.pv, m)
	w.sorter.sort(u, w.us, w.pu)
	w.sorter.sort(v, w.vs, w.pv)
	sortedWeights := func(buf, wt []float64, perm []int32) []float64 {
		buf = grow(buf, len(perm))
		if wt == nil {
			for k := range buf {
				buf[k] = 1 / float64(len(perm))
			}
			return buf
		}
		for k, i := range perm {
			buf[k] = wt[i]
		}
		return buf
	}
	w.wu = sortedWeights(w.wu, wu, w.pu)
	w.wv = sortedWeights(w.wv, wv, w.pv)
	var su, sv []float64
	if gu != nil {
		w.gu, w.gv = grow(w.gu, n), grow(w.gv, m)
		clear(w.gu)
		clear(w.gv)
		su, sv = w.gu, w.gv
	}
	cost := quantileCost(w.us, w.vs, w.wu, w.wv, p, su, sv)
	if gu != nil {
		for k, i := range w.pu {
			gu[i] = su[k]
		}
		for k, j := range w.pv {
			gv[j] = sv[k]
		}
	}
	return cost
}

// quantileCost integrates |F_u⁻¹ − F_v⁻¹|^p over the merged cumulative
// weights of the sorted samples: on each interval (q, q'] between
// consecutive cumulative levels both quantile functions are constant, at
// the first atom whose cumulative weight reaches q' (POT's searchsorted
// rule). gu and gv (sorted order; nil → skipped) accumulate the gradient.
func quantileCost(us, vs, wu, wv []float64, p float64, gu, gv []float64) float64 {
	n, m := len(us), len(vs)
	var cost, level float64
	i, j := 0, 0
	cu, cv := wu[0], wv[0]
	for {
		next := math.Min(cu, cv)
		if dq := next - level; dq > 0 {
			d := us[i] - vs[j]
			ad := math.Abs(d)
			var term, slope float64
			switch p {
			case 1:
				term = ad
				slope = 1
			case 2:
				term = ad * ad
				slope = 2 * ad
			default:
				term = math.Pow(ad, p)
				slope = p * math.Pow(ad, p-1)
			}
			cost += dq * term
			if gu != nil && d != 0 {
				g := dq * math.Copysign(slope, d)
				gu[i] += g
				gv[j] -= g
			}
			level = next
		}
		if cu <= next {
			if i++; i == n {
				break
			}
			cu += wu[i]
		}
		if cv <= next {
			if j++; j == m {
				break
			}
			cv += wv[j]
		}
	}
	return cost
}
