package otkit

import (
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// batchCloud draws an n×d cloud with a fixed seed.
func batchCloud(rng *rand.Rand, n, d int, shift float64) *mat.Dense {
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, rng.NormFloat64()+shift)
		}
	}
	return x
}

// batchWeights draws positive weights summing to 1, with a zero entry at
// index zero when withZero (zero weights take the solvers' special paths).
func batchWeights(rng *rand.Rand, n int, withZero bool) []float64 {
	w := make([]float64, n)
	var s float64
	for i := range w {
		w[i] = 0.2 + rng.Float64()
		if withZero && i == 0 {
			w[i] = 0
		}
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

// mixedProblems is a batch of every form and size EMDBatch and
// SinkhornBatch take: point clouds of several sizes and dimensions (y
// omitted for some), cost matrices, uniform and non-uniform weights with
// zero entries.
func mixedProblems(t *testing.T, count int) []Problem {
	rng := rand.New(rand.NewPCG(23, 1))
	ps := make([]Problem, count)
	for k := range ps {
		n, m, d := 5+rng.IntN(40), 5+rng.IntN(40), 1+rng.IntN(4)
		p := Problem{X: batchCloud(rng, n, d, 0)}
		switch k % 4 {
		case 0:
			p.Y = batchCloud(rng, m, d, 1)
		case 1:
			m = n // Y omitted: Y = X
		case 2:
			c := mat.NewDense(n, m, nil)
			for i := 0; i < n; i++ {
				for j := 0; j < m; j++ {
					c.Set(i, j, rng.Float64()*3)
				}
			}
			p = Problem{Cost: c}
		case 3:
			p.Y = batchCloud(rng, m, d, -0.5)
			p.A, p.B = batchWeights(rng, n, true), batchWeights(rng, m, k%8 == 3)
		}
		ps[k] = p
	}
	return ps
}

func sameBits(x, y []float64) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}

func sameEMD(a, b *EMDResult) bool {
	if len(a.Plan) != len(b.Plan) {
		return false
	}
	for k := range a.Plan {
		if a.Plan[k].I != b.Plan[k].I || a.Plan[k].J != b.Plan[k].J || math.Float64bits(a.Plan[k].Mass) != math.Float64bits(b.Plan[k].Mass) {
			return false
		}
	}
	return math.Float64bits(a.Cost) == math.Float64bits(b.Cost) && sameBits(a.F, b.F) && sameBits(a.G, b.G) &&
		sameBits(a.A, b.A) && sameBits(a.B, b.B) && a.Status == b.Status && a.Iterations == b.Iterations
}

func sameSinkhorn(a, b *SinkhornResult) bool {
	return sameBits(a.F, b.F) && sameBits(a.G, b.G) && sameBits(a.Errors, b.Errors) &&
		sameBits([]float64{a.RegOTCost, a.EntRegCost, a.DualCost, a.Epsilon}, []float64{b.RegOTCost, b.EntRegCost, b.DualCost, b.Epsilon}) &&
		a.Converged == b.Converged && a.Iterations == b.Iterations
}

// withProcs runs fn at GOMAXPROCS p and restores the previous value.
func withProcs(p int, fn func()) {
	old := runtime.GOMAXPROCS(p)
	defer runtime.GOMAXPROCS(old)
	fn()
}

// TestEMDBatchMatchesSolo: every problem's batched result is bit-identical
// to EMD or EMDPoints on that problem alone, at several GOMAXPROCS and
// worker counts (a worker's reused cost buffer must not leak between
// problems, nor the schedule into the bits).
func TestEMDBatchMatchesSolo(t *testing.T) {
	ps := mixedProblems(t, 24)
	solo := make([]*EMDResult, len(ps))
	for k, p := range ps {
		var err error
		if p.Cost != nil {
			solo[k], err = EMD(p.Cost, p.A, p.B, EMDOptions{})
		} else {
			solo[k], err = EMDPoints(p.X, p.Y, p.A, p.B, EMDOptions{})
		}
		if err != nil {
			t.Fatalf("problem %d alone: %v", k, err)
		}
	}
	for _, procs := range []int{1, 2, 4} {
		for _, workers := range []int{0, 1, 3} {
			withProcs(procs, func() {
				res, err := EMDBatch(ps, EMDBatchOptions{Workers: workers})
				if err != nil {
					t.Fatalf("GOMAXPROCS %d, workers %d: %v", procs, workers, err)
				}
				if err := res.Err(); err != nil {
					t.Fatalf("GOMAXPROCS %d: %v", procs, err)
				}
				for k := range ps {
					if !sameEMD(res.Results[k], solo[k]) {
						t.Fatalf("GOMAXPROCS %d, workers %d: problem %d differs from EMD alone", procs, workers, k)
					}
				}
			})
		}
	}
}

// TestSinkhornBatchMatchesSolo: balanced and unbalanced batches of every
// problem form give each problem's result bit-identical to NewPointCloud /
// NewGeometry + Sinkhorn alone, at several GOMAXPROCS and worker counts.
func TestSinkhornBatchMatchesSolo(t *testing.T) {
	ps := mixedProblems(t, 20)
	g, err := NewPointCloud(ps[0].X, ps[0].Y, PointCloudOptions{Epsilon: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	ps = append(ps, Problem{Geom: g})
	for _, tau := range []float64{1, 0.8} {
		opt := SinkhornBatchOptions{
			Sinkhorn:   SinkhornOptions{TauA: tau, TauB: tau, Threshold: 1e-5},
			PointCloud: PointCloudOptions{RelativeEpsilon: "mean", Epsilon: 0.1},
			Geometry:   GeometryOptions{Epsilon: 0.1},
		}
		solo := make([]*SinkhornResult, len(ps))
		for k, p := range ps {
			geom := p.Geom
			switch {
			case p.X != nil:
				geom, err = NewPointCloud(p.X, p.Y, opt.PointCloud)
			case p.Cost != nil:
				geom, err = NewGeometry(p.Cost, opt.Geometry)
			}
			if err != nil {
				t.Fatal(err)
			}
			if solo[k], err = Sinkhorn(geom, p.A, p.B, opt.Sinkhorn); err != nil {
				t.Fatalf("tau %g, problem %d alone: %v", tau, k, err)
			}
			if !solo[k].Converged {
				t.Fatalf("tau %g, problem %d alone did not converge: the test needs converged solves", tau, k)
			}
		}
		for _, procs := range []int{1, 2, 4} {
			withProcs(procs, func() {
				opt.Workers = procs - 1
				res, err := SinkhornBatch(ps, opt)
				if err != nil {
					t.Fatalf("tau %g, GOMAXPROCS %d: %v", tau, procs, err)
				}
				if err := res.Err(); err != nil {
					t.Fatalf("tau %g: %v", tau, err)
				}
				for k := range ps {
					if !sameSinkhorn(res.Results[k], solo[k]) {
						t.Fatalf("tau %g, GOMAXPROCS %d: problem %d differs from Sinkhorn alone", tau, procs, k)
					}
					if err := res.Results[k].Check(); err != nil {
						t.Fatalf("problem %d: %v", k, err)
					}
				}
			})
		}
	}
}

// TestBatchErrorsPerProblem: bad problems get their own errors, naming the
// problem; every other problem is solved exactly as alone; the call's error
// lists exactly the bad ones and lets errors.Is reach their causes.
func TestBatchErrorsPerProblem(t *testing.T) {
	ps := mixedProblems(t, 8)
	nan := mat.NewDense(3, 2, []float64{0, 0, 1, math.NaN(), 2, 2})
	huge := mat.NewDense(2, 2, []float64{0, 1e308, 1e308, 0})
	bad := map[int]Problem{
		1: {X: nan},
		3: {X: ps[0].X, A: []float64{1}},           // wrong length
		4: {},                                      // no data
		5: {X: ps[0].X, Cost: ps[2].Cost},          // two forms
		6: {Cost: ps[2].Cost, A: []float64{-1, 2}}, // wrong length, negative
		8: {Cost: huge},                            // EMD: the potentials overflow (ErrNumerical)
		9: {Y: ps[0].X},                            // Y without X
		7: {X: ps[0].X, A: make([]float64, 0)},     // empty weights
	}
	all := append([]Problem(nil), ps...)
	all = append(all, Problem{}, Problem{})
	for k, p := range bad {
		all[k] = p
	}
	checkFailures := func(t *testing.T, err error, errs []error, bad map[int]Problem, ok func(k int) bool) {
		var be *BatchError
		if !errors.As(err, &be) {
			t.Fatalf("want a *BatchError, have %v", err)
		}
		if len(be.Failed) != len(bad) || be.Total != len(all) {
			t.Fatalf("BatchError lists %v of %d, want the %d bad problems", be.Failed, be.Total, len(bad))
		}
		for k := range all {
			_, isBad := bad[k]
			if isBad != (errs[k] != nil) {
				t.Fatalf("problem %d: bad %v but error %v", k, isBad, errs[k])
			}
			if isBad && !strings.Contains(errs[k].Error(), "problem "+strconv.Itoa(k)+":") {
				t.Fatalf("problem %d's error does not name it: %v", k, errs[k])
			}
			if !isBad && !ok(k) {
				t.Fatalf("good problem %d differs from its solve alone", k)
			}
		}
		if !strings.Contains(err.Error(), strconv.Itoa(len(bad))+" of "+strconv.Itoa(len(all))+" problems failed") {
			t.Fatalf("message does not count the failures: %v", err)
		}
	}
	t.Run("EMD", func(t *testing.T) {
		res, err := EMDBatch(all, EMDBatchOptions{})
		if res == nil {
			t.Fatal("no result")
		}
		if !errors.Is(err, ErrNumerical) {
			t.Fatalf("errors.Is(err, ErrNumerical) should see problem 8's ErrNumerical: %v", err)
		}
		checkFailures(t, err, res.Errs, bad, func(k int) bool {
			var solo *EMDResult
			var e error
			if all[k].Cost != nil {
				solo, e = EMD(all[k].Cost, all[k].A, all[k].B, EMDOptions{})
			} else {
				solo, e = EMDPoints(all[k].X, all[k].Y, all[k].A, all[k].B, EMDOptions{})
			}
			return e == nil && res.Results[k] != nil && sameEMD(res.Results[k], solo)
		})
	})
	t.Run("Sinkhorn", func(t *testing.T) {
		opt := SinkhornBatchOptions{PointCloud: PointCloudOptions{Epsilon: 0.5}, Geometry: GeometryOptions{Epsilon: 0.5}}
		res, err := SinkhornBatch(all, opt)
		if res == nil {
			t.Fatal("no result")
		}
		// Sinkhorn solves problem 8: its plan is the diagonal, whatever
		// the off-diagonal cost.
		sinkBad := maps.Clone(bad)
		delete(sinkBad, 8)
		checkFailures(t, err, res.Errs, sinkBad, func(k int) bool {
			return res.Results[k] != nil && res.Results[k].Check() == nil
		})
	})
}

// TestBatchNonConvergence: a problem that runs out of iterations is not an
// error of the call; res.Err() names it and wraps ErrNotConverged, while a
// converged batch's Err is nil.
func TestBatchNonConvergence(t *testing.T) {
	ps := mixedProblems(t, 4)
	res, err := SinkhornBatch(ps, SinkhornBatchOptions{
		Sinkhorn:   SinkhornOptions{MaxIterations: 10, Threshold: 1e-12},
		PointCloud: PointCloudOptions{Epsilon: 0.01}, Geometry: GeometryOptions{Epsilon: 0.01},
	})
	if err != nil {
		t.Fatalf("non-convergence must not fail the call: %v", err)
	}
	cerr := res.Err()
	var be *BatchError
	if !errors.Is(cerr, ErrNotConverged) || !errors.As(cerr, &be) || len(be.Failed) != len(ps) {
		t.Fatalf("res.Err() = %v, want every problem reported as not converged", cerr)
	}
	var ce *ConvergenceError
	if !errors.As(cerr, &ce) || ce.MaxIterations != 10 {
		t.Fatalf("want the problems' *ConvergenceError with the cap 10, have %v", cerr)
	}

	eres, err := EMDBatch(ps, EMDBatchOptions{EMD: EMDOptions{MaxIterations: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if e := eres.Err(); !errors.Is(e, ErrNotConverged) || !errors.As(e, &ce) || ce.MaxIterations != 1 {
		t.Fatalf("EMD batch at a 1-pivot limit: Err() = %v, want a *ConvergenceError with the cap 1", e)
	}
	for k, r := range eres.Results {
		if r.Status != EMDIterationLimit {
			t.Fatalf("problem %d: status %v after one pivot", k, r.Status)
		}
	}
}

func TestBatchOptionsAndEmpty(t *testing.T) {
	if _, err := EMDBatch(nil, EMDBatchOptions{Workers: -1}); err == nil || !strings.Contains(err.Error(), "Workers") {
		t.Fatalf("negative Workers: %v", err)
	}
	if _, err := SinkhornBatch(nil, SinkhornBatchOptions{Workers: -2}); err == nil {
		t.Fatal("negative Workers accepted")
	}
	res, err := SinkhornBatch(nil, SinkhornBatchOptions{})
	if err != nil || len(res.Results) != 0 || res.Err() != nil {
		t.Fatalf("empty batch: %v, %v", res, err)
	}
	_, err = SinkhornBatch(mixedProblems(t, 2), SinkhornBatchOptions{Sinkhorn: SinkhornOptions{TauA: 2}})
	var be *BatchError
	if !errors.As(err, &be) || len(be.Failed) != 2 || !strings.Contains(err.Error(), "TauA") {
		t.Fatalf("bad Sinkhorn options must fail every problem by name: %v", err)
	}
}

// TestEMDBatchReusesCostBuffer: a worker's point-cloud problems share one
// cost buffer, so a batch allocates less than one n×m matrix per problem
// on top of what EMD itself needs (measured on the cost-matrix form, whose
// matrices are given).
func TestEMDBatchReusesCostBuffer(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const count, n = 16, 64
	pts := make([]Problem, count)
	costs := make([]Problem, count)
	for k := range pts {
		pts[k] = Problem{X: batchCloud(rng, n, 2, 0), Y: batchCloud(rng, n, 2, 1)}
		g, err := NewPointCloud(pts[k].X, pts[k].Y, PointCloudOptions{Epsilon: 1})
		if err != nil {
			t.Fatal(err)
		}
		costs[k] = Problem{Cost: g.CostMatrix()}
	}
	bytes := func(ps []Problem) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := EMDBatch(ps, EMDBatchOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	withProcs(1, func() {
		bytes(pts) // warm up
		fromPoints, fromCosts := bytes(pts), bytes(costs)
		extra := float64(fromPoints) - float64(fromCosts)
		if limit := float64(count*n*n*8) / 4; extra > limit {
			t.Fatalf("point-cloud batch allocates %d bytes more than the cost-matrix batch for %d problems: a matrix per problem (limit %.0f)", int64(extra), count, limit)
		}
	})
}
