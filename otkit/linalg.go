package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// symFunc applies fn to the eigenvalues of the symmetric d×d matrix a (flat,
// row-major) and writes V·diag(fn(λ))·Vᵀ into dst. Only the lower triangle
// of a is read. It fails when the eigendecomposition fails or when an
// eigenvalue is below -tol·max|λ| (the matrix is not positive semidefinite);
// eigenvalues in [-tol·max|λ|, 0) are treated as 0.
func symFunc(dst, a []float64, d int, fn func(float64) float64) error {
	if len(a) != d*d || len(dst) != d*d {
		return fmt.Errorf("otkit: matrix function: want %d×%d entries, have %d and %d", d, d, len(a), len(dst))
	}
	for _, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("otkit: matrix function: non-finite entry")
		}
	}
	if d == 1 {
		if a[0] < 0 {
			return fmt.Errorf("otkit: matrix function: negative eigenvalue %g", a[0])
		}
		dst[0] = fn(a[0])
		return nil
	}
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s.SetSym(i, j, a[i*d+j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return fmt.Errorf("otkit: matrix function: symmetric eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	maxAbs := 0.0
	for _, l := range vals {
		maxAbs = math.Max(maxAbs, math.Abs(l))
	}
	const tol = 1e-12
	for k, l := range vals {
		if l < -tol*maxAbs {
			return fmt.Errorf("otkit: matrix function: matrix is not positive semidefinite (eigenvalue %g)", l)
		}
		if l < 0 {
			vals[k] = 0
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			var sum float64
			for k := 0; k < d; k++ {
				sum += vecs.At(i, k) * fn(vals[k]) * vecs.At(j, k)
			}
			dst[i*d+j] = sum
		}
	}
	return nil
}

// symSqrt writes the principal square root of the symmetric positive
// semidefinite d×d matrix a into dst (both flat, row-major).
func symSqrt(dst, a []float64, d int) error { return symFunc(dst, a, d, math.Sqrt) }

// symInvSqrt writes a^{-1/2} of the symmetric positive definite d×d matrix a
// into dst. A zero eigenvalue gives an error rather than an infinite entry.
func symInvSqrt(dst, a []float64, d int) error {
	singular := false
	err := symFunc(dst, a, d, func(l float64) float64 {
		if l <= 0 {
			singular = true
			return 0
		}
		return 1 / math.Sqrt(l)
	})
	if err != nil {
		return err
	}
	if singular {
		return fmt.Errorf("otkit: matrix function: matrix is singular")
	}
	return nil
}

// buresCov returns the covariance part of the squared 2-Wasserstein distance
// between centred Gaussians with covariances s0 and s1 (flat d×d):
//
//	tr Σ0 + tr Σ1 − 2 tr (Σ0^{1/2} Σ1 Σ0^{1/2})^{1/2}.
//
// Square roots come from exact symmetric eigendecompositions (OTT uses ten
// Newton–Schulz steps; the two agree to float32 precision on well
// conditioned inputs and ours stays exact on badly conditioned ones).
func buresCov(s0, s1 []float64, d int) (float64, error) {
	r0 := make([]float64, d*d)
	if err := symSqrt(r0, s0, d); err != nil {
		return 0, err
	}
	m := sandwich(r0, s1, d)
	rm := make([]float64, d*d)
	if err := symSqrt(rm, m, d); err != nil {
		return 0, err
	}
	var v float64
	for i := 0; i < d; i++ {
		v += s0[i*d+i] + s1[i*d+i] - 2*rm[i*d+i]
	}
	return v, nil
}

// buresTransport returns the symmetric matrix T of the Monge map between
// N(0,Σ0) and N(0,Σ1), T = Σ0^{-1/2} (Σ0^{1/2} Σ1 Σ0^{1/2})^{1/2} Σ0^{-1/2},
// so that T Σ0 T = Σ1, and its inverse T⁻¹ = Σ0^{1/2} M^{-1/2} Σ0^{1/2}
// with M = Σ0^{1/2} Σ1 Σ0^{1/2}. The derivatives of buresCov are
// ∂/∂Σ0 = I − T and ∂/∂Σ1 = I − T⁻¹. Σ0 and Σ1 must be positive definite.
func buresTransport(s0, s1 []float64, d int) (t, tInv []float64, err error) {
	r0 := make([]float64, d*d)
	if err := symSqrt(r0, s0, d); err != nil {
		return nil, nil, err
	}
	ir0 := make([]float64, d*d)
	if err := symInvSqrt(ir0, s0, d); err != nil {
		return nil, nil, err
	}
	m := sandwich(r0, s1, d)
	rm := make([]float64, d*d)
	if err := symSqrt(rm, m, d); err != nil {
		return nil, nil, err
	}
	irm := make([]float64, d*d)
	if err := symInvSqrt(irm, m, d); err != nil {
		return nil, nil, err
	}
	return sandwich(ir0, rm, d), sandwich(r0, irm, d), nil
}

// sandwich returns A·B·A for flat d×d matrices with A symmetric, symmetrised
// to remove rounding asymmetry.
func sandwich(a, b []float64, d int) []float64 {
	ab := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			aik := a[i*d+k]
			for j := 0; j < d; j++ {
				ab[i*d+j] += aik * b[k*d+j]
			}
		}
	}
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			var s float64
			for k := 0; k < d; k++ {
				s += ab[i*d+k] * a[k*d+j]
			}
			out[i*d+j] = s
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			v := 0.5 * (out[i*d+j] + out[j*d+i])
			out[i*d+j], out[j*d+i] = v, v
		}
	}
	return out
}
