package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Small dense-matrix helpers of the Gromov-Wasserstein solver: input checks
// for dissimilarity matrices and the products its objective needs.

// normalizeByMax returns c divided by its largest entry. Both are first
// divided by the power of two just above that entry (exact), so that the
// reciprocal of a subnormal maximum does not overflow; elsewhere the powers
// of two cancel exactly and the result is c·(1/max).
func normalizeByMax(c *mat.Dense, name string) (*mat.Dense, error) {
	mx := mat.Max(c)
	if !(mx > 0) {
		return nil, fmt.Errorf("otkit: Gromov-Wasserstein: cannot normalise %s: its largest entry is %g (a single point or all points equal)", name, mx)
	}
	_, e := math.Frexp(mx)
	inv := 1 / math.Ldexp(mx, -e)
	var out mat.Dense
	out.Apply(func(_, _ int, v float64) float64 { return math.Ldexp(v, -e) * inv }, c)
	return &out, nil
}

func elemMul(x, y *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.MulElem(x, y)
	return &out
}

func quadForm(c *mat.Dense, v []float64) float64 {
	w := make([]float64, len(v))
	mulVec(w, c, v)
	var s float64
	for i, x := range v {
		s += x * w[i]
	}
	return s
}

func mulVec(dst []float64, c *mat.Dense, v []float64) {
	r, k := c.Dims()
	for i := 0; i < r; i++ {
		var s float64
		for j := 0; j < k; j++ {
			s += c.At(i, j) * v[j]
		}
		dst[i] = s
	}
}

func squareEntries(c *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.MulElem(c, c)
	return &out
}

func checkFinite(c *mat.Dense, name string) error {
	r, k := c.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < k; j++ {
			if v := c.At(i, j); !isFinite(v) {
				return fmt.Errorf("otkit: Gromov-Wasserstein: %s has a non-finite entry %g at [%d,%d]", name, v, i, j)
			}
		}
	}
	return nil
}

// symmetryTolerance is the largest |C_ij − C_ji| checkSymmetric accepts,
// relative to the largest |C_kl|: the tolerance scales with the matrix, so
// the decision does not depend on the units of the dissimilarities.
const symmetryTolerance = 1e-12

// checkSymmetric rejects a nil, empty, non-square, non-finite or asymmetric
// dissimilarity matrix (the gradient formula assumes symmetry).
func checkSymmetric(c *mat.Dense, name string) error {
	if c == nil || c.IsEmpty() {
		return fmt.Errorf("otkit: Gromov-Wasserstein: %s is empty", name)
	}
	r, k := c.Dims()
	if r != k {
		return fmt.Errorf("otkit: Gromov-Wasserstein: %s is %d×%d; it must be a square dissimilarity matrix", name, r, k)
	}
	if err := checkFinite(c, name); err != nil {
		return err
	}
	var scale float64
	for i := 0; i < r; i++ {
		for j := 0; j < k; j++ {
			scale = math.Max(scale, math.Abs(c.At(i, j)))
		}
	}
	for i := 0; i < r; i++ {
		for j := 0; j < i; j++ {
			x, y := c.At(i, j), c.At(j, i)
			// A ratio, not tol·scale: the product underflows for
			// subnormal matrices. x − y = ±Inf (entries near ±MaxFloat64
			// of opposite signs) is rejected, as it should be; 0/0 for
			// the zero matrix is not.
			if math.Abs(x-y)/scale > symmetryTolerance {
				return fmt.Errorf("otkit: Gromov-Wasserstein: %s is not symmetric ([%d,%d] = %g, [%d,%d] = %g, more than %g apart relative to its largest entry %g); use (C + Cᵀ)/2", name, i, j, x, j, i, y, symmetryTolerance, scale)
			}
		}
	}
	return nil
}

// checkRange returns ErrNumerical when the linearised cost can overflow
// float64: its entries are bounded by 2·Alpha·(max constC + 2·max|c1|·
// max|c2|·mass) + (1 − Alpha)·max|M| (mass = Σa = Σ T). Checked before the
// first iteration, so dissimilarities near 1e200 fail with the fix named
// instead of as a non-finite cost deep in the solve.
func (p *gromovProblem) checkRange(mass float64) error {
	maxAbs := func(c *mat.Dense) float64 {
		var mx float64
		r, k := c.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < k; j++ {
				mx = math.Max(mx, math.Abs(c.At(i, j)))
			}
		}
		return mx
	}
	m1, m2 := maxAbs(p.c1), maxAbs(p.c2)
	bound := 2 * p.alpha * (maxAbs(p.constC) + 2*m1*m2*mass)
	if p.m != nil {
		bound += (1 - p.alpha) * maxAbs(p.m)
	}
	if !isFinite(bound) {
		return numericalError("Gromov-Wasserstein: the linearised cost overflows float64 (largest dissimilarities %g and %g, mass %g): set GromovOptions.NormalizeDistances or rescale c1 and c2", m1, m2, mass)
	}
	return nil
}
