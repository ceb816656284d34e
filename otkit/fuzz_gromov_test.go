package otkit

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzGromovScale feeds dissimilarity matrices at extreme scales (entries
// from the raw bytes, optionally symmetrised or with one entry nudged) to
// the GW input checks and solver. Invariants:
//   - the symmetry decision is the exact one (big.Float: |C_ij − C_ji| >
//     1e-12·max|C|, ties within rounding of the threshold excepted) and does
//     not change when C is scaled by an exact power of two;
//   - with NormalizeDistances, the solve of 2^k·C1 against 2^j·C2 gives the
//     bits of the solve of C1 against C2 (or the same error);
//   - a nil error comes with a finite coupling and cost, an error with no
//     result, and unnormalised entries whose squares overflow give
//     ErrNumerical, not a non-finite cost.
func FuzzGromovScale(f *testing.F) {
	f.Add(uint8(3), uint8(3), uint8(1), int16(600), int16(-500), fuzzSeed(0, 1, 2, 1, 0, 1.5, 2, 1.5, 0))
	f.Add(uint8(3), uint8(2), uint8(3), int16(-43), int16(43), fuzzSeed(0, 1e-13, 2e-13, 1e-13, 0, 1, 2, 1.000001, 0))
	f.Add(uint8(2), uint8(4), uint8(1|4), int16(0), int16(0), fuzzSeed(0, 1e200, 3e200, 0, 1, 2, 3, 4))
	f.Add(uint8(4), uint8(2), uint8(1), int16(-1000), int16(1000), fuzzSeed(0, 5e-324, 1e-310, 1e-320, 7, 0))
	f.Fuzz(func(t *testing.T, n, m, mode uint8, k16, j16 int16, data []byte) {
		n, m = 1+n%4, 1+m%4
		vals := floatsFrom(data, 40)
		all := fuzzTake(vals, int(n)*int(n)+int(m)*int(m)+1)
		c1 := gwMatrix(all[:int(n)*int(n)], int(n), mode&1 != 0)
		c2 := gwMatrix(all[int(n)*int(n):int(n)*int(n)+int(m)*int(m)], int(m), mode&1 != 0)
		if mode&2 != 0 && n > 1 { // a small asymmetry, of relative size from the data
			nudge := math.Abs(all[len(all)-1])
			if isFinite(nudge) {
				c1[1] *= 1 + math.Min(nudge, 1)*1e-9
			}
		}
		k, j := int(k16)%1100, int(j16)%1100

		// The symmetry decision: exact, and the same at 2^k scale.
		want, tie := exactSymmetric(c1, int(n))
		err := checkSymmetric(mat.NewDense(int(n), int(n), c1), "c1")
		if !tie && (err == nil) != want {
			t.Fatalf("symmetry check says %v, exact decision symmetric = %v (%v)", err, want, c1)
		}
		s1, ok1 := scaledExactly(c1, k)
		s2, ok2 := scaledExactly(c2, j)
		if ok1 {
			errK := checkSymmetric(mat.NewDense(int(n), int(n), s1), "c1")
			if (err == nil) != (errK == nil) {
				t.Fatalf("symmetry decision changes under ×2^%d: %v, then %v", k, err, errK)
			}
		}

		// Solves: small iteration caps keep one execution in milliseconds.
		opt := GromovOptions{MaxIterations: 10, NormalizeDistances: mode&4 == 0, Sinkhorn: SinkhornOptions{MaxIterations: 100}}
		opt.Epsilon = 0.05 + float64(mode>>3)*0.1
		r, err := EntropicGromovWasserstein(mat.NewDense(int(n), int(n), c1), mat.NewDense(int(m), int(m), c2), nil, nil, opt)
		checkGromovOutcome(t, "GW", r, err)
		symmetric := err == nil || checkSymmetric(mat.NewDense(int(n), int(n), c1), "c1") == nil &&
			checkSymmetric(mat.NewDense(int(m), int(m), c2), "c2") == nil
		if !opt.NormalizeDistances && symmetric && (maxAbsEntry(c1)*maxAbsEntry(c1) > 1e308 || maxAbsEntry(c2)*maxAbsEntry(c2) > 1e308) && !errors.Is(err, ErrNumerical) {
			t.Fatalf("squared dissimilarities overflow (largest %g, %g): %v, want ErrNumerical", maxAbsEntry(c1), maxAbsEntry(c2), err)
		}
		if !opt.NormalizeDistances || !ok1 || !ok2 {
			return
		}
		rk, errk := EntropicGromovWasserstein(mat.NewDense(int(n), int(n), s1), mat.NewDense(int(m), int(m), s2), nil, nil, opt)
		checkGromovOutcome(t, "GW scaled", rk, errk)
		if (err == nil) != (errk == nil) {
			t.Fatalf("GW: error %v unscaled, %v at ×2^%d, ×2^%d", err, errk, k, j)
		}
		if err == nil && (!mat.Equal(r.Coupling, rk.Coupling) || r.Cost != rk.Cost && !(math.IsNaN(r.Cost) && math.IsNaN(rk.Cost))) {
			t.Fatalf("GW with NormalizeDistances changes under ×2^%d, ×2^%d: cost %v, then %v", k, j, r.Cost, rk.Cost)
		}
	})
}

// gwMatrix builds a k×k matrix from vals, symmetrised when sym (as the
// mean of the two entries, halved first so that it cannot overflow).
func gwMatrix(vals []float64, k int, sym bool) []float64 {
	c := append([]float64(nil), vals...)
	if sym {
		for i := 0; i < k; i++ {
			for j := 0; j < i; j++ {
				v := c[i*k+j]/2 + c[j*k+i]/2
				c[i*k+j], c[j*k+i] = v, v
			}
		}
	}
	return c
}

func maxAbsEntry(c []float64) float64 {
	var mx float64
	for _, v := range c {
		mx = math.Max(mx, math.Abs(v))
	}
	return mx
}

// exactSymmetric decides |C_ij − C_ji| ≤ symmetryTolerance·max|C| for all
// pairs in exact arithmetic; tie reports a pair within 1e-9 (relative) of
// the threshold, where the rounding of the float64 check may decide
// either way. Non-finite matrices count as not symmetric.
func exactSymmetric(c []float64, k int) (sym, tie bool) {
	if !allFinite(c) {
		return false, false
	}
	mx := new(big.Float).SetFloat64(maxAbsEntry(c))
	thr := new(big.Float).Mul(mx, big.NewFloat(symmetryTolerance))
	lo := new(big.Float).Mul(thr, big.NewFloat(1-1e-9))
	hi := new(big.Float).Mul(thr, big.NewFloat(1+1e-9))
	sym = true
	for i := 0; i < k; i++ {
		for j := 0; j < i; j++ {
			d := new(big.Float).SetPrec(2200).SetFloat64(c[i*k+j])
			d.Sub(d, new(big.Float).SetPrec(2200).SetFloat64(c[j*k+i]))
			d.Abs(d)
			if d.Cmp(hi) > 0 {
				sym = false
			} else if d.Cmp(lo) >= 0 {
				tie = true
			}
		}
	}
	return sym, tie
}

// checkGromovOutcome: an error comes with no result, a nil error with a
// finite coupling and cost.
func checkGromovOutcome(t *testing.T, what string, r *GromovResult, err error) {
	t.Helper()
	if err != nil {
		if r != nil {
			t.Fatalf("%s: error %v with a result", what, err)
		}
		return
	}
	if !isFinite(r.Cost) || !allFinite(r.Coupling.RawMatrix().Data) {
		t.Fatalf("%s: nil error with cost %v, coupling %v", what, r.Cost, r.Coupling.RawMatrix().Data)
	}
}
