package simd

import (
	"flag"
	"math"
	"math/big"
	"testing"
)

var exp32Stride = flag.Int("exp32-stride", 97,
	"TestExpNeg32Ulp checks every n-th float32 of [-87, 0]; 1 checks all of them (about 25 s)")

// TestExp32Tables checks exp32Table and exp32Delta against 2^(j/16)
// computed with math/big: s_j is the float32 nearest 2^(j/16) and δ_j the
// float32 nearest 2^(j/16)/s_j − 1.
func TestExp32Tables(t *testing.T) {
	const prec = 200
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for range 4 {
		root.Sqrt(root)
	}
	v := new(big.Float).SetPrec(prec).SetInt64(1)
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	for j := range exp32Table {
		s, _ := v.Float32()
		if got := exp32Table[j]; got != math.Float32bits(s) {
			t.Errorf("exp32Table[%d] holds %#x, want %#x", j, got, math.Float32bits(s))
		}
		d := new(big.Float).SetPrec(prec).Quo(v, new(big.Float).SetPrec(prec).SetFloat64(float64(s)))
		dv, _ := d.Sub(d, one).Float32()
		if exp32Delta[j] != math.Float32bits(dv) {
			t.Errorf("exp32Delta[%d] = %#x, want %#x", j, exp32Delta[j], math.Float32bits(dv))
		}
		v.Mul(v, root)
	}
}

// TestExpNeg32Ulp sweeps the float32s of [−87, 0] (every -exp32-stride-th
// bit pattern, all of them with -exp32-stride=1) and asserts that expNeg32
// is within 0.65 ulp of e^x (math.Exp in float64) and at most one ulp from
// the correctly rounded value; the AVX-512 and AVX2 loops must give the
// pure-Go bits.
func TestExpNeg32Ulp(t *testing.T) {
	stride := uint32(max(1, *exp32Stride))
	const lo, hi = 0x80000000, 0xc2ae0000 // −0 and −87
	worst, worstX, farthest, count := 0.0, float32(0), 0, 0
	const chunk = 1 << 16
	src := make([]float32, 0, chunk)
	best := make([]float32, chunk+8) // room for the edge cases appended to the last chunk
	avx2 := make([]float32, chunk+8)
	check := func(src []float32) {
		ExpVec32(best[:len(src)], src)
		atLevel(levelAVX2, func() { ExpVec32(avx2[:len(src)], src) })
		for i, x := range src {
			got := ExpNeg32(x)
			if math.Float32bits(best[i]) != math.Float32bits(got) || math.Float32bits(avx2[i]) != math.Float32bits(got) {
				t.Fatalf("exp32(%v): pure Go %v, best level %v, AVX2 %v", x, got, best[i], avx2[i])
			}
			if !(x >= exp32Low) {
				if got != 0 || math.Signbit(float64(got)) {
					t.Errorf("ExpNeg32(%v) = %v, want +0", x, got)
				}
				continue
			}
			count++
			exact := math.Exp(float64(x))
			rounded := float32(exact)
			// ulp of the exact value: the gap above its float32 rounding, or
			// below it when that rounding is a power of two approached from
			// below.
			ulp := float64(math.Float32frombits(math.Float32bits(rounded)+1)) - float64(rounded)
			if float64(rounded) > exact && math.Float32bits(rounded)&0x7fffff == 0 {
				ulp /= 2
			}
			if e := math.Abs(float64(got)-exact) / ulp; e > worst {
				worst, worstX = e, x
			}
			d := int(int64(math.Float32bits(got)) - int64(math.Float32bits(rounded)))
			farthest = max(farthest, d, -d)
		}
	}
	for b := uint64(lo); b <= hi; b += uint64(stride) {
		src = append(src, math.Float32frombits(uint32(b)))
		if len(src) == chunk {
			check(src)
			src = src[:0]
		}
	}
	check(append(src, -87, float32(math.Inf(-1)), float32(math.NaN()), -88, 0))
	t.Logf("%d float32s of [-87, 0]: within %.3f ulp (at x = %v), at most %d ulp from the rounded value",
		count, worst, worstX, farthest)
	if worst > 0.65 || farthest > 1 {
		t.Errorf("expNeg32: %.3f ulp at x = %v, %d ulp from the rounded value; want ≤ 0.65 and ≤ 1", worst, worstX, farthest)
	}
}

// BenchmarkExp32Table times ExpVec32 on one goroutine over an in-cache
// buffer, at each instruction-set level.
//
//	go test ./otkit/internal/simd -run '^$' -bench Exp32Table -cpu 1 -count 5
func BenchmarkExp32Table(b *testing.B) {
	src := make([]float32, expCeilingLen)
	for i := range src {
		src[i] = float32(-30 * float64(i) / expCeilingLen)
	}
	dst := make([]float32, expCeilingLen)
	for _, level := range levels() {
		b.Run(levelName[level], func(b *testing.B) {
			atLevel(level, func() {
				for b.Loop() {
					ExpVec32(dst, src)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*expCeilingLen), "ns/exp")
		})
	}
}
