//go:build !purego

package otkit

// The loops of expVec32Poly (exp32_poly_amd64.s), n a multiple of 16.

//go:noescape
func expVec32PolyAVX(dst, src *float32, n int)

//go:noescape
func expVec32Poly512(dst, src *float32, n int)
