package otkit

import "math"

// Row kernels of the streamed scaling form (scaling_stream.go): a dot
// product of a row of K̃ with the scalings, and a row added, scaled, into
// the column sums. K̃ is float64 or float32; the arithmetic is float64
// with fused multiply-adds.
//
// A dot product keeps 32 partial sums, lane l taking the entries j ≡ l
// (mod 32) in order, and adds them pairwise (l with l+16, then l+8, l+4,
// l+2, l+1): the AVX-512 loop holds the lanes in four registers, the AVX2
// loop in eight (four independent chains of fused multiply-adds at least,
// to cover their latency), the Go loop in an array, and all three give the
// same bits. The assembly takes the first multiple of 32 entries, Go the
// rest.

// dotLanes is the number of partial sums of the row dot products.
const dotLanes = 32

func dotRow64(k, v []float64) float64 {
	var acc [dotLanes]float64
	k, v = k[:len(k)], v[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= dotLanes:
		done = len(k) &^ (dotLanes - 1)
		dotRow64x512(&k[0], &v[0], done, &acc)
	case useAVX && len(k) >= dotLanes:
		done = len(k) &^ (dotLanes - 1)
		dotRow64AVX(&k[0], &v[0], done, &acc)
	}
	dotRowGo(&acc, k[done:], v[done:], done)
	return reduceLanes(&acc)
}

func dotRow32(k []float32, v []float64) float64 {
	var acc [dotLanes]float64
	v = v[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= dotLanes:
		done = len(k) &^ (dotLanes - 1)
		dotRow32x512(&k[0], &v[0], done, &acc)
	case useAVX && len(k) >= dotLanes:
		done = len(k) &^ (dotLanes - 1)
		dotRow32AVX(&k[0], &v[0], done, &acc)
	}
	dotRowGo(&acc, k[done:], v[done:], done)
	return reduceLanes(&acc)
}

// dotRowGo adds k[j]·v[j] into lane (offset+j) mod dotLanes.
func dotRowGo[T float32 | float64](acc *[dotLanes]float64, k []T, v []float64, offset int) {
	v = v[:len(k)]
	for j, x := range k {
		l := (offset + j) % dotLanes
		acc[l] = math.FMA(float64(x), v[j], acc[l])
	}
}

// reduceLanes adds the partial sums pairwise, as the assembly does.
func reduceLanes(acc *[dotLanes]float64) float64 {
	s := *acc
	for w := dotLanes / 2; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			s[l] += s[l+w]
		}
	}
	return s[0]
}

// axpyRow64 sets c[j] = fma(k[j], u, c[j]).
func axpyRow64(c, k []float64, u float64) {
	c = c[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow64x512(&c[0], &k[0], done, u)
	case useAVX && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow64AVX(&c[0], &k[0], done, u)
	}
	axpyRowGo(c[done:], k[done:], u)
}

// axpyRow32 sets c[j] = fma(float64(k[j]), u, c[j]).
func axpyRow32(c []float64, k []float32, u float64) {
	c = c[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow32x512(&c[0], &k[0], done, u)
	case useAVX && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow32AVX(&c[0], &k[0], done, u)
	}
	axpyRowGo(c[done:], k[done:], u)
}

// axpyRowGo is the Go loop of axpyRow64 and axpyRow32.
func axpyRowGo[T float32 | float64](c []float64, k []T, u float64) {
	c = c[:len(k)]
	for j, x := range k {
		c[j] = math.FMA(float64(x), u, c[j])
	}
}

// toFloat32 sets dst[j] = float32(src[j]) (rounded to nearest even, as the
// conversion instructions do).
func toFloat32(dst []float32, src []float64) {
	src = src[:len(dst)]
	done := 0
	switch {
	case useAVX512 && len(dst) >= 16:
		done = len(dst) &^ 15
		toFloat32x512(&dst[0], &src[0], done)
	case useAVX && len(dst) >= 16:
		done = len(dst) &^ 15
		toFloat32AVX(&dst[0], &src[0], done)
	}
	for j := done; j < len(dst); j++ {
		dst[j] = float32(src[j])
	}
}

// axpyRows64 adds four rows: c[j] = fma(k3[j], u[3], fma(k2[j], u[2],
// fma(k1[j], u[1], fma(k0[j], u[0], c[j])))), the same bits as four
// axpyRow64 calls in row order with one pass over c.
func axpyRows64(c []float64, k *[4][]float64, u *[4]float64) {
	m := len(c)
	k0, k1, k2, k3 := k[0][:m], k[1][:m], k[2][:m], k[3][:m]
	done := 0
	switch {
	case useAVX512 && m >= 16:
		done = m &^ 15
		axpyRows64x512(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	case useAVX && m >= 16:
		done = m &^ 15
		axpyRows64AVX(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	}
	axpyRowsGo(c[done:], k0[done:], k1[done:], k2[done:], k3[done:], u)
}

// axpyRows32 is axpyRows64 for float32 rows.
func axpyRows32(c []float64, k *[4][]float32, u *[4]float64) {
	m := len(c)
	k0, k1, k2, k3 := k[0][:m], k[1][:m], k[2][:m], k[3][:m]
	done := 0
	switch {
	case useAVX512 && m >= 16:
		done = m &^ 15
		axpyRows32x512(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	case useAVX && m >= 16:
		done = m &^ 15
		axpyRows32AVX(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	}
	axpyRowsGo(c[done:], k0[done:], k1[done:], k2[done:], k3[done:], u)
}

// axpyRowsGo is the Go loop of axpyRows64 and axpyRows32.
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
