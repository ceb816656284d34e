package otkit

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// splitMix64 is the generator of testdata/w1d/gen.py: integer arithmetic
// only, so Go and Python draw the same bits.
type splitMix64 struct{ state uint64 }

func (g *splitMix64) next() uint64 {
	g.state += 0x9E3779B97F4A7C15
	z := g.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (g *splitMix64) uniform() float64 { return float64(g.next()>>11) * 0x1p-53 }

// normalish is the sum of 12 uniforms minus 6, added left to right.
func (g *splitMix64) normalish() float64 {
	var s float64
	for k := 0; k < 12; k++ {
		s += g.uniform()
	}
	return s - 6
}

// w1dSample is gen.py's sample(): n values (+shift), optional integer
// weights, one value overwritten by the outlier when at ≥ 0.
func w1dSample(seed uint64, n int, shift float64, weighted bool, at int, outlier float64) ([]float64, []float64) {
	g := splitMix64{seed}
	x := make([]float64, n)
	for i := range x {
		x[i] = g.normalish() + shift
	}
	if at >= 0 {
		x[at] = outlier
	}
	if !weighted {
		return x, nil
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(1 + g.next()%1000)
	}
	return x, w
}

type w1dCase struct {
	Name      string  `json:"name"`
	N         int     `json:"n"`
	M         int     `json:"m"`
	SeedU     uint64  `json:"seed_u"`
	SeedV     uint64  `json:"seed_v"`
	ShiftV    float64 `json:"shift_v"`
	Weighted  bool    `json:"weighted"`
	OutlierIn string  `json:"outlier_in"`
	OutlierAt int     `json:"outlier_at"`
	Outlier   float64 `json:"outlier"`
	Results   []struct {
		P     float64 `json:"p"`
		POT   float64 `json:"pot"`
		Exact float64 `json:"exact"`
	} `json:"results"`
}

func (c w1dCase) samples() (u, v, wu, wv []float64) {
	at := func(s string) int {
		if c.OutlierIn == s {
			return c.OutlierAt
		}
		return -1
	}
	u, wu = w1dSample(c.SeedU, c.N, 0, c.Weighted, at("u"), c.Outlier)
	v, wv = w1dSample(c.SeedV, c.M, c.ShiftV, c.Weighted, at("v"), c.Outlier)
	return u, v, wu, wv
}

// The exact walk on large samples with a far outlier (the case:
// 200,000 against 300,000 points, one at 1e6) against an exact
// Fraction/Decimal walk and POT, both from testdata/w1d/gen.py. The float64
// walk that stopped when one sample ran out was 6e-7 low on the first case;
// POT, whose np.cumsum levels drift by ~n·1e-16, is within 1e-11.
func TestWasserstein1DLargeOutlierExact(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "w1d", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		POT   string    `json:"pot"`
		Cases []w1dCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 4 || file.Cases[0].N != 200000 || file.Cases[0].M != 300000 {
		t.Fatalf("cases.json does not start with the issue's 200,000 × 300,000 case (%d cases)", len(file.Cases))
	}
	for _, c := range file.Cases {
		u, v, wu, wv := c.samples()
		for _, r := range c.Results {
			res, err := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: r.P})
			if err != nil {
				t.Fatalf("%s p=%g: %v", c.Name, r.P, err)
			}
			// The exact value is rounded once; the walk's terms are
			// each rounded a few times and summed with compensation.
			if e := relDiff(res.Cost, r.Exact); e > 1e-14 {
				t.Errorf("%s p=%g: %.17g, exact %.17g (rel. error %.1e)", c.Name, r.P, res.Cost, r.Exact, e)
			}
			if e := relDiff(res.Cost, r.POT); e > 1e-10 {
				t.Errorf("%s p=%g: %.17g, POT %s %.17g (rel. diff %.1e)", c.Name, r.P, res.Cost, file.POT, r.POT, e)
			}
			t.Logf("%s p=%g: rel. error %.1e (POT's %.1e)", c.Name, r.P, relDiff(res.Cost, r.Exact), relDiff(r.POT, r.Exact))
		}
	}
}

