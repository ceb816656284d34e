//go:build !purego

package otkit

// Assembly inner loops of the float32 kernels (lse_fast32_amd64.s), each
// the twin of a pure-Go loop in lse_fast32.go or exp32.go. expVec32* take
// lengths that are multiples of 16, expSum32* multiples of 32, the other
// AVX2 loops multiples of 16 and the other AVX-512 loops multiples of 32.

//go:noescape
func expVec32AVX(dst, src *float32, n int)

//go:noescape
func expVec32x512(dst, src *float32, n int)

//go:noescape
func expSum32AVX(z *float32, n int, shift float32, sums *[16]float64, pf *float32)

//go:noescape
func expSum32x512(z *float32, n int, shift float32, sums *[16]float64, pf *float32)

//go:noescape
func zDenseMax32AVX(c, h, z *float32, n int, inv float32) float32

//go:noescape
func zDenseMax32x512(c, h, z *float32, n int, inv float32) float32

//go:noescape
func zPC2Max32AVX(a, y0, y1, z *float32, n int, x0, x1 float32) float32

//go:noescape
func zPC2Max32x512(a, y0, y1, z *float32, n int, x0, x1 float32) float32

//go:noescape
func zDenseExpSum32x512(c, h *float32, n int, inv, shift float32, sums *[16]float64, pf *float32) float32

//go:noescape
func zPC2ExpSum32x512(a, y0, y1 *float32, n int, x0, x1, shift float32, sums *[16]float64) float32
