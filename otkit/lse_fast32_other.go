//go:build !amd64 || purego

package otkit

// Without the assembly loops the float32 kernels run their pure-Go loops
// (useAVX and useAVX512 are false; these are never called).

func expVec32AVX(dst, src *float32, n int) { panic("otkit: no assembly kernels on this platform") }

func expVec32x512(dst, src *float32, n int) { panic("otkit: no assembly kernels on this platform") }

func expSum32AVX(z *float32, n int, shift float32, sums *[16]float64, pf *float32) {
	panic("otkit: no assembly kernels on this platform")
}

func expSum32x512(z *float32, n int, shift float32, sums *[16]float64, pf *float32) {
	panic("otkit: no assembly kernels on this platform")
}

func zDenseMax32AVX(c, h, z *float32, n int, inv float32) float32 {
	panic("otkit: no assembly kernels on this platform")
}

func zDenseMax32x512(c, h, z *float32, n int, inv float32) float32 {
	panic("otkit: no assembly kernels on this platform")
}

func zPC2Max32AVX(a, y0, y1, z *float32, n int, x0, x1 float32) float32 {
	panic("otkit: no assembly kernels on this platform")
}

func zPC2Max32x512(a, y0, y1, z *float32, n int, x0, x1 float32) float32 {
	panic("otkit: no assembly kernels on this platform")
}

func zDenseExpSum32x512(c, h *float32, n int, inv, shift float32, sums *[16]float64, pf *float32) float32 {
	panic("otkit: no assembly kernels on this platform")
}

func zPC2ExpSum32x512(a, y0, y1 *float32, n int, x0, x1, shift float32, sums *[16]float64) float32 {
	panic("otkit: no assembly kernels on this platform")
}
