package otkit

import "math"

// planExpRow sets dst_j = exp((fi + g_j − c_j)·inv), the entries of one
// row of a plan from its potentials (or of K̃ from absorbed potentials),
// with the vectorised expNeg, and returns the largest exponent: the caller
// rejects the row when that exceeds the range of exp (an exponent of 709
// or more gives garbage, not +Inf). The potentials may be −Inf (zero
// weights), never NaN or +Inf; the costs are finite. The AVX-512, AVX2 and
// Go paths give the same bits.
func planExpRow(dst, c, g []float64, fi, inv float64) float64 {
	c, g = c[:len(dst)], g[:len(dst)]
	done, mx := 0, math.Inf(-1)
	switch {
	case useAVX512 && len(dst) >= 16:
		done = len(dst) &^ 15
		mx = planExpRow512(&dst[0], &c[0], &g[0], done, fi, inv)
	case useAVX && len(dst) >= 8:
		done = len(dst) &^ 7
		mx = planExpRowAVX(&dst[0], &c[0], &g[0], done, fi, inv)
	}
	return math.Max(mx, planExpRowGo(dst[done:], c[done:], g[done:], fi, inv))
}

// planExpRowGo is planExpRow in Go: the reference of the assembly.
func planExpRowGo(dst, c, g []float64, fi, inv float64) float64 {
	c, g = c[:len(dst)], g[:len(dst)]
	mx := math.Inf(-1)
	for j := range dst {
		e := (fi + g[j] - c[j]) * inv
		mx = math.Max(mx, e)
		dst[j] = expNeg(e)
	}
	return mx
}
