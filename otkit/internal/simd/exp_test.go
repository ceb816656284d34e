package simd

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExpTableEntries checks expTable against 2^(j/16) computed with
// math/big (fourth square root of 2, powers, 200 bits): every entry must
// be the correctly rounded value.
func TestExpTableEntries(t *testing.T) {
	const prec = 200
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for range 4 {
		root.Sqrt(root)
	}
	v := new(big.Float).SetPrec(prec).SetInt64(1)
	for j := range expTable {
		want, _ := v.Float64() // rounds to nearest even
		if got := expTable[j]; got != math.Float64bits(want) {
			t.Errorf("expTable[%d] holds %#x, want %#x (2^(%d/16))", j, got, math.Float64bits(want), j)
		}
		v.Mul(v, root)
	}
}

// TestExpTableAccuracy measures ExpNeg against math.Exp at 1e7 points of
// the kernels' domain and at its edges, asserts the 1e-15 bound the kernels
// need, and checks that the AVX-512 and AVX2 loops give the pure-Go bits.
func TestExpTableAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("1e7 points")
	}
	rng := rand.New(rand.NewPCG(12, 3))
	const chunk = 1 << 16
	src := make([]float64, chunk)
	vec := make([]float64, chunk)
	worst, worstX := 0.0, 0.0
	avx2 := make([]float64, chunk)
	check := func(src []float64) {
		ExpVec(vec[:len(src)], src)
		atLevel(levelAVX2, func() { ExpVec(avx2[:len(src)], src) })
		for i, x := range src {
			got := ExpNeg(x)
			if math.Float64bits(got) != math.Float64bits(vec[i]) {
				t.Fatalf("ExpNeg(%v) = %v, vector loop gives %v", x, got, vec[i])
			}
			if math.Float64bits(avx2[i]) != math.Float64bits(vec[i]) {
				t.Fatalf("ExpVec(%v): AVX2 gives %v, best level %v", x, avx2[i], vec[i])
			}
			want := math.Exp(x)
			if !(x >= expLow) {
				want = 0 // the flush-to-zero contract of ExpNeg
			}
			if got == want {
				continue
			}
			e := math.Abs(got-want) / want
			if !(e <= worst) {
				worst, worstX = e, x
			}
		}
	}
	const points = 10_000_000
	for done := 0; done < points; done += chunk {
		for i := range src {
			switch i % 4 {
			case 0: // uniform over the kernels' domain
				src[i] = expLow * rng.Float64()
			case 1: // near 0, where the terms that matter live
				src[i] = -40 * rng.Float64()
			case 2: // next to a boundary of the reduction, |r| ≈ (log 2)/32
				k := -float64(rng.IntN(16340)) - 0.5 // k·(log 2)/16 ≥ −708
				src[i] = k*(math.Ln2/16) + (rng.Float64()-0.5)*1e-12
			default: // positive arguments, up to the documented limit
				src[i] = 709 * rng.Float64()
			}
		}
		check(src)
	}
	edges := []float64{0, math.Copysign(0, -1), -1e-300, -math.SmallestNonzeroFloat64, 1e-300,
		expLow, math.Nextafter(expLow, 0), math.Nextafter(expLow, math.Inf(-1)), -745, -1e300,
		-math.MaxFloat64, math.Inf(-1), math.NaN(), -math.Ln2 / 32, math.Ln2 / 32, -math.Ln2 / 16,
		708.9, -1, -0.5, -20}
	for len(edges)%16 != 0 {
		edges = append(edges, -math.Ln2*float64(len(edges)))
	}
	check(edges)
	for _, x := range []float64{-708.0000001, -745, math.Inf(-1), math.NaN()} {
		if g := ExpNeg(x); g != 0 || math.Signbit(g) {
			t.Errorf("ExpNeg(%v) = %v, want +0", x, g)
		}
	}
	if ExpNeg(0) != 1 {
		t.Errorf("ExpNeg(0) = %v, want 1", ExpNeg(0))
	}
	t.Logf("max relative error vs math.Exp over %d points: %.3g (at x = %v)", points, worst, worstX)
	if worst > 1e-15 {
		t.Errorf("expNeg: max relative error %.3g at x = %v, want ≤ 1e-15", worst, worstX)
	}
}

// BenchmarkExpTable times ExpVec on one goroutine over an in-cache buffer
// (as BenchmarkExpCeiling), at each instruction-set level.
//
//	go test ./otkit/internal/simd -run '^$' -bench ExpTable -cpu 1 -count 5
func BenchmarkExpTable(b *testing.B) {
	src := make([]float64, expCeilingLen)
	rng := rand.New(rand.NewPCG(1, 0))
	for i := range src {
		src[i] = -30 * rng.Float64()
	}
	dst := make([]float64, expCeilingLen)
	for _, level := range levels() {
		b.Run(levelName[level], func(b *testing.B) {
			atLevel(level, func() {
				for b.Loop() {
					ExpVec(dst, src)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*expCeilingLen), "ns/exp")
		})
	}
}