// The walk against the big.Rat reference (exactW1D) on many small and
// mid-sized problems built to stress the levels: ties, zero weights, weights
// spanning 1e-300…1e300 (normalised without overflow), a far outlier at
// either end, and many atoms of one sample between two of the other.
func TestWasserstein1DAgainstExactWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 5))
	type gen func(k int) ([]float64, []float64)
	normal := func(shift float64, weighted bool) gen {
		return func(k int) ([]float64, []float64) {
			x := make([]float64, k)
			for i := range x {
				x[i] = rng.NormFloat64() + shift
			}
			if !weighted {
				return x, nil
			}
			return x, lineWeights(rng, k, true)
		}
	}
	cases := []struct {
		name   string
		u, v   gen
		n, m   int
		mutate func(u, v, wu, wv []float64)
	}{
		{"uniform", normal(0, false), normal(0.5, false), 3000, 4500, nil},
		{"outlier high in v", normal(0, false), normal(0.5, false), 20000, 30000, func(u, v, wu, wv []float64) { v[3] = 1e6 }},
		{"outlier low in u", normal(0, false), normal(0.5, false), 30000, 20000, func(u, v, wu, wv []float64) { u[0] = -1e9 }},
		{"ties", func(k int) ([]float64, []float64) {
			x := make([]float64, k)
			for i := range x {
				x[i] = float64(rng.IntN(5))
			}
			return x, nil
		}, normal(2, false), 700, 300, nil},
		{"weighted with zeros", normal(0, true), normal(0.5, true), 2000, 1500, func(u, v, wu, wv []float64) { u[1] = 1e5 }},
		{"weights 1e300", normal(0, true), normal(1, true), 500, 800, func(u, v, wu, wv []float64) {
			for i := range wu {
				wu[i] *= 1e300
			}
		}},
		{"weights 1e-300", normal(0, true), normal(1, true), 500, 800, func(u, v, wu, wv []float64) {
			for i := range wv {
				wv[i] *= 1e-300
			}
		}},
		{"one atom against many", normal(0, false), normal(0, false), 1, 5000, nil},
		{"coprime sizes", normal(0, false), normal(0, false), 997, 1009, func(u, v, wu, wv []float64) { v[0] = 1e7 }},
	}
	for _, c := range cases {
		u, wu := c.u(c.n)
		v, wv := c.v(c.m)
		if c.mutate != nil {
			c.mutate(u, v, wu, wv)
		}
		for _, p := range []int{1, 2, 3} {
			r, err := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: float64(p)})
			if err != nil {
				t.Fatalf("%s p=%d: %v", c.name, p, err)
			}
			want := exactW1D(u, v, wu, wv, p)
			if e := relDiff(r.Cost, want); e > 1e-14 {
				t.Errorf("%s p=%d: %.17g, exact %.17g (rel. error %.1e)", c.name, p, r.Cost, want, e)
			}
		}
	}
}

// The total of the weights must not matter, even when float64 cannot hold
// it or it is subnormal: the same problem with weights ×2^k for k from −1030
// to 1000 gives the same bits (the walk normalises by a power of two, then
// in double-double).
func TestWasserstein1DWeightScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	u, v := make([]float64, 40), make([]float64, 30)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	for j := range v {
		v[j] = rng.NormFloat64()
	}
	wu, wv := lineWeights(rng, 40, true), lineWeights(rng, 30, false)
	ref, err := Wasserstein1D(u, v, wu, wv, Wasserstein1DOptions{P: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{-1030, -1000, -600, -1, 1, 600, 1000} {
		su, sv := make([]float64, len(wu)), make([]float64, len(wv))
		for i, w := range wu {
			su[i] = math.Ldexp(w, k)
		}
		for j, w := range wv {
			sv[j] = math.Ldexp(w, k/2)
		}
		if k < -1022 { // subnormal weights keep ~44 bits: compare loosely
			r, err := Wasserstein1D(u, v, su, sv, Wasserstein1DOptions{P: 2})
			if err != nil || relDiff(r.Cost, ref.Cost) > 1e-10 {
				t.Fatalf("weights ×2^%d: %v, cost %v, want %v", k, err, r, ref.Cost)
			}
			continue
		}
		r, err := Wasserstein1D(u, v, su, sv, Wasserstein1DOptions{P: 2})
		if err != nil || r.Cost != ref.Cost {
			t.Fatalf("weights ×2^%d: %v, cost %v, want %v", k, err, r, ref.Cost)
		}
	}
}
