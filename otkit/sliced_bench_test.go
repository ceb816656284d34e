package otkit

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkSliced200k: two 200 000-point 3-D clouds, 10 directions.
func BenchmarkSliced200k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200000
	x, y := mat.NewDense(n, 3, nil), mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			x.Set(i, c, rng.NormFloat64())
			y.Set(i, c, rng.NormFloat64()+1)
		}
	}
	for b.Loop() {
		if _, err := SlicedWasserstein(x, y, nil, nil, SlicedOptions{Projections: 10, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWasserstein1DWalk: the quantile walk alone (sorted input, so the
// sort is a cheap pass) on 200 000 against 300 000 points, uniform and
// weighted.
func BenchmarkWasserstein1DWalk(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	u, v := make([]float64, 200000), make([]float64, 300000)
	for i := range u {
		u[i] = float64(i) / 200000
	}
	for j := range v {
		v[j] = float64(j)/300000 + 0.5
	}
	wu, wv := lineWeights(rng, len(u), false), lineWeights(rng, len(v), false)
	for _, c := range []struct {
		name   string
		wu, wv []float64
	}{{"uniform", nil, nil}, {"weighted", wu, wv}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Wasserstein1D(u, v, c.wu, c.wv, Wasserstein1DOptions{P: 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
