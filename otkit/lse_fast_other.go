//go:build !amd64 || purego

package otkit

// Without the assembly loops the fast kernels run their pure-Go loops.

var useAVX = false

func accRowDenseAVX(c, h *float64, n int, invEps float64, acc *lseLanes) {
	panic("otkit: no assembly kernels on this platform")
}

func accRowPC2AVX(a, y0, y1 *float64, n int, x0, x1 float64, acc *lseLanes) {
	panic("otkit: no assembly kernels on this platform")
}

func accRowZAVX(z *float64, n int, acc *lseLanes) {
	panic("otkit: no assembly kernels on this platform")
}

func accColDenseAVX(c *float64, n int, hi, invEps float64, mx, s *float64) {
	panic("otkit: no assembly kernels on this platform")
}

func expVecAVX(dst, src *float64, n int) {
	panic("otkit: no assembly kernels on this platform")
}
