//go:build !amd64 || purego

package otkit

func expVec32PolyAVX(dst, src *float32, n int) {
	panic("otkit: no assembly kernels on this platform")
}

func expVec32Poly512(dst, src *float32, n int) {
	panic("otkit: no assembly kernels on this platform")
}
