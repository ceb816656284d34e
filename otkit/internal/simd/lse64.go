package simd

import "math"

// Float64 kernels of the log-sum-exp reductions. The exported functions are
// in kernels_amd64.go (assembly for the longest prefix the vector loop
// takes) and kernels_noasm.go; the Go loops here are the specification of
// the assembly twins (lse64_amd64.s): the same operations in the same
// order, so every path gives the same bits. Partial sums use eight lanes,
// lane l taking the terms j ≡ l (mod 8), added in lane order. Each loop
// starts at k, the number of terms the vector loop did.

// ShiftSlack bounds how far a block's exponents may exceed the running
// maximum of a reduction when the block is summed at that maximum (and how
// far a column's exponent may exceed its shift in AccColShift): e^300
// leaves float64 sums far from overflow. The assembly holds a copy
// (expSlack in lse64_amd64.s).
const ShiftSlack = 300

// expVecGo is ExpVec from entry k on.
func expVecGo(dst, src []float64, k int) {
	for j := k; j < len(src); j++ {
		dst[j] = ExpNeg(src[j])
	}
}

// denseMaxGo is DenseMax from entry k on, mx the maximum so far.
func denseMaxGo(z, c, h []float64, invEps float64, k int, mx float64) float64 {
	for j := k; j < len(c); j++ {
		v := (h[j] - c[j]) * invEps
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// pc2MaxGo is PC2Max from entry k on, mx the maximum so far.
func pc2MaxGo(z, a, y0, y1 []float64, x0, x1 float64, k int, mx float64) float64 {
	for j := k; j < len(a); j++ {
		v := math.FMA(x1, y1[j], math.FMA(x0, y0[j], a[j]))
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// expSumGo is ExpSum from entry k on.
func expSumGo(z []float64, shift float64, sums *[8]float64, k int) {
	for j := k; j < len(z); j++ {
		sums[j&7] += ExpNeg(z[j] - shift)
	}
}

// expSumTail finishes DenseExpSum and PC2ExpSum after their one-pass
// vector loop did the first k terms (maximum mx): the exponents of the
// rest are in z[k:] with maximum mt.
func expSumTail(z []float64, shift float64, sums *[8]float64, k int, mx, mt float64) float64 {
	expSumGo(z, shift, sums, k)
	if mt > mx {
		return mt
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

// accColGo is AccColShift from entry k on.
func accColGo(c []float64, hi, invEps float64, mx, s []float64, k int) {
	for j := k; j < len(c); j++ {
		mx[j], s[j] = shiftStep(mx[j], s[j], (hi-c[j])*invEps)
	}
}

// planExpRowGo is PlanExpRow from entry k on, mx the largest exponent so
// far.
func planExpRowGo(dst, c, g []float64, fi, inv float64, k int, mx float64) float64 {
	mg := math.Inf(-1)
	for j := k; j < len(dst); j++ {
		e := (fi + g[j] - c[j]) * inv
		mg = math.Max(mg, e)
		dst[j] = ExpNeg(e)
	}
	return math.Max(mx, mg)
}
