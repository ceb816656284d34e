package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpNegAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	const n = 200000
	src := make([]float64, n)
	for i := range src {
		switch i % 3 {
		case 0: // uniform over the whole range used by the kernels
			src[i] = -708 * float64(i) / n
		case 1: // near 0, where the Sinkhorn terms that matter live
			src[i] = -rng.Float64() * 40
		default: // positive inputs work too
			src[i] = rng.Float64() * 700
		}
	}
	src[0], src[1], src[2] = 0, -708, -1e-300
	dst := make([]float64, n)
	ExpVec(dst, src)
	worst := 0.0
	for i, x := range src {
		want := math.Exp(x)
		if e := math.Abs(dst[i]-want) / want; e > worst {
			worst = e
		}
		if g := ExpNeg(x); g != dst[i] {
			t.Fatalf("ExpNeg(%v) = %v, vector exp gives %v", x, g, dst[i])
		}
	}
	avx2 := make([]float64, n)
	atLevel(levelAVX2, func() { ExpVec(avx2, src) })
	for i := range dst {
		if avx2[i] != dst[i] {
			t.Fatalf("exp(%v): AVX2 gives %v, best level %v", src[i], avx2[i], dst[i])
		}
	}
	if worst > 1e-15 {
		t.Errorf("exp max relative error %.3g, want ≤ 1e-15", worst)
	}
	t.Logf("exp max relative error vs math.Exp over [-708, 700]: %.3g", worst)

	special := []float64{math.Inf(-1), math.NaN(), -708.0000001, -745, -1e300, -math.MaxFloat64}
	for len(special)%8 != 0 {
		special = append(special, math.Inf(-1))
	}
	for len(special)%16 != 0 {
		special = append(special, -1e6)
	}
	for _, level := range levels() {
		out := make([]float64, len(special))
		atLevel(level, func() { ExpVec(out, special) })
		for i, x := range special {
			if out[i] != 0 || math.Signbit(out[i]) || ExpNeg(x) != 0 {
				t.Errorf("%s: exp(%v) = %v (vector) %v (scalar), want +0", levelName[level], x, out[i], ExpNeg(x))
			}
		}
	}
}

// TestExpNeg32Accuracy measures expNeg32 against math.Exp over the range the
// kernels use, in units of the float32 unit roundoff 2^-24.
func TestExpNeg32Accuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 32))
	const n = 300000
	worst, worstX := 0.0, float32(0)
	for i := 0; i < n; i++ {
		var x float32
		if i%2 == 0 {
			x = float32(-87 * float64(i) / n)
		} else {
			x = float32(-rng.Float64() * 20)
		}
		got := float64(ExpNeg32(x))
		want := math.Exp(float64(x))
		if e := math.Abs(got-want) / want / 0x1p-24; e > worst {
			worst, worstX = e, x
		}
	}
	t.Logf("expNeg32: worst relative error %.2f units of 2^-24 (at x = %v)", worst, worstX)
	if worst > 3 {
		t.Errorf("expNeg32: relative error %.2f·2^-24 at x = %v, want ≤ 3", worst, worstX)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {-88, 0}, {float32(math.Inf(-1)), 0}, {float32(math.NaN()), 0},
	} {
		if got := ExpNeg32(c.x); got != c.want {
			t.Errorf("ExpNeg32(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// TestExp32PathsBitwise checks that the AVX-512, AVX2 and pure-Go float32
// exps give the same bits.
func TestExp32PathsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 32))
	src := make([]float32, 4099)
	for i := range src {
		src[i] = float32(-rng.Float64() * 100)
	}
	src[3], src[17], src[40] = float32(math.Inf(-1)), float32(math.NaN()), -87
	run := func(level int) []float32 {
		dst := make([]float32, len(src))
		atLevel(level, func() { ExpVec32(dst, src) })
		return dst
	}
	want := run(levelGo)
	for _, level := range levels() {
		got := run(level)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: exp32(%v) = %v, pure Go %v", levelName[level], src[i], got[i], want[i])
			}
		}
	}
}

// TestExpSum32PathsBitwise checks that the AVX-512, AVX2 and pure-Go
// float32 exp sums (eight-term float32 trees per 128 terms, pairs per 32,
// single terms) give the same bits at lengths around those group sizes.
func TestExpSum32PathsBitwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 32))
	z := make([]float32, 2048+161)
	for i := range z {
		z[i] = float32(-rng.Float64() * 30)
	}
	z[5], z[130], z[300] = float32(math.Inf(-1)), -90, 0
	for _, n := range []int{1, 31, 32, 33, 96, 127, 128, 129, 160, 255, 256, 415, 2048, len(z)} {
		run := func(level int) [16]float64 {
			var sums [16]float64
			atLevel(level, func() { ExpSum32(z[:n], -0.5, &sums, nil) })
			return sums
		}
		want := run(levelGo)
		for _, level := range levels() {
			if got := run(level); got != want {
				t.Fatalf("n=%d %s: sums %v, pure Go %v", n, levelName[level], got, want)
			}
		}
		total := 0.0
		for _, v := range want {
			total += v
		}
		exact := 0.0
		for _, v := range z[:n] {
			exact += math.Exp(float64(v) + 0.5)
		}
		if d := math.Abs(total-exact) / exact; d > 1e-6 {
			t.Errorf("n=%d: sum %v, float64 exact %v (relative %.1e)", n, total, exact, d)
		}
	}
}
