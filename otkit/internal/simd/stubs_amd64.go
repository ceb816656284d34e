//go:build !noasm

package simd

// The assembly bodies. Each is the twin of a Go loop of this package,
// operation for operation, and takes a length that is a multiple of its
// vector width (the kernels in kernels_amd64.go cut it; the Go loop does
// the rest). AVX suffixes are AVX2+FMA3, 512 and x512 AVX-512F.

// Float64 exp and log-sum-exp rows (lse64_amd64.s, twins of lse64.go and
// planrow.go).

//go:noescape
func zDenseMaxAVX(c, h, z *float64, n int, invEps float64) float64

//go:noescape
func zPC2MaxAVX(a, y0, y1, z *float64, n int, x0, x1 float64) float64

//go:noescape
func expSumAVX(z *float64, n int, shift float64, sums *[8]float64)

//go:noescape
func expSumPFAVX(z *float64, n int, shift float64, sums *[8]float64, pf *float64)

//go:noescape
func accColShiftAVX(c *float64, n int, hi, invEps float64, mx, s, next *float64)

//go:noescape
func expVecAVX(dst, src *float64, n int)

//go:noescape
func expVec512(dst, src *float64, n int)

//go:noescape
func zDenseMax512(c, h, z *float64, n int, invEps float64) float64

//go:noescape
func zPC2Max512(a, y0, y1, z *float64, n int, x0, x1 float64) float64

//go:noescape
func expSum512(z *float64, n int, shift float64, sums *[8]float64, pf *float64)

//go:noescape
func accColShift512(c *float64, n int, hi, invEps float64, mx, s, next *float64)

//go:noescape
func zDenseExpSum512(c, h *float64, n int, invEps, shift float64, sums *[8]float64, pf *float64) float64

//go:noescape
func zPC2ExpSum512(a, y0, y1 *float64, n int, x0, x1, shift float64, sums *[8]float64) float64

//go:noescape
func planExpRowAVX(dst, c, h *float64, n int, fi, inv float64) float64

//go:noescape
func planExpRow512(dst, c, h *float64, n int, fi, inv float64) float64

// Float32 exp and log-sum-exp rows (lse32_amd64.s, twins of lse32.go).
// expVec32* take multiples of 16, expSum32* multiples of 32, the other
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

// Row dot products, scaled additions and conversion of the streamed
// scaling form (rows_amd64.s, twins of rows.go): dot products take
// multiples of 32, the others multiples of 16.

//go:noescape
func dotRow64x512(k, v *float64, n int, acc *[DotLanes]float64)

//go:noescape
func dotRow32x512(k *float32, v *float64, n int, acc *[DotLanes]float64)

//go:noescape
func dotRow64AVX(k, v *float64, n int, acc *[DotLanes]float64)

//go:noescape
func dotRow32AVX(k *float32, v *float64, n int, acc *[DotLanes]float64)

//go:noescape
func axpyRow64x512(c, k *float64, n int, u float64)

//go:noescape
func axpyRow32x512(c *float64, k *float32, n int, u float64)

//go:noescape
func axpyRow64AVX(c, k *float64, n int, u float64)

//go:noescape
func axpyRow32AVX(c *float64, k *float32, n int, u float64)

//go:noescape
func toFloat32x512(dst *float32, src *float64, n int)

//go:noescape
func toFloat32AVX(dst *float32, src *float64, n int)

//go:noescape
func axpyRows64x512(c *float64, k0, k1, k2, k3 *float64, n int, u *[4]float64)

//go:noescape
func axpyRows32x512(c *float64, k0, k1, k2, k3 *float32, n int, u *[4]float64)

//go:noescape
func axpyRows64AVX(c *float64, k0, k1, k2, k3 *float64, n int, u *[4]float64)

//go:noescape
func axpyRows32AVX(c *float64, k0, k1, k2, k3 *float32, n int, u *[4]float64)
