package simd

import "math"

// Row kernels of the streamed scaling form: a dot product of a row of the
// stabilised kernel K̃ with the scalings, and a row added, scaled, into the
// column sums. K̃ is float64 or float32; the arithmetic is float64 with
// fused multiply-adds.
//
// A dot product keeps DotLanes partial sums, lane l taking the entries
// j ≡ l (mod 32) in order, and adds them pairwise (l with l+16, then l+8,
// l+4, l+2, l+1): the AVX-512 loop holds the lanes in four registers, the
// AVX2 loop in eight (four independent chains of fused multiply-adds at
// least, to cover their latency), the Go loop in an array, and all three
// give the same bits. The assembly (rows_amd64.s) takes the first multiple
// of 32 entries, Go the rest.

// DotLanes is the number of partial sums of the row dot products.
const DotLanes = 32

// dotRowGo adds k[j]·v[j] into lane (offset+j) mod DotLanes.
func dotRowGo[T float32 | float64](acc *[DotLanes]float64, k []T, v []float64, offset int) {
	v = v[:len(k)]
	for j, x := range k {
		l := (offset + j) % DotLanes
		acc[l] = math.FMA(float64(x), v[j], acc[l])
	}
}

// reduceLanes adds the partial sums pairwise, as the assembly does.
func reduceLanes(acc *[DotLanes]float64) float64 {
	s := *acc
	for w := DotLanes / 2; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			s[l] += s[l+w]
		}
	}
	return s[0]
}

// axpyRowGo is the Go loop of AxpyRow64 and AxpyRow32.
func axpyRowGo[T float32 | float64](c []float64, k []T, u float64) {
	c = c[:len(k)]
	for j, x := range k {
		c[j] = math.FMA(float64(x), u, c[j])
	}
}

// axpyRowsGo is the Go loop of AxpyRows64 and AxpyRows32.
func axpyRowsGo[T float32 | float64](c []float64, k0, k1, k2, k3 []T, u *[4]float64) {
	m := len(c)
	k0, k1, k2, k3 = k0[:m], k1[:m], k2[:m], k3[:m]
	for j := range c {
		x := math.FMA(float64(k0[j]), u[0], c[j])
		x = math.FMA(float64(k1[j]), u[1], x)
		x = math.FMA(float64(k2[j]), u[2], x)
		c[j] = math.FMA(float64(k3[j]), u[3], x)
	}
}

// toFloat32Go is ToFloat32 from entry k on.
func toFloat32Go(dst []float32, src []float64, k int) {
	for j := k; j < len(dst); j++ {
		dst[j] = float32(src[j])
	}
}
