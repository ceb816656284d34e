package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Small dense-matrix helpers of the Gromov-Wasserstein solver: input checks
// for dissimilarity matrices and the products its objective needs.

// normalizeByMax returns c divided by its largest entry.
func normalizeByMax(c *mat.Dense, name string) (*mat.Dense, error) {
	mx := mat.Max(c)
	if !(mx > 0) {
		return nil, fmt.Errorf("otkit: Gromov-Wasserstein: cannot normalise %s: its largest entry is %g (a single point or all points equal)", name, mx)
	}
	var out mat.Dense
	out.Scale(1/mx, c)
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
	for i := 0; i < r; i++ {
		for j := 0; j < i; j++ {
			x, y := c.At(i, j), c.At(j, i)
			if math.Abs(x-y) > 1e-12*math.Max(1, math.Max(math.Abs(x), math.Abs(y))) {
				return fmt.Errorf("otkit: Gromov-Wasserstein: %s is not symmetric ([%d,%d] = %g, [%d,%d] = %g); use (C + Cᵀ)/2", name, i, j, x, j, i, y)
			}
		}
	}
	return nil
}
