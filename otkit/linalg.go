package otkit

import (
	"fmt"
	"math"
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
	// symEigen reads the full matrix: mirror the lower triangle.
	buf := make([]float64, 3*d*d+d)
	sym, vecs, work, vals := buf[:d*d], buf[d*d:2*d*d], buf[2*d*d:3*d*d], buf[3*d*d:]
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			sym[i*d+j], sym[j*d+i] = a[i*d+j], a[i*d+j]
		}
	}
	if err := symEigen(vals, vecs, sym, work, d); err != nil {
		return fmt.Errorf("otkit: matrix function: %v", err)
	}
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
	for k, l := range vals {
		vals[k] = fn(l)
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			var sum float64
			for k := 0; k < d; k++ {
				sum += vecs[i*d+k] * vals[k] * vecs[j*d+k]
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
	out := make([]float64, d*d)
	sandwichTo(out, a, b, make([]float64, d*d), d)
	return out
}

// sandwichTo writes A·B·A (A, B symmetric) into dst, symmetrised; tmp is d²
// scratch.
func sandwichTo(dst, a, b, tmp []float64, d int) {
	mulTo(tmp, a, b, d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			var s, u float64
			for r := 0; r < d; r++ {
				s += tmp[i*d+r] * a[r*d+j]
				u += tmp[j*d+r] * a[r*d+i]
			}
			v := 0.5 * (s + u)
			dst[i*d+j], dst[j*d+i] = v, v
		}
	}
}

// mulTo writes the product A·B of flat d×d matrices into dst.
func mulTo(dst, a, b []float64, d int) {
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			var s float64
			for r := 0; r < d; r++ {
				s += a[i*d+r] * b[r*d+j]
			}
			dst[i*d+j] = s
		}
	}
}

// symEigen computes the eigendecomposition of the symmetric d×d matrix a by
// cyclic Jacobi rotations: vals (length d) and vecs (d×d, eigenvectors in
// columns). a is not modified; work must hold d² entries. Jacobi keeps high
// relative accuracy for small eigenvalues, which the Bures square roots of
// nearly equal covariances need, and allocates nothing, which the pair
// fit's per-step Bures costs need; for the small d of covariances it is also
// faster than a general LAPACK-style solver. The Bures helpers here and the
// pair gradients (pair_grad.go) share it.
func symEigen(vals, vecs, a, work []float64, d int) error {
	copy(work, a)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			vecs[i*d+j] = 0
		}
		vecs[i*d+i] = 1
	}
	for sweep := 0; sweep < 60; sweep++ {
		var off, diag float64
		for i := 0; i < d; i++ {
			diag += work[i*d+i] * work[i*d+i]
			for j := i + 1; j < d; j++ {
				off += work[i*d+j] * work[i*d+j]
			}
		}
		if off == 0 || off <= 1e-36*diag {
			for i := 0; i < d; i++ {
				vals[i] = work[i*d+i]
			}
			return nil
		}
		for p := 0; p < d; p++ {
			for q := p + 1; q < d; q++ {
				apq := work[p*d+q]
				if apq == 0 {
					continue
				}
				app, aqq := work[p*d+p], work[q*d+q]
				// Rotation angle from cot 2φ = (a_qq − a_pp) / (2 a_pq),
				// taking the smaller root t = tan φ.
				theta := (aqq - app) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				if math.IsInf(theta, 0) {
					t = 0
				}
				cs := 1 / math.Sqrt(t*t+1)
				sn := t * cs
				for r := 0; r < d; r++ {
					arp, arq := work[r*d+p], work[r*d+q]
					work[r*d+p] = cs*arp - sn*arq
					work[r*d+q] = sn*arp + cs*arq
				}
				for r := 0; r < d; r++ {
					apr, aqr := work[p*d+r], work[q*d+r]
					work[p*d+r] = cs*apr - sn*aqr
					work[q*d+r] = sn*apr + cs*aqr
				}
				work[p*d+q], work[q*d+p] = 0, 0
				for r := 0; r < d; r++ {
					vrp, vrq := vecs[r*d+p], vecs[r*d+q]
					vecs[r*d+p] = cs*vrp - sn*vrq
					vecs[r*d+q] = sn*vrp + cs*vrq
				}
			}
		}
	}
	return fmt.Errorf("symmetric eigendecomposition did not converge")
}
