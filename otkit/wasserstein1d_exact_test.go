package otkit

import (
	"math/big"
	"slices"
)

// exactW1D is an independent reference for the quantile walk: W_p^p (integer
// p ≥ 1) of the weighted samples (nil weights → uniform) with the
// cumulative levels as exact rationals (big.Rat) and the terms and their sum
// in 512-bit floats, so the only rounding is the final conversion.
func exactW1D(u, v, wu, wv []float64, p int) float64 {
	su, au := sortedAtoms(u, wu)
	sv, av := sortedAtoms(v, wv)
	one := big.NewRat(1, 1)
	const prec = 512
	sum := new(big.Float).SetPrec(prec)
	i, j := 0, 0
	cu, cv := new(big.Rat).Set(au[0]), new(big.Rat).Set(av[0])
	at := new(big.Rat)
	for {
		next := new(big.Rat).Set(cu) // a copy: cu and cv move on below
		if cv.Cmp(cu) < 0 {
			next.Set(cv)
		}
		dq := new(big.Rat).Sub(next, at)
		if dq.Sign() > 0 {
			d := new(big.Float).SetPrec(prec).SetFloat64(su[i])
			d.Sub(d, new(big.Float).SetPrec(prec).SetFloat64(sv[j]))
			d.Abs(d)
			term := new(big.Float).SetPrec(prec).SetFloat64(1)
			for k := 0; k < p; k++ {
				term.Mul(term, d)
			}
			term.Mul(term, new(big.Float).SetPrec(prec).SetRat(dq))
			sum.Add(sum, term)
		}
		if next.Cmp(one) >= 0 {
			f, _ := sum.Float64()
			return f
		}
		at.Set(next)
		if cu.Cmp(next) == 0 {
			i++
			cu.Add(cu, au[i])
		}
		if cv.Cmp(next) == 0 {
			j++
			cv.Add(cv, av[j])
		}
	}
}

// sortedAtoms returns the sorted values and their weights over the total, as
// exact rationals, in the sorted order (ties keep their input order).
func sortedAtoms(x, w []float64) ([]float64, []*big.Rat) {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	total := new(big.Rat)
	ws := make([]*big.Rat, len(x))
	vals := make([]float64, len(x))
	for k, i := range idx {
		vals[k] = x[i]
		ws[k] = big.NewRat(1, 1)
		if w != nil {
			ws[k] = new(big.Rat).SetFloat64(w[i])
		}
		total.Add(total, ws[k])
	}
	for _, r := range ws {
		r.Quo(r, total)
	}
	return vals, ws
}
