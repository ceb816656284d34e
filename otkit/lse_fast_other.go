//go:build !amd64 || purego

package otkit

// Without the assembly loops the fast kernels run their pure-Go loops.

var (
	useAVX    = false
	useAVX512 = false
)

func zDenseMaxAVX(c, h, z *float64, n int, invEps float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func zPC2MaxAVX(a, y0, y1, z *float64, n int, x0, x1 float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func expSumAVX(z *float64, n int, shift float64, sums *[8]float64) {
	panic("otkit: no assembly kernels on this platform")
}

func accColShiftAVX(c *float64, n int, hi, invEps float64, mx, s, next *float64) {
	panic("otkit: no assembly kernels on this platform")
}

func expVecAVX(dst, src *float64, n int) {
	panic("otkit: no assembly kernels on this platform")
}

func expSumPFAVX(z *float64, n int, shift float64, sums *[8]float64, pf *float64) {
	panic("otkit: no assembly kernels on this platform")
}

func expVec512(dst, src *float64, n int) {
	panic("otkit: no assembly kernels on this platform")
}

func zDenseMax512(c, h, z *float64, n int, invEps float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func zPC2Max512(a, y0, y1, z *float64, n int, x0, x1 float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func expSum512(z *float64, n int, shift float64, sums *[8]float64, pf *float64) {
	panic("otkit: no assembly kernels on this platform")
}

func accColShift512(c *float64, n int, hi, invEps float64, mx, s, next *float64) {
	panic("otkit: no assembly kernels on this platform")
}

func zDenseExpSum512(c, h *float64, n int, invEps, shift float64, sums *[8]float64, pf *float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func zPC2ExpSum512(a, y0, y1 *float64, n int, x0, x1, shift float64, sums *[8]float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func planExpRowAVX(dst, c, h *float64, n int, fi, inv float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}

func planExpRow512(dst, c, h *float64, n int, fi, inv float64) float64 {
	panic("otkit: no assembly kernels on this platform")
}
