package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLSEKernelsBitIdentical: every log-sum-exp row kernel, float64 and
// float32, gives the Go loop's bits at every instruction-set level and
// every length around the vector widths (the assembly takes a multiple of
// 8, 16 or 32, Go the rest), with −Inf potentials, terms that exceed the
// shift (the one-pass sums' redo case) and terms far below it (flushed).
func TestLSEKernelsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	type out struct {
		z, s, mx []float64
		z32      []float32
		sums     [][8]float64
		sums32   [][16]float64
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 1029} {
		c, h, a, y0, y1, next := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		c32, h32, a32, y032, y132 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for j := range c {
			c[j] = 3 * rng.Float64()
			h[j] = rng.NormFloat64()
			a[j] = -rng.ExpFloat64()
			y0[j], y1[j] = rng.NormFloat64(), rng.NormFloat64()
			next[j] = rng.Float64()
			c32[j], h32[j], a32[j], y032[j], y132[j] = float32(c[j]), float32(h[j]), float32(a[j]), float32(y0[j]), float32(y1[j])
		}
		if n > 5 {
			h[2], h32[2] = math.Inf(-1), float32(math.Inf(-1))
			h[5], h32[5] = 50, 50 // exceeds the shift below by more than the float32 slack
		}
		run := func() out {
			var o out
			z := make([]float64, n)
			z32 := make([]float32, n)
			var sums [8]float64
			var sums32 [16]float64
			inv := 1 / 0.05
			o.mx = append(o.mx, DenseMax(z, c, h, inv))
			o.z = append(o.z, z...)
			o.mx = append(o.mx, PC2Max(z, a, y0, y1, 0.3, -1.7))
			o.z = append(o.z, z...)
			if n > 0 {
				ExpSum(z, -2, &sums, next)
				o.sums = append(o.sums, sums)
				ExpSum(z, 1, &sums, nil)
				o.sums = append(o.sums, sums)
			}
			for _, shift := range []float64{0, -400, 30} {
				sums = [8]float64{}
				o.mx = append(o.mx, DenseExpSum(z, c, h, inv, shift, &sums, next))
				o.sums = append(o.sums, sums)
				sums = [8]float64{}
				o.mx = append(o.mx, PC2ExpSum(z, a, y0, y1, 0.3, -1.7, shift, &sums))
				o.sums = append(o.sums, sums)
			}
			mx, s := make([]float64, n), make([]float64, n)
			for j := range mx {
				mx[j] = math.Inf(-1)
			}
			for _, hi := range []float64{0, 20, -30, 0.5} { // rows whose exponents move the shifts
				AccColShift(c, hi, inv, mx, s, next)
			}
			o.s = append(append(o.s, mx...), s...)
			o.mx = append(o.mx, float64(DenseMax32(z32, c32, h32, 20)))
			o.z32 = append(o.z32, z32...)
			o.mx = append(o.mx, float64(PC2Max32(z32, a32, y032, y132, 0.3, -1.7)))
			o.z32 = append(o.z32, z32...)
			for _, shift := range []float32{0, -50, 20} {
				if n == 0 {
					break // ExpSum32 takes a non-empty block
				}
				sums32 = [16]float64{}
				o.mx = append(o.mx, float64(DenseExpSum32(z32, c32, h32, 20, shift, &sums32, nil)))
				o.sums32 = append(o.sums32, sums32)
				sums32 = [16]float64{}
				o.mx = append(o.mx, float64(PC2ExpSum32(z32, a32, y032, y132, 0.3, -1.7, shift, &sums32)))
				o.sums32 = append(o.sums32, sums32)
			}
			return o
		}
		var ref out
		atLevel(levelGo, func() { ref = run() })
		for _, level := range levels() {
			var got out
			atLevel(level, func() { got = run() })
			if !sameBits(got.z, ref.z) || !sameBits(got.s, ref.s) || !sameBits(got.mx, ref.mx) {
				t.Fatalf("n=%d %s: float64 exponents, column states or maxima differ from Go", n, levelName[level])
			}
			for k := range ref.z32 {
				if math.Float32bits(got.z32[k]) != math.Float32bits(ref.z32[k]) {
					t.Fatalf("n=%d %s: float32 exponent %d: %v, Go %v", n, levelName[level], k, got.z32[k], ref.z32[k])
				}
			}
			for k := range ref.sums {
				if !sameBits(got.sums[k][:], ref.sums[k][:]) {
					t.Fatalf("n=%d %s: float64 sums %d: %v, Go %v", n, levelName[level], k, got.sums[k], ref.sums[k])
				}
			}
			for k := range ref.sums32 {
				if !sameBits(got.sums32[k][:], ref.sums32[k][:]) {
					t.Fatalf("n=%d %s: float32 sums %d: %v, Go %v", n, levelName[level], k, got.sums32[k], ref.sums32[k])
				}
			}
		}
	}
}

func sameBits(x, y []float64) bool {
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if math.Float64bits(x[k]) != math.Float64bits(y[k]) {
			return false
		}
	}
	return true
}
