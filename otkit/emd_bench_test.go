package otkit

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkEMD1000: 1000 × 1000 squared Euclidean costs between 2-D clouds,
// non-uniform weights (bench/emdbench compares with POT).
func BenchmarkEMD1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(1000, 14))
	n := 1000
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	a, w := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
		y.Set(i, 0, rng.NormFloat64()+1)
		y.Set(i, 1, rng.NormFloat64()+1)
		a[i], w[i] = 0.5+rng.Float64(), 0.5+rng.Float64()
	}
	sa, sw := sum(a), sum(w)
	for i := range a {
		a[i] /= sa
		w[i] /= sw
	}
	g, _ := NewPointCloud(x, y, PointCloudOptions{Epsilon: 1})
	c := g.CostMatrix()
	for b.Loop() {
		if _, err := EMD(c, a, w, EMDOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
