//go:build !amd64 || purego

package otkit

func expVecPolyAVX(dst, src *float64, n int) {
	panic("otkit: no assembly kernels on this platform")
}

func expVecPoly512(dst, src *float64, n int) {
	panic("otkit: no assembly kernels on this platform")
}
