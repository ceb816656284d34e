package otkit

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// lrKMeansIterations is the number of Lloyd iterations of the k-means
// start: the hubs only have to spread over the clouds, not converge.
const lrKMeansIterations = 10

// kmeansHubs returns r centres (r×d) of the union of the clouds x (n×d,
// weights a) and y (m×d, weights b): weighted k-means++ seeding from rng,
// then Lloyd iterations. Deterministic for a seed at any GOMAXPROCS
// (assignments are per point; centre sums are added in fixed blocks).
func kmeansHubs(x, y, a, b []float64, d, r int, rng *rand.Rand) []float64 {
	pts := append(append(make([]float64, 0, len(x)+len(y)), x...), y...)
	w := append(append(make([]float64, 0, len(a)+len(b)), a...), b...)
	n := len(w)
	z := make([]float64, r*d)
	dist := make([]float64, n)
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	sqd := func(i int, c []float64) float64 {
		var s float64
		for t, v := range pts[i*d : (i+1)*d] {
			s += (v - c[t]) * (v - c[t])
		}
		return s
	}
	// k-means++: each next centre is a point drawn with probability
	// ∝ w_i·(distance to the nearest centre)²; the first ∝ w_i.
	for k := 0; k < r; k++ {
		var total float64
		for i := range dist {
			if !math.IsInf(dist[i], 1) {
				total += w[i] * dist[i]
			} else {
				total += w[i]
			}
		}
		pick, u := n-1, rng.Float64()*total
		for i := range dist {
			p := w[i]
			if !math.IsInf(dist[i], 1) {
				p *= dist[i]
			}
			if u < p {
				pick = i
				break
			}
			u -= p
		}
		c := z[k*d : (k+1)*d]
		copy(c, pts[pick*d:(pick+1)*d])
		forRowBlocks(n, n*d, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				dist[i] = math.Min(dist[i], sqd(i, c))
			}
		})
	}
	assign := make([]int, n)
	nb := (n + lrBlockRows - 1) / lrBlockRows
	parts := make([]float64, nb*r*(d+1))
	for it := 0; it < lrKMeansIterations; it++ {
		clear(parts)
		forRowBlocks(n, n*r*d, func(b, lo, hi int) {
			acc := parts[b*r*(d+1) : (b+1)*r*(d+1)]
			for i := lo; i < hi; i++ {
				best, bk := math.Inf(1), 0
				for k := 0; k < r; k++ {
					if s := sqd(i, z[k*d:(k+1)*d]); s < best {
						best, bk = s, k
					}
				}
				assign[i] = bk
				ck := acc[bk*(d+1) : (bk+1)*(d+1)]
				for t, v := range pts[i*d : (i+1)*d] {
					ck[t] += w[i] * v
				}
				ck[d] += w[i]
			}
		})
		sums := make([]float64, r*(d+1))
		for b := 0; b < nb; b++ {
			for t, v := range parts[b*r*(d+1) : (b+1)*r*(d+1)] {
				sums[t] += v
			}
		}
		for k := 0; k < r; k++ {
			if m := sums[k*(d+1)+d]; m > 0 { // an empty cluster keeps its centre
				for t := 0; t < d; t++ {
					z[k*d+t] = sums[k*(d+1)+t] / m
				}
			}
		}
	}
	return z
}

// hubFactor writes into q (n×r) the entropic coupling (Sinkhorn, OTT's
// default ε = 0.05·std of the costs) between the points pts (n×d, weights
// w) and the hubs z (r×d, weights g). It reports false if that solve
// fails, and the caller then starts from the rank-2 factors.
func hubFactor(q, pts, w, z, g []float64, d int) bool {
	n, r := len(w), len(g)
	geom, err := NewPointCloud(mat.NewDense(n, d, pts), mat.NewDense(r, d, z), PointCloudOptions{})
	if err != nil {
		return false
	}
	res, err := Sinkhorn(geom, w, g, SinkhornOptions{})
	if err != nil {
		return false
	}
	copy(q, res.Matrix().RawMatrix().Data)
	return finiteVec(q)
}
