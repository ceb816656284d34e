package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRowKernelsBitIdentical: the dot products, the scaled row additions,
// the plan-row exponentials and the float32 conversion give the same bits with AVX-512, AVX2 and
// Go, at every length (the assembly takes a multiple of 16 or 8, Go the
// rest) and for float32 and float64 rows.
func TestRowKernelsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	for _, m := range []int{0, 1, 7, 15, 16, 17, 31, 33, 100, 257} {
		k64 := make([]float64, m)
		k32 := make([]float32, m)
		v := make([]float64, m)
		c := make([]float64, m)
		g := make([]float64, m)
		for j := range k64 {
			k64[j] = rng.ExpFloat64() * math.Exp(-20*rng.Float64())
			k32[j] = float32(k64[j])
			v[j] = rng.Float64() * 1e3
			c[j] = 4 * rng.Float64()
			g[j] = rng.NormFloat64()
		}
		g = append(g, 0)[:m]
		if m > 3 {
			g[3] = math.Inf(-1) // a zero weight
		}
		type out struct {
			d64, d32, mx float64
			a64, a32, e  []float64
			f32          []float32
		}
		run := func() out {
			var o out
			o.d64, o.d32 = DotRow64(k64, v), DotRow32(k32, v)
			o.a64 = append([]float64(nil), c...)
			o.a32 = append([]float64(nil), c...)
			AxpyRow64(o.a64, k64, 0.37)
			AxpyRow32(o.a32, k32, 1e-3)
			o.e = make([]float64, m)
			o.mx = PlanExpRow(o.e, c, g, 0.5, 1/0.07)
			o.f32 = make([]float32, m)
			ToFloat32(o.f32, v)
			return o
		}
		var ref out
		atLevel(levelGo, func() { ref = run() })
		// The Go dot product against a plain sum, to rounding.
		var plain float64
		for j := range k64 {
			plain += k64[j] * v[j]
		}
		if math.Abs(ref.d64-plain) > 1e-13*math.Abs(plain) {
			t.Fatalf("m=%d: dotRow64 %g, plain sum %g", m, ref.d64, plain)
		}
		for j := range ref.e {
			e := (0.5 + g[j] - c[j]) / 0.07
			want := math.Exp(e)
			if math.Abs(ref.e[j]-want) > 1e-15*(2+math.Abs(e))*want {
				t.Fatalf("m=%d: PlanExpRow[%d] = %g, want %g", m, j, ref.e[j], want)
			}
		}
		for _, level := range levels() {
			var got out
			atLevel(level, func() { got = run() })
			same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
			if !same(got.d64, ref.d64) || !same(got.d32, ref.d32) || !same(got.mx, ref.mx) {
				t.Fatalf("m=%d %s: dot %v/%v, dot32 %v/%v, max %v/%v", m, levelName[level], got.d64, ref.d64, got.d32, ref.d32, got.mx, ref.mx)
			}
			for j := 0; j < m; j++ {
				if !same(got.a64[j], ref.a64[j]) || !same(got.a32[j], ref.a32[j]) || !same(got.e[j], ref.e[j]) ||
					math.Float32bits(got.f32[j]) != math.Float32bits(ref.f32[j]) {
					t.Fatalf("m=%d %s: entry %d differs", m, levelName[level], j)
				}
			}
		}
	}
}

// TestAxpyRowsMatchesAxpyRow: adding four rows at once gives the bits of
// four single additions in row order, at every instruction-set level.
func TestAxpyRowsMatchesAxpyRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	for _, m := range []int{1, 15, 16, 33, 130} {
		var k64 [4][]float64
		var k32 [4][]float32
		for r := range k64 {
			k64[r], k32[r] = make([]float64, m), make([]float32, m)
			for j := range k64[r] {
				k64[r][j] = rng.ExpFloat64()
				k32[r][j] = float32(rng.ExpFloat64())
			}
		}
		u := [4]float64{0.3, 1e-3, 7, 2.5}
		c0 := make([]float64, m)
		for j := range c0 {
			c0[j] = rng.Float64()
		}
		for _, level := range levels() {
			atLevel(level, func() {
				one64, one32 := append([]float64(nil), c0...), append([]float64(nil), c0...)
				for r := range k64 {
					AxpyRow64(one64, k64[r], u[r])
					AxpyRow32(one32, k32[r], u[r])
				}
				four64, four32 := append([]float64(nil), c0...), append([]float64(nil), c0...)
				AxpyRows64(four64, &k64, &u)
				AxpyRows32(four32, &k32, &u)
				for j := range c0 {
					if math.Float64bits(one64[j]) != math.Float64bits(four64[j]) || math.Float64bits(one32[j]) != math.Float64bits(four32[j]) {
						t.Fatalf("m=%d %s: entry %d: %v/%v (float64), %v/%v (float32)", m, levelName[level], j, one64[j], four64[j], one32[j], four32[j])
					}
				}
			})
		}
	}
}
