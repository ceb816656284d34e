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
