package otkit

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// unitCloud draws n points uniformly in [0,1]^d.
func unitCloud(seed uint64, n, d int) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 13))
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			x.Set(i, k, rng.Float64())
		}
	}
	return x
}

// EpsScaling solves the same problem as Sinkhorn: at a common tight
// threshold the costs and couplings agree, balanced and unbalanced. (On such
// small discrete problems the annealing saves few iterations: the tail of
// the convergence dominates; MultiscaleSinkhorn gains by running that tail
// on the coarse problem.)
func TestEpsScalingMatchesSinkhorn(t *testing.T) {
	x, y := unitCloud(1, 200, 2), unitCloud(2, 150, 2)
	a, b := randWeights(3, 200, 1), randWeights(4, 150, 1)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.01})
	for _, tau := range []float64{1, 0.9} {
		opt := SinkhornOptions{Threshold: 1e-9, MaxIterations: 20000, TauA: tau, TauB: tau}
		plain := mustSinkhorn(t, g, a, b, opt)
		es, err := EpsScaling(g, a, b, EpsScalingOptions{Sinkhorn: opt})
		if err != nil {
			t.Fatal(err)
		}
		if rel := math.Abs(es.RegOTCost-plain.RegOTCost) / math.Abs(plain.RegOTCost); rel > 1e-7 {
			t.Errorf("tau %g: RegOTCost %.12g vs Sinkhorn %.12g (rel %.2g)", tau, es.RegOTCost, plain.RegOTCost, rel)
		}
		pe, pp := es.Matrix(), plain.Matrix()
		var diff float64
		for i := 0; i < 200; i++ {
			for j := 0; j < 150; j++ {
				diff += math.Abs(pe.At(i, j) - pp.At(i, j))
			}
		}
		if diff > 1e-7 {
			t.Errorf("tau %g: couplings differ by %.3g in L1", tau, diff)
		}
		t.Logf("tau %g: iterations ε-scaling %d, plain %d", tau, es.Iterations, plain.Iterations)
	}
}

func TestEpsScalingBadInputAndNonConvergence(t *testing.T) {
	g := mustCloud(t, unitCloud(5, 30, 2), unitCloud(6, 20, 2), PointCloudOptions{Epsilon: 0.001})
	for _, o := range []EpsScalingOptions{
		{Scaling: 1}, {Scaling: -0.5}, {Scaling: math.NaN()},
		{InitialEpsilon: -1}, {InitialEpsilon: math.Inf(1)}, {IterationsPerLevel: -1},
		{Sinkhorn: SinkhornOptions{Threshold: -1}},
	} {
		if _, err := EpsScaling(g, nil, nil, o); err == nil {
			t.Errorf("options %+v: no error", o)
		}
	}
	if _, err := EpsScaling(nil, nil, nil, EpsScalingOptions{}); err == nil {
		t.Error("nil geometry: no error")
	}
	if _, err := EpsScaling(g, []float64{1}, nil, EpsScalingOptions{}); err == nil {
		t.Error("short weights: no error")
	}
	r, err := EpsScaling(g, nil, nil, EpsScalingOptions{Sinkhorn: SinkhornOptions{MaxIterations: 2, Threshold: 1e-12}})
	if err != nil || !errors.Is(r.Err(), ErrNotConverged) {
		t.Fatalf("want a nil error and Err wrapping ErrNotConverged, have %v and %v", err, r.Err())
	}
	if r == nil || r.Converged || !isFinite(r.RegOTCost) {
		t.Fatalf("non-converged result must be returned finite: %+v", r)
	}
}
