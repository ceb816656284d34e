package otkit

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// This file holds the synthetic data of the two tutorials that the project's
// notebooks reproduce, so that a notebook cell, a test and a benchmark all
// draw exactly the same points from one seed. OTT's tutorials draw with JAX's
// threefry generator, which we do not port: the shapes, scales and offsets
// match the tutorials, the individual points do not.

// TutorialFlowClouds returns the source and target clouds of the
// Sinkhorn-divergence gradient-flow tutorial: x holds 25 points of
// 0.25·N(0, I₂) and y holds 50 points of 0.5·N(0, I₂) shifted by (6, 0).
// The two clouds come from two independent streams derived from seed, so
// changing the size of one never changes the other.
func TutorialFlowClouds(seed uint64) (x, y *mat.Dense) {
	x = gaussianCloud(rand.New(rand.NewPCG(seed, 1)), 25, 0.25, 0, 0)
	y = gaussianCloud(rand.New(rand.NewPCG(seed, 2)), 50, 0.5, 6, 0)
	return x, y
}

// gaussianCloud draws n points of scale·N(0, I₂) + (cx, cy), row by row.
func gaussianCloud(rng *rand.Rand, n int, scale, cx, cy float64) *mat.Dense {
	p := mat.NewDense(n, 2, nil)
	for i := range n {
		p.Set(i, 0, cx+scale*rng.NormFloat64())
		p.Set(i, 1, cy+scale*rng.NormFloat64())
	}
	return p
}
