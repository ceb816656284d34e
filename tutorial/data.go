package tutorial

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// The synthetic data of the two tutorials that the notebooks reproduce, so
// that a notebook cell, a test and a benchmark all draw exactly the same
// points from one seed. OTT's tutorials draw with JAX's threefry generator,
// which we do not port: the shapes, scales and offsets match the tutorials,
// the individual points do not.

// FlowClouds returns the source and target clouds of the
// Sinkhorn-divergence gradient-flow tutorial: x holds 25 points of
// 0.25·N(0, I₂) and y holds 50 points of 0.5·N(0, I₂) shifted by (6, 0).
// The two clouds come from two independent streams derived from seed, so
// changing the size of one never changes the other.
func FlowClouds(seed uint64) (x, y *mat.Dense) {
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

// GMMGenerators returns the two ground-truth mixtures of the
// coupled-GMM tutorial, in the tutorial's component
// order:
//
//	generator 0: means (2,−1), (−2,0), (4,3); covariances 3·[[.2,0],[0,.1]],
//	             3·[[.6,0],[0,.3]], 3·[[.5,−.4],[−.4,.5]]; weights .2, .2, .6
//	generator 1: means shifted by (1,−.5), (−1,−1), (−1,0); covariances
//	             R(θ)·Σ for θ = 5°, −5°, −10°; weights .4, .4, .2
//
// R(θ)·Σ is not symmetric (the rotation multiplies on the left only). The
// tutorial's Cholesky factorisation reads the symmetric part, so generator 1
// uses otkit.Symmetrize(R(θ)·Σ), which is positive definite for these angles.
func GMMGenerators() ([]*otkit.GaussianMixture, error) {
	means0 := [][]float64{{2, -1}, {-2, 0}, {4, 3}}
	covs0 := [][]float64{{0.2, 0, 0, 0.1}, {0.6, 0, 0, 0.3}, {0.5, -0.4, -0.4, 0.5}}
	shift := [][]float64{{1, -0.5}, {-1, -1}, {-1, 0}}
	degrees := []float64{5, -5, -10}

	var means1 [][]float64
	var c0, c1 []*mat.SymDense
	for k := range means0 {
		s := mat.NewDense(2, 2, nil)
		for i, v := range covs0[k] {
			s.Set(i/2, i%2, 3*v)
		}
		s0, err := otkit.Symmetrize(s)
		if err != nil {
			return nil, fmt.Errorf("tutorial: generator 0: %v", err)
		}
		c0 = append(c0, s0)
		th := degrees[k] * math.Pi / 180
		r := mat.NewDense(2, 2, []float64{math.Cos(th), -math.Sin(th), math.Sin(th), math.Cos(th)})
		var rs mat.Dense
		rs.Mul(r, s)
		s1, err := otkit.Symmetrize(&rs)
		if err != nil {
			return nil, fmt.Errorf("tutorial: generator 1: %v", err)
		}
		c1 = append(c1, s1)
		means1 = append(means1, []float64{means0[k][0] + shift[k][0], means0[k][1] + shift[k][1]})
	}
	g0, err := otkit.NewGaussianMixture(means0, c0, []float64{0.2, 0.2, 0.6})
	if err != nil {
		return nil, fmt.Errorf("tutorial: generator 0: %v", err)
	}
	g1, err := otkit.NewGaussianMixture(means1, c1, []float64{0.4, 0.4, 0.2})
	if err != nil {
		return nil, fmt.Errorf("tutorial: generator 1: %v", err)
	}
	return []*otkit.GaussianMixture{g0, g1}, nil
}

// GMMOrder returns m with its components rearranged so that
// component i is the one whose mean is nearest to refMeans[order[i]]. Use it
// on a mixture fitted to the pooled tutorial data, with refMeans the means of
// a tutorial generator (or the midpoints of the two generators' means).
//
// The order is not cosmetic for the pair fit. The weights are
// softmax([θ, 0]) with the last component as reference, so each Adam step
// moves the weights differently when the components are listed in another
// order, and the printed tables follow the listing. The tutorial's two runs
// list the pooled components differently (clusters 0, 1, 2 in the balanced
// run, 2, 1, 0 in the unbalanced one); starting from the same listing makes a
// run comparable with the tutorial's. It fails unless the nearest-mean
// matching is one to one.
func GMMOrder(m *otkit.GaussianMixture, refMeans [][]float64, order []int) (*otkit.GaussianMixture, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if len(order) != m.K() {
		return nil, fmt.Errorf("tutorial: GMMOrder: %d positions for %d components", len(order), m.K())
	}
	perm := make([]int, len(order))
	used := make(map[int]bool)
	for i, r := range order {
		if r < 0 || r >= len(refMeans) {
			return nil, fmt.Errorf("tutorial: GMMOrder: reference index %d out of range [0, %d)", r, len(refMeans))
		}
		if len(refMeans[r]) != m.Dim() {
			return nil, fmt.Errorf("tutorial: GMMOrder: reference mean %d has length %d, mixture dimension %d", r, len(refMeans[r]), m.Dim())
		}
		best, bestD := -1, math.Inf(1)
		for k, mu := range m.Loc {
			d := 0.0
			for j := range mu {
				d += (mu[j] - refMeans[r][j]) * (mu[j] - refMeans[r][j])
			}
			if d < bestD {
				best, bestD = k, d
			}
		}
		if used[best] {
			return nil, fmt.Errorf("tutorial: GMMOrder: component %d is the nearest to two reference means", best)
		}
		used[best] = true
		perm[i] = best
	}
	return m.Permute(perm)
}
