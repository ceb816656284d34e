//go:build !amd64 || purego

package otkit

func expVecTable512(dst, src *float64, n int) {
	panic("otkit: no assembly kernels on this platform")
}
