//go:build !amd64 || noasm

package simd

import "math"

// The kernels without assembly: their Go loops over every entry
// (kernels_amd64.go documents each in full).

// ExpVec sets dst[j] = ExpNeg(src[j]).
func ExpVec(dst, src []float64) { expVecGo(dst[:len(src)], src, 0) }

// DenseMax writes z_j = (h_j − c_j)·invEps and returns the largest.
func DenseMax(z, c, h []float64, invEps float64) float64 {
	n := len(c)
	return denseMaxGo(z[:n], c, h[:n], invEps, 0, math.Inf(-1))
}

// PC2Max writes z_j = a_j + x0·y0_j + x1·y1_j and returns the largest.
func PC2Max(z, a, y0, y1 []float64, x0, x1 float64) float64 {
	n := len(a)
	return pc2MaxGo(z[:n], a, y0[:n], y1[:n], x0, x1, 0, math.Inf(-1))
}

// ExpSum adds exp(z_j − shift) to sums[j mod 8].
func ExpSum(z []float64, shift float64, sums *[8]float64, next []float64) {
	expSumGo(z, shift, sums, 0)
}

// DenseExpSum is DenseMax into z followed by ExpSum.
func DenseExpSum(z, c, h []float64, invEps, shift float64, sums *[8]float64, next []float64) float64 {
	z = z[:len(c)]
	mx := DenseMax(z, c, h, invEps)
	ExpSum(z, shift, sums, next)
	return mx
}

// PC2ExpSum is PC2Max into z followed by ExpSum.
func PC2ExpSum(z, a, y0, y1 []float64, x0, x1, shift float64, sums *[8]float64) float64 {
	z = z[:len(a)]
	mx := PC2Max(z, a, y0, y1, x0, x1)
	ExpSum(z, shift, sums, nil)
	return mx
}

// AccColShift folds z_j = (hi − c_j)·invEps into the column states (mx_j, s_j).
func AccColShift(c []float64, hi, invEps float64, mx, s, next []float64) {
	accColGo(c, hi, invEps, mx[:len(c)], s[:len(c)], 0)
}

// PlanExpRow sets dst_j = exp((fi + g_j − c_j)·inv) and returns the largest exponent.
func PlanExpRow(dst, c, g []float64, fi, inv float64) float64 {
	return planExpRowGo(dst, c[:len(dst)], g[:len(dst)], fi, inv, 0, math.Inf(-1))
}

// ExpVec32 sets dst[j] = ExpNeg32(src[j]).
func ExpVec32(dst, src []float32) { expVec32Go(dst[:len(src)], src, 0) }

// DenseMax32 is DenseMax in float32.
func DenseMax32(z, c, h []float32, inv float32) float32 {
	n := len(c)
	return denseMax32Go(z[:n], c, h[:n], inv, 0, negInf32)
}

// PC2Max32 is PC2Max in float32.
func PC2Max32(z, a, y0, y1 []float32, x0, x1 float32) float32 {
	n := len(a)
	return pc2Max32Go(z[:n], a, y0[:n], y1[:n], x0, x1, 0, negInf32)
}

// ExpSum32 adds the float32 exps of z_j − shift to sixteen float64 lane sums.
func ExpSum32(z []float32, shift float32, sums *[16]float64, next []float32) {
	k := len(z) &^ 31
	expSum32Groups(z[:k], shift, sums)
	expSum32Go(z, shift, sums, k)
}

// DenseExpSum32 is DenseMax32 into z followed by ExpSum32.
func DenseExpSum32(z, c, h []float32, inv, shift float32, sums *[16]float64, next []float32) float32 {
	z = z[:len(c)]
	mx := DenseMax32(z, c, h, inv)
	ExpSum32(z, shift, sums, next)
	return mx
}

// PC2ExpSum32 is PC2Max32 into z followed by ExpSum32.
func PC2ExpSum32(z, a, y0, y1 []float32, x0, x1, shift float32, sums *[16]float64) float32 {
	z = z[:len(a)]
	mx := PC2Max32(z, a, y0, y1, x0, x1)
	ExpSum32(z, shift, sums, nil)
	return mx
}

// DotRow64 returns Σ_j k_j·v_j in the lane order of rows.go.
func DotRow64(k, v []float64) float64 {
	var acc [DotLanes]float64
	dotRowGo(&acc, k, v[:len(k)], 0)
	return reduceLanes(&acc)
}

// DotRow32 is DotRow64 for a float32 row.
func DotRow32(k []float32, v []float64) float64 {
	var acc [DotLanes]float64
	dotRowGo(&acc, k, v[:len(k)], 0)
	return reduceLanes(&acc)
}

// AxpyRow64 sets c[j] = fma(k[j], u, c[j]).
func AxpyRow64(c, k []float64, u float64) { axpyRowGo(c[:len(k)], k, u) }

// AxpyRow32 sets c[j] = fma(float64(k[j]), u, c[j]).
func AxpyRow32(c []float64, k []float32, u float64) { axpyRowGo(c[:len(k)], k, u) }

// ToFloat32 sets dst[j] = float32(src[j]).
func ToFloat32(dst []float32, src []float64) { toFloat32Go(dst, src[:len(dst)], 0) }

// AxpyRows64 adds four scaled rows into c.
func AxpyRows64(c []float64, k *[4][]float64, u *[4]float64) {
	axpyRowsGo(c, k[0], k[1], k[2], k[3], u)
}

// AxpyRows32 is AxpyRows64 for float32 rows.
func AxpyRows32(c []float64, k *[4][]float32, u *[4]float64) {
	axpyRowsGo(c, k[0], k[1], k[2], k[3], u)
}
