//go:build !purego

package otkit

// The loops of expVecPoly (exp_poly_amd64.s), n a multiple of 8 (AVX2) or
// 16 (AVX-512).

//go:noescape
func expVecPolyAVX(dst, src *float64, n int)

//go:noescape
func expVecPoly512(dst, src *float64, n int)
