package otkit

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/scaling"
)

// streamProblem is an n×m stored geometry between two Gaussian clouds with
// non-uniform weights.
func streamProblem(t testing.TB, n, m int, eps float64, seed uint64) (*Geometry, []float64, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := mat.NewDense(n, 2, nil), mat.NewDense(m, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	for j := 0; j < m; j++ {
		y.Set(j, 0, rng.NormFloat64()+1)
		y.Set(j, 1, 0.5*rng.NormFloat64())
	}
	g, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: eps})
	if err != nil {
		t.Fatal(err)
	}
	return g, randomWeights(rng, n, 1), randomWeights(rng, m, 1)
}

// streamSolve runs Sinkhorn's solver and returns the result and the
// scaling form it used (nil if none).
func streamSolve(t testing.TB, g *Geometry, a, b []float64, opt SinkhornOptions) (*SinkhornResult, *scaling.Form) {
	t.Helper()
	n, m := g.Shape()
	cfg, err := opt.resolve(n, m)
	if err != nil {
		t.Fatal(err)
	}
	s := newSolver(g, a, b, cfg)
	s.run()
	r := s.result()
	if err := s.diagnose(r); err != nil {
		t.Fatal(err)
	}
	return r, s.sc
}

// maxPotentialGap is the largest |ΔF|, |ΔG| between two results.
func maxPotentialGap(r, s *SinkhornResult) float64 {
	d := 0.0
	for i := range r.F {
		d = math.Max(d, math.Abs(r.F[i]-s.F[i]))
	}
	for j := range r.G {
		d = math.Max(d, math.Abs(r.G[j]-s.G[j]))
	}
	return d
}

// TestStreamedScalingMatchesLogDomain: the streamed scaling form gives the
// log-domain iterates: same iteration count, potentials, costs and errors
// to rounding, in float64 (1e-12) and with a float32 K̃ (1e-6 of eps),
// including problems small enough in eps that scalings are absorbed.
func TestStreamedScalingMatchesLogDomain(t *testing.T) {
	absorbed := [2]int{}
	for _, tc := range []struct {
		n, m int
		eps  float64
	}{
		{300, 217, 0.5},
		{130, 401, 0.05},
		{257, 33, 0.02},
	} {
		g, a, b := streamProblem(t, tc.n, tc.m, tc.eps, uint64(tc.n))
		ref, refSc := streamSolve(t, g, a, b, SinkhornOptions{Threshold: 1e-9, MaxIterations: 20000, ReferenceKernel: true})
		if refSc != nil {
			t.Fatal("the reference kernel must run in the log domain")
		}
		for k, f32 := range []bool{false, true} {
			// float32 K̃ reaches errors of about 1e-7 (its rounding).
			opt := SinkhornOptions{Threshold: 1e-9, MaxIterations: 20000, Float32: f32}
			tol := 1e-12 * math.Max(1, tc.eps)
			if f32 {
				opt.Threshold, tol = 1e-6, 1e-6*tc.eps
			}
			got, sc := streamSolve(t, g, a, b, opt)
			if f32 {
				// The float64 log domain after as many iterations: the
				// gap is float32's alone.
				ref, _ = streamSolve(t, g, a, b, SinkhornOptions{MinIterations: got.Iterations, MaxIterations: got.Iterations, ReferenceKernel: true})
			}
			if sc == nil || !sc.Streamed() {
				t.Fatalf("%+v: the streamed form was not used", tc)
			}
			// Still on: no step failed (a failure returns to the log domain for good).
			if sc.Float32() != f32 || !sc.On() {
				t.Fatalf("%+v f32=%v: float32 K̃ %v, on %v", tc, f32, sc.Float32(), sc.On())
			}
			absorbed[k] += sc.Absorptions()
			d := maxPotentialGap(got, ref)
			t.Logf("%+v f32=%v: %d iterations (log domain %d), %d absorptions, potentials within %.2g", tc, f32, got.Iterations, ref.Iterations, sc.Absorptions(), d)
			if !(d <= tol) || !got.Converged || got.Iterations != ref.Iterations {
				t.Errorf("%+v f32=%v: potentials differ by %g (tol %g), converged %v, iterations %d vs %d",
					tc, f32, d, tol, got.Converged, got.Iterations, ref.Iterations)
			}
			if d := math.Abs(got.RegOTCost - ref.RegOTCost); !(d <= 10*tol) {
				t.Errorf("%+v f32=%v: RegOTCost %v vs %v", tc, f32, got.RegOTCost, ref.RegOTCost)
			}
			if err := got.Check(); err != nil {
				t.Error(err)
			}
		}
	}
	if absorbed[0] == 0 || absorbed[1] == 0 {
		t.Errorf("absorptions (float64, float32 K̃): %v; the table must exercise them", absorbed)
	}
}

