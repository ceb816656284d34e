package simd

import "math"

// Float64 kernels of the log-sum-exp reductions. Each Go loop here is the
// specification of its assembly twins (lse64_amd64.s): the same operations
// in the same order, so every path gives the same bits. Partial sums use
// eight lanes, lane l taking the terms j ≡ l (mod 8), added in lane order.

// ShiftSlack bounds how far a block's exponents may exceed the running
// maximum of a reduction when the block is summed at that maximum (and how
// far a column's exponent may exceed its shift in AccColShift): e^300
// leaves float64 sums far from overflow. The assembly holds a copy
// (expSlack in lse64_amd64.s).
const ShiftSlack = 300

// ExpVec sets dst[j] = ExpNeg(src[j]): the exp throughput ceiling the
// kernels are measured against.
func ExpVec(dst, src []float64) {
	dst = dst[:len(src)]
	for j := expVecAsm(dst, src); j < len(src); j++ {
		dst[j] = ExpNeg(src[j])
	}
}

// DenseMax writes z_j = (h_j − c_j)·invEps and returns the largest, −Inf if
// all are.
func DenseMax(z, c, h []float64, invEps float64) float64 {
	n := len(c)
	z, h = z[:n], h[:n]
	k, mx := denseMaxAsm(z, c, h, invEps)
	for j := k; j < n; j++ {
		v := (h[j] - c[j]) * invEps
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// PC2Max writes z_j = a_j + x0·y0_j + x1·y1_j (two fused steps) and returns
// the largest, −Inf if all are.
func PC2Max(z, a, y0, y1 []float64, x0, x1 float64) float64 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k, mx := pc2MaxAsm(z, a, y0, y1, x0, x1)
	for j := k; j < n; j++ {
		v := math.FMA(x1, y1[j], math.FMA(x0, y0[j], a[j]))
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// ExpSum adds exp(z_j − shift) to sums[j mod 8]. A next at least as long
// as the vector part (the data the caller reads after this block) is
// prefetched meanwhile.
func ExpSum(z []float64, shift float64, sums *[8]float64, next []float64) {
	for j := expSumAsm(z, shift, sums, next); j < len(z); j++ {
		sums[j&7] += ExpNeg(z[j] - shift)
	}
}

// DenseExpSum is DenseMax into z followed by ExpSum(z, shift, sums, next),
// returning the exponents' maximum; with AVX-512 the full groups of 16
// terms are done in one pass (the exponents stay in registers, z is only
// written for the last terms), with the same bits.
func DenseExpSum(z, c, h []float64, invEps, shift float64, sums *[8]float64, next []float64) float64 {
	n := len(c)
	z, h = z[:n], h[:n]
	k, mx := denseExpSumAsm(c, h, invEps, shift, sums, next)
	if k == 0 {
		mx := DenseMax(z, c, h, invEps)
		ExpSum(z, shift, sums, next)
		return mx
	}
	if k < n {
		if mt := DenseMax(z[k:], c[k:], h[k:], invEps); mt > mx {
			mx = mt
		}
		for j := k; j < n; j++ {
			sums[j&7] += ExpNeg(z[j] - shift)
		}
	}
	return mx
}

// PC2ExpSum is PC2Max into z followed by ExpSum(z, shift, sums, nil), as
// DenseExpSum is for a stored matrix.
func PC2ExpSum(z, a, y0, y1 []float64, x0, x1, shift float64, sums *[8]float64) float64 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k, mx := pc2ExpSumAsm(a, y0, y1, x0, x1, shift, sums)
	if k == 0 {
		mx := PC2Max(z, a, y0, y1, x0, x1)
		ExpSum(z, shift, sums, nil)
		return mx
	}
	if k < n {
		if mt := PC2Max(z[k:], a[k:], y0[k:], y1[k:], x0, x1); mt > mx {
			mx = mt
		}
		for j := k; j < n; j++ {
			sums[j&7] += ExpNeg(z[j] - shift)
		}
	}
	return mx
}

// shiftStep folds exponent z into a column's running state (m, s) of a
// stored-matrix column reduction, s = Σ e^(z − m) so far. m is a shift, not
// necessarily the maximum: it moves to z only when z exceeds it by more
// than ShiftSlack (or m is −Inf), so the usual step is one exp and one add,
// no compare-and-rescale. Terms more than 708 below m are flushed to zero,
// negligible next to e^m.
func shiftStep(m, s, z float64) (float64, float64) {
	x := z - m
	if x > ShiftSlack {
		return z, math.FMA(s, ExpNeg(-x), 1)
	}
	return m, s + ExpNeg(x)
}

// AccColShift folds z_j = (hi − c_j)·invEps into the per-column states
// (mx_j, s_j) with shiftStep, prefetching next[:len(c)] (the same columns
// of the next row: a short segment per row is too short for the hardware
// prefetcher).
func AccColShift(c []float64, hi, invEps float64, mx, s, next []float64) {
	mx = mx[:len(c)]
	s = s[:len(c)]
	for j := accColShiftAsm(c, hi, invEps, mx, s, next); j < len(c); j++ {
		mx[j], s[j] = shiftStep(mx[j], s[j], (hi-c[j])*invEps)
	}
}

// PlanExpRow sets dst_j = exp((fi + g_j − c_j)·inv), the entries of one row
// of a plan from its potentials (or of a stabilised kernel from absorbed
// potentials), with ExpNeg, and returns the largest exponent: the caller
// rejects the row when that exceeds the range of exp (an exponent of 709
// or more gives garbage, not +Inf). The potentials may be −Inf (zero
// weights), never NaN or +Inf; the costs are finite.
func PlanExpRow(dst, c, g []float64, fi, inv float64) float64 {
	c, g = c[:len(dst)], g[:len(dst)]
	done, mx := planExpRowAsm(dst, c, g, fi, inv)
	mg := math.Inf(-1)
	for j := done; j < len(dst); j++ {
		e := (fi + g[j] - c[j]) * inv
		mg = math.Max(mg, e)
		dst[j] = ExpNeg(e)
	}
	return math.Max(mx, mg)
}
