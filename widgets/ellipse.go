package widgets

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Ellipse returns n+1 points (the last repeats the first) on the nsd-σ
// contour of a 2-D Gaussian: the points p with (p−μ)ᵀΣ⁻¹(p−μ) = nsd². As in
// the tutorial, the axes come from an eigen-decomposition of Σ: semi-axes
// nsd·√λ along the eigenvectors, the first point on the major axis. A
// covariance that is not symmetric positive definite, or not 2×2, is an
// error.
func Ellipse(mean []float64, cov mat.Symmetric, nsd float64, n int) (x, y []float64, err error) {
	if len(mean) != 2 {
		return nil, nil, fmt.Errorf("widgets: ellipse needs a 2-D mean, got length %d", len(mean))
	}
	if cov == nil || cov.SymmetricDim() != 2 {
		return nil, nil, fmt.Errorf("widgets: ellipse needs a 2×2 covariance")
	}
	if !(nsd > 0) || math.IsInf(nsd, 0) {
		return nil, nil, fmt.Errorf("widgets: ellipse size %v standard deviations, want a finite value > 0", nsd)
	}
	if n < 4 {
		return nil, nil, fmt.Errorf("widgets: ellipse with %d points, want at least 4", n)
	}
	for i := 0; i < 2; i++ {
		if math.IsNaN(mean[i]) || math.IsInf(mean[i], 0) {
			return nil, nil, fmt.Errorf("widgets: ellipse mean %v is not finite", mean)
		}
		for j := 0; j < 2; j++ {
			if v := cov.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("widgets: covariance entry (%d,%d) = %v is not finite", i, j, v)
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil, nil, fmt.Errorf("widgets: eigen-decomposition of the covariance failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order := []int{0, 1}
	sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	l1, l2 := vals[order[0]], vals[order[1]]
	if !(l2 > 1e-12*math.Max(l1, 0)) || !(l1 > 0) {
		return nil, nil, fmt.Errorf("widgets: covariance [[%g %g] [%g %g]] is not positive definite (eigenvalues %g, %g)",
			cov.At(0, 0), cov.At(0, 1), cov.At(1, 0), cov.At(1, 1), l1, l2)
	}
	v1 := [2]float64{vecs.At(0, order[0]), vecs.At(1, order[0])}
	v2 := [2]float64{vecs.At(0, order[1]), vecs.At(1, order[1])}
	a, b := nsd*math.Sqrt(l1), nsd*math.Sqrt(l2)
	x = make([]float64, n+1)
	y = make([]float64, n+1)
	for k := 0; k <= n; k++ {
		t := 2 * math.Pi * float64(k%n) / float64(n)
		c, s := a*math.Cos(t), b*math.Sin(t)
		x[k] = mean[0] + c*v1[0] + s*v2[0]
		y[k] = mean[1] + c*v1[1] + s*v2[1]
	}
	return x, y, nil
}