// TestStreamedScalingDeterministic: the same bits at GOMAXPROCS 1 (inline)
// and 2 and 3 (parallel blocks: the problem is above parallel.MinWork),
// whichever direction the passes run.
func TestStreamedScalingDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	g, a, b := streamProblem(t, 700, 300, 0.03, 3)
	for _, f32 := range []bool{false, true} {
		opt := SinkhornOptions{MinIterations: 40, MaxIterations: 40, Float32: f32}
		var first *SinkhornResult
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			r, sc := streamSolve(t, g, a, b, opt)
			if sc == nil || !sc.Streamed() || !sc.On() {
				t.Fatal("the streamed form was not used")
			}
			if first == nil {
				first = r
				continue
			}
			for i := range r.F {
				if math.Float64bits(r.F[i]) != math.Float64bits(first.F[i]) {
					t.Fatalf("f32=%v procs=%d: F[%d] = %v, first run %v", f32, procs, i, r.F[i], first.F[i])
				}
			}
		}
	}
}

// TestStreamedErrorCheckCachesNothing: an error check that crosses the
// threshold computes the log-domain column reduction of the synced f; the
// solve may go on in scaling form (float32's error above the threshold in
// the log domain), so that reduction must not be left for a later
// log-domain g update to reuse.
func TestStreamedErrorCheckCachesNothing(t *testing.T) {
	g, a, b := streamProblem(t, 200, 150, 0.05, 4)
	for _, f32 := range []bool{false, true} {
		cfg, err := SinkhornOptions{Threshold: 1e9, Float32: f32}.resolve(200, 150)
		if err != nil {
			t.Fatal(err)
		}
		s := newSolver(g, a, b, cfg)
		if !s.sc.EnterCold() || s.sc.Steps(10) != 10 {
			t.Fatal("the streamed form did not run")
		}
		if e := s.marginalError(); !(e < cfg.Threshold) || s.colFOK {
			t.Errorf("f32=%v: error %g, cached column reduction %v", f32, e, s.colFOK)
		}
		s.sc.Done()
	}
}

// TestStreamedScalingOutlier: a target far from every source makes a
// column of exp(−C/ε) underflow, a source far from every target a row
// (which the cold start shifts): the solve still returns the log-domain
// answer.
func TestStreamedScalingOutlier(t *testing.T) {
	for _, tc := range []struct {
		name         string
		xOut, yOut   float64
		cold, stayOn bool
	}{
		{"target outlier", 0, 40, true, true},
		{"source outlier", 40, 0, true, true},
	} {
		rng := rand.New(rand.NewPCG(8, 8))
		n, m := 60, 50
		x, y := mat.NewDense(n, 1, nil), mat.NewDense(m, 1, nil)
		for i := 0; i < n; i++ {
			x.Set(i, 0, rng.Float64())
		}
		for j := 0; j < m; j++ {
			y.Set(j, 0, rng.Float64())
		}
		// C ≈ 1600 ≫ 708·eps for every partner of the outlier.
		x.Set(0, 0, x.At(0, 0)+tc.xOut)
		y.Set(0, 0, y.At(0, 0)+tc.yOut)
		g, err := NewPointCloud(x, y, PointCloudOptions{Epsilon: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		a, b := uniform(n), uniform(m)
		cold := scaling.New(g.cost, n, m, g.eps, a, b, false)
		if ok := cold.EnterCold(); ok != tc.cold {
			t.Errorf("%s: cold start %v, want %v", tc.name, ok, tc.cold)
		}
		cold.Done()
		ref, _ := streamSolve(t, g, a, b, SinkhornOptions{Threshold: 1e-8, ReferenceKernel: true})
		got, sc := streamSolve(t, g, a, b, SinkhornOptions{Threshold: 1e-8})
		if sc == nil || !sc.Streamed() || sc.On() != tc.stayOn {
			t.Fatalf("%s: streamed form %v", tc.name, sc)
		}
		if d := maxPotentialGap(got, ref); d > 1e-9 || got.Converged != ref.Converged || got.Iterations != ref.Iterations {
			t.Errorf("%s: potentials differ by %g; converged %v vs %v; iterations %d vs %d", tc.name, d, got.Converged, ref.Converged, got.Iterations, ref.Iterations)
		}
		if err := got.Check(); err != nil {
			t.Error(err)
		}
	}
}

// TestStreamedScalingConcurrent: concurrent solves sharing a geometry (and
// the cached K̃ buffer) give the same bits.
func TestStreamedScalingConcurrent(t *testing.T) {
	g, a, b := streamProblem(t, 120, 90, 0.05, 6)
	opt := SinkhornOptions{MinIterations: 30, MaxIterations: 30}
	want, err := Sinkhorn(g, a, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	res := make([]*SinkhornResult, 6)
	for k := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[k], _ = Sinkhorn(g, a, b, opt)
		}()
	}
	wg.Wait()
	for k, r := range res {
		if r == nil {
			t.Fatalf("solve %d failed", k)
		}
		for i := range r.F {
			if math.Float64bits(r.F[i]) != math.Float64bits(want.F[i]) {
				t.Fatalf("solve %d: F[%d] = %v, want %v", k, i, r.F[i], want.F[i])
			}
		}
	}
}
