package otkit

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fuzzProblems decodes up to four small problems from vals: for each, a
// form (points, points with Y = X, cost matrix), sizes 1–5, dimension 1–3,
// and optionally weights (absolute values, so that zero, huge and
// non-finite weights occur).
func fuzzProblems(shape []byte, vals []float64) []Problem {
	var ps []Problem
	next := 0
	take := func(k int) []float64 {
		out := fuzzTake(vals[min(next, len(vals)):], k)
		next += k
		return out
	}
	for len(shape) >= 3 && len(ps) < 4 {
		form, n, m := shape[0]%4, 1+int(shape[1]%5), 1+int(shape[2]%5)
		d := 1 + int(shape[0]/4)%3
		shape = shape[3:]
		var p Problem
		switch form {
		case 0, 3:
			p.X, p.Y = mat.NewDense(n, d, take(n*d)), mat.NewDense(m, d, take(m*d))
		case 1:
			p.X, m = mat.NewDense(n, d, take(n*d)), n
		case 2:
			p.Cost = mat.NewDense(n, m, take(n*m))
		}
		if form == 3 {
			p.A, p.B = take(n), take(m)
			for i := range p.A {
				p.A[i] = math.Abs(p.A[i])
			}
			for j := range p.B {
				p.B[j] = math.Abs(p.B[j])
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// FuzzBatch feeds batches of arbitrary small problems to EMDBatch and
// SinkhornBatch on 1–3 workers. Whatever the input: no panic; problem k
// fails in the batch exactly when it fails alone, and otherwise its result
// is bit-identical to its solve alone; the call's error is a *BatchError
// listing exactly the failed problems; every Sinkhorn result passes Check.
func FuzzBatch(f *testing.F) {
	f.Add([]byte{0, 2, 3, 2, 3, 3, 7, 1, 1}, uint8(1), fuzzSeed(0, 1, 2, 3, 0.5, -1, 4, 2, 0.25, 3))
	f.Add([]byte{3, 4, 4, 1, 2, 0}, uint8(2), fuzzSeed(1, 0, 2, 1e300, math.NaN(), 3, 0, 0, 1))
	f.Add([]byte{2, 1, 1, 6, 0, 4}, uint8(0), fuzzSeed(math.Inf(1), 2, -3, 1e-300))
	f.Fuzz(func(t *testing.T, shape []byte, workers uint8, data []byte) {
		ps := fuzzProblems(shape, floatsFrom(data, 300))
		w := 1 + int(workers%3)
		eres, err := EMDBatch(ps, EMDBatchOptions{Workers: w})
		checkBatch(t, "EMDBatch", err, eres.Errs, func(k int) bool {
			p := ps[k]
			var solo *EMDResult
			var e error
			if p.Cost != nil {
				solo, e = EMD(p.Cost, p.A, p.B, EMDOptions{})
			} else {
				solo, e = EMDPoints(p.X, p.Y, p.A, p.B, EMDOptions{})
			}
			if (e == nil) != (eres.Errs[k] == nil) {
				t.Fatalf("EMD problem %d: batch error %v, alone %v", k, eres.Errs[k], e)
			}
			return e != nil || sameEMD(eres.Results[k], solo)
		})
		opt := SinkhornBatchOptions{Workers: w, Sinkhorn: SinkhornOptions{MaxIterations: 50}}
		if workers&8 != 0 {
			opt.Sinkhorn.TauA, opt.Sinkhorn.TauB = 0.7, 0.9
		}
		sres, err := SinkhornBatch(ps, opt)
		checkBatch(t, "SinkhornBatch", err, sres.Errs, func(k int) bool {
			p := ps[k]
			var g *Geometry
			var e error
			if p.Cost != nil {
				g, e = NewGeometry(p.Cost, opt.Geometry)
			} else {
				g, e = NewPointCloud(p.X, p.Y, opt.PointCloud)
			}
			var solo *SinkhornResult
			if e == nil {
				solo, e = Sinkhorn(g, p.A, p.B, opt.Sinkhorn)
			}
			if (e == nil) != (sres.Errs[k] == nil) {
				t.Fatalf("Sinkhorn problem %d: batch error %v, alone %v", k, sres.Errs[k], e)
			}
			if e != nil {
				return true
			}
			if err := sres.Results[k].Check(); err != nil {
				t.Fatalf("Sinkhorn problem %d: %v", k, err)
			}
			return sameSinkhorn(sres.Results[k], solo)
		})
	})
}

// checkBatch checks a batch call's error against its per-problem errors and
// each problem against its solve alone (same reports whether they agree).
func checkBatch(t *testing.T, op string, err error, errs []error, same func(k int) bool) {
	t.Helper()
	var be *BatchError
	failed := 0
	for k, e := range errs {
		if e != nil {
			failed++
			if e.Error() == "" {
				t.Fatalf("%s: problem %d: empty error", op, k)
			}
		}
		if !same(k) {
			t.Fatalf("%s: problem %d differs from its solve alone", op, k)
		}
	}
	switch {
	case failed == 0 && err != nil:
		t.Fatalf("%s: no problem failed, but the call returned %v", op, err)
	case failed > 0 && (!errors.As(err, &be) || len(be.Failed) != failed):
		t.Fatalf("%s: %d problems failed, the call returned %v", op, failed, err)
	}
}
