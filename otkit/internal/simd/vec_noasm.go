//go:build !amd64 || noasm

package simd

import "math"

// Without assembly the vector parts do nothing and every kernel runs its Go
// loop over all entries (vec_amd64.go has the assembly versions).

func denseMaxAsm(z, c, h []float64, invEps float64) (int, float64) { return 0, math.Inf(-1) }

func pc2MaxAsm(z, a, y0, y1 []float64, x0, x1 float64) (int, float64) { return 0, math.Inf(-1) }

func expSumAsm(z []float64, shift float64, sums *[8]float64, next []float64) int { return 0 }

func denseExpSumAsm(c, h []float64, invEps, shift float64, sums *[8]float64, next []float64) (int, float64) {
	return 0, math.Inf(-1)
}

func pc2ExpSumAsm(a, y0, y1 []float64, x0, x1, shift float64, sums *[8]float64) (int, float64) {
	return 0, math.Inf(-1)
}

func accColShiftAsm(c []float64, hi, invEps float64, mx, s, next []float64) int { return 0 }

func expVecAsm(dst, src []float64) int { return 0 }

func planExpRowAsm(dst, c, g []float64, fi, inv float64) (int, float64) { return 0, math.Inf(-1) }

func expVec32Asm(dst, src []float32) int { return 0 }

func denseMax32Asm(z, c, h []float32, inv float32) (int, float32) { return 0, float32(math.Inf(-1)) }

func pc2Max32Asm(z, a, y0, y1 []float32, x0, x1 float32) (int, float32) {
	return 0, float32(math.Inf(-1))
}

func expSum32Asm(z []float32, shift float32, sums *[16]float64, pf *float32) bool { return false }

func denseExpSum32Asm(c, h []float32, inv, shift float32, sums *[16]float64, next []float32) (int, float32) {
	return 0, float32(math.Inf(-1))
}

func pc2ExpSum32Asm(a, y0, y1 []float32, x0, x1, shift float32, sums *[16]float64) (int, float32) {
	return 0, float32(math.Inf(-1))
}

func dotRow64Asm(k, v []float64, acc *[DotLanes]float64) int { return 0 }

func dotRow32Asm(k []float32, v []float64, acc *[DotLanes]float64) int { return 0 }

func axpyRow64Asm(c, k []float64, u float64) int { return 0 }

func axpyRow32Asm(c []float64, k []float32, u float64) int { return 0 }

func toFloat32Asm(dst []float32, src []float64) int { return 0 }

func axpyRows64Asm(c, k0, k1, k2, k3 []float64, u *[4]float64) int { return 0 }

func axpyRows32Asm(c []float64, k0, k1, k2, k3 []float32, u *[4]float64) int { return 0 }
