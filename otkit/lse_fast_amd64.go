//go:build !purego

package otkit

// Assembly inner loops (lse_fast_amd64.s), each the twin of a pure-Go loop
// in lse_fast.go; lengths are multiples of 8.

//go:noescape
func zDenseMaxAVX(c, h, z *float64, n int, invEps float64) float64

//go:noescape
func zPC2MaxAVX(a, y0, y1, z *float64, n int, x0, x1 float64) float64

//go:noescape
func expSumAVX(z *float64, n int, shift float64, sums *[8]float64)

//go:noescape
func accColDenseAVX(c *float64, n int, hi, invEps float64, mx, s *float64)

//go:noescape
func expVecAVX(dst, src *float64, n int)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)

func xgetbv0() uint32

// useAVX selects the assembly loops; tests switch it off to exercise the
// pure-Go loops, which give bit-identical results.
var useAVX = hasAVX2FMA()

// hasAVX2FMA reports whether the CPU and the OS support AVX2 and FMA3.
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if c1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xgetbv0()&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0
}
