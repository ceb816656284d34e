//go:build !purego

package otkit

// Assembly row kernels of the streamed scaling form (scaling_rows_amd64.s),
// twins of the Go loops in scaling_rows.go; n is a multiple of 32 (dot products) or 16.

//go:noescape
func dotRow64x512(k, v *float64, n int, acc *[dotLanes]float64)

//go:noescape
func dotRow32x512(k *float32, v *float64, n int, acc *[dotLanes]float64)

//go:noescape
func dotRow64AVX(k, v *float64, n int, acc *[dotLanes]float64)

//go:noescape
func dotRow32AVX(k *float32, v *float64, n int, acc *[dotLanes]float64)

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
