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
func expSumPFAVX(z *float64, n int, shift float64, sums *[8]float64, pf *float64)

//go:noescape
func accColShiftAVX(c *float64, n int, hi, invEps float64, mx, s, next *float64)

//go:noescape
func expVecAVX(dst, src *float64, n int)

//go:noescape
func expVec512(dst, src *float64, n int)

//go:noescape
func zDenseMax512(c, h, z *float64, n int, invEps float64) float64

//go:noescape
func zPC2Max512(a, y0, y1, z *float64, n int, x0, x1 float64) float64

//go:noescape
func expSum512(z *float64, n int, shift float64, sums *[8]float64, pf *float64)

//go:noescape
func accColShift512(c *float64, n int, hi, invEps float64, mx, s, next *float64)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)

func xgetbv0() uint32

// useAVX selects the AVX2 assembly loops and useAVX512 (which needs
// useAVX) their AVX-512 versions, twice as wide; tests switch them off to
// exercise the other paths, which give bit-identical results.
var (
	useAVX    = hasAVX2FMA()
	useAVX512 = useAVX && hasAVX512F()
)

// hasAVX512F reports whether the CPU and the OS support AVX-512 Foundation
// (opmask and all 512-bit register state enabled in XCR0).
func hasAVX512F() bool {
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<16) != 0 && xgetbv0()&0xe6 == 0xe6
}

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

//go:noescape
func zDenseExpSum512(c, h *float64, n int, invEps, shift float64, sums *[8]float64, pf *float64) float64

//go:noescape
func zPC2ExpSum512(a, y0, y1 *float64, n int, x0, x1, shift float64, sums *[8]float64) float64

//go:noescape
func planExpRowAVX(dst, c, h *float64, n int, fi, inv float64) float64

//go:noescape
func planExpRow512(dst, c, h *float64, n int, fi, inv float64) float64
