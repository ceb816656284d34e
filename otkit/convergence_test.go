package otkit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// contractCase runs one solver twice: with options it converges under, and
// capped (a tiny iteration cap and an unreachable threshold). Both runs
// return the result and a nil error; the result's Convergence record and Err
// tell the two apart.
type contractCase struct {
	name string
	// converged and capped run the solve and return its record and Err.
	converged, capped func(t *testing.T) (Convergence, error)
	// The *ConvergenceError of the capped run: the cap it names, the count
	// it must show and, for a nested reason, the outer step it names.
	cap       string
	unit      string // "" → iterations
	count     int
	max       int
	outerStep string // non-empty: Err names this outer step around the inner solve's error
}

// contractClouds are two small point clouds.
func contractClouds() (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(19, 4))
	return randomCloud(rng, 12, 2, 1, nil), randomCloud(rng, 15, 2, 1, []float64{0.5, 0})
}

// record returns a result's record and Err after checking the solve's error.
func record(t *testing.T, c Convergence, err, resErr error) (Convergence, error) {
	t.Helper()
	if err != nil {
		t.Fatalf("the solve returned an error (non-convergence must not be one): %v", err)
	}
	return c, resErr
}

func contractCases(t *testing.T) []contractCase {
	x, y := contractClouds()
	geom := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5})
	capped := SinkhornOptions{MaxIterations: 10, Threshold: 1e-15}
	hists := [][]float64{uniform(12), append([]float64{0.5}, uniform(11)...)}
	for i := range hists[1] {
		hists[1][i] /= 1.5 // both of mass 1
	}
	square := mustCloud(t, x, nil, PointCloudOptions{Epsilon: 0.5})
	img := func(i, j int) *mat.Dense {
		m := mat.NewDense(6, 6, nil)
		m.Set(i, j, 1)
		return m
	}
	images := []*mat.Dense{img(1, 1), img(4, 3)}
	mix := testMixture(t)
	pts := tutorialPoints(t, 3, 200)
	pair := func(t *testing.T) *MixturePair {
		p, err := NewMixturePair(mix, mix.Clone(), MixturePairOptions{Epsilon: 5})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	flowY := mat.DenseCopyOf(y)
	return []contractCase{
		{
			name: "Sinkhorn", cap: "SinkhornOptions.MaxIterations", count: 10, max: 10,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := Sinkhorn(geom, nil, nil, SinkhornOptions{})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := Sinkhorn(geom, nil, nil, capped)
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			// The annealing updates are not counted against the final
			// loop's cap (they used to be: "80 iterations (cap 20)").
			name: "EpsScaling", cap: "SinkhornOptions.MaxIterations", count: 10, max: 10,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := EpsScaling(geom, nil, nil, EpsScalingOptions{})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := EpsScaling(geom, nil, nil, EpsScalingOptions{Sinkhorn: capped})
				if err == nil && len(r.Levels) < 2 {
					t.Errorf("EpsScaling ran %d levels, want the annealing levels and the final loop", len(r.Levels))
				}
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "MultiscaleSinkhorn", cap: "SinkhornOptions.MaxIterations (per fine round)", count: 1, max: 1,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := MultiscaleSinkhorn(geom, nil, nil, MultiscaleOptions{})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := MultiscaleSinkhorn(geom, nil, nil, MultiscaleOptions{Tolerance: 1e-12, Sinkhorn: SinkhornOptions{MaxIterations: 1, Threshold: 1e-9}})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "Divergence", cap: "SinkhornOptions.MaxIterations", count: 10, max: 10,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := Divergence(x, y, nil, nil, DivergenceOptions{Epsilon: 0.5})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := Divergence(x, y, nil, nil, DivergenceOptions{Epsilon: 0.5, Sinkhorn: capped})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "MultiscaleDivergence", cap: "SinkhornOptions.MaxIterations (per fine round)", count: 1, max: 1,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := MultiscaleDivergence(x, y, nil, nil, MultiscaleDivergenceOptions{Epsilon: 0.5})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := MultiscaleDivergence(x, y, nil, nil, MultiscaleDivergenceOptions{Epsilon: 0.5,
					Multiscale: MultiscaleOptions{Tolerance: 1e-12, Sinkhorn: SinkhornOptions{MaxIterations: 1, Threshold: 1e-9}}})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "Barycenter", cap: "BarycenterOptions.MaxIterations", count: 5, max: 5,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := Barycenter(square, hists, BarycenterOptions{})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := Barycenter(square, hists, BarycenterOptions{MaxIterations: 5, Threshold: 1e-300})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "ConvolutionalBarycenter", cap: "ConvolutionalBarycenterOptions.MaxIterations", count: 5, max: 5,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := ConvolutionalBarycenter(images, ConvolutionalBarycenterOptions{Epsilon: 0.05})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := ConvolutionalBarycenter(images, ConvolutionalBarycenterOptions{Epsilon: 0.05, MaxIterations: 5, Threshold: 1e-300})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "FreeSupportBarycenter", cap: "FreeSupportBarycenterOptions.MaxIterations", count: 1, max: 1,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := FreeSupportBarycenter([]*mat.Dense{x, y}, nil, mat.DenseCopyOf(x), FreeSupportBarycenterOptions{})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := FreeSupportBarycenter([]*mat.Dense{x, y}, nil, mat.DenseCopyOf(x), FreeSupportBarycenterOptions{MaxIterations: 1})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "EntropicGromovWasserstein", cap: "GromovOptions.MaxIterations", unit: "outer iterations", count: 1, max: 1,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{NormalizeDistances: true})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{NormalizeDistances: true, MaxIterations: 1})
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "EMD", cap: "EMDOptions.MaxIterations", unit: "pivots", count: 2, max: 2,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := EMDPoints(x, y, nil, nil, EMDOptions{})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := EMDPoints(x, y, nil, nil, EMDOptions{MaxIterations: 2})
				if err == nil && (r.Status != EMDIterationLimit || r.Optimal()) {
					t.Errorf("EMD capped: Status %v", r.Status)
				}
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "FitEM", cap: "EMOptions.Steps", unit: "EM steps", count: 3, max: 3,
			converged: func(t *testing.T) (Convergence, error) {
				r, err := FitEM(mix, pts, EMOptions{Steps: 500, Tolerance: 1e-6})
				if err == nil && r.Iterations >= 500 {
					t.Errorf("FitEM with a tolerance ran all %d steps", r.Iterations)
				}
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := FitEM(mix, pts, EMOptions{Steps: 3, Tolerance: 1e-300})
				if err == nil && (len(r.LogLikelihood) != 3 || len(r.Errors) != 2) {
					t.Errorf("FitEM trace: %d log-likelihoods, %d changes; want 3 and 2", len(r.LogLikelihood), len(r.Errors))
				}
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			// FitPair's own loop has no threshold: the reason is an inner
			// solve, named with its EM iteration and its own cap.
			name: "FitPair", cap: "SinkhornOptions.MaxIterations", count: 1, max: 1, outerStep: "FitPair: EM iteration 0: component",
			converged: func(t *testing.T) (Convergence, error) {
				r, err := FitPair(pair(t), pts, pts, PairFitOptions{WeightTransport: 0.1, EMSteps: 2, MSteps: 2})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := FitPair(pair(t), pts, pts, PairFitOptions{WeightTransport: 0.1, EMSteps: 2, MSteps: 2,
					Sinkhorn: SinkhornOptions{MaxIterations: 1, InnerIterations: 1, Threshold: 1e-15}})
				if err == nil && (r.Iterations != 2 || r.MaxIterations != 2 || r.Unconverged == 0) {
					t.Errorf("FitPair record: %d of %d EM iterations, %d capped solves", r.Iterations, r.MaxIterations, r.Unconverged)
				}
				return record(t, r.Convergence, err, r.Err())
			},
		},
		{
			name: "GradientFlow", cap: "SinkhornOptions.MaxIterations", count: 10, max: 10, outerStep: "gradient flow: step 0",
			converged: func(t *testing.T) (Convergence, error) {
				r, err := GradientFlow(x, RegOTObjective(flowY, PointCloudOptions{Epsilon: 0.5}, SinkhornOptions{}), FlowOptions{Steps: 3})
				return record(t, r.Convergence, err, r.Err())
			},
			capped: func(t *testing.T) (Convergence, error) {
				r, err := GradientFlow(x, RegOTObjective(flowY, PointCloudOptions{Epsilon: 0.5}, capped), FlowOptions{Steps: 3})
				if err == nil && (r.Iterations != 0 || r.MaxIterations != 3) {
					t.Errorf("GradientFlow record: step %d of %d", r.Iterations, r.MaxIterations)
				}
				return record(t, r.Convergence, err, r.Err())
			},
		},
	}
}

// TestConvergenceContract checks, for every iterative solver, that
// non-convergence is reported one way (the result with a nil error) and
// that Err is nil when converged and otherwise wraps ErrNotConverged in a
// *ConvergenceError that counts iterations against the cap it names.
func TestConvergenceContract(t *testing.T) {
	for _, c := range contractCases(t) {
		t.Run(c.name, func(t *testing.T) {
			rec, err := c.converged(t)
			if !rec.Converged || err != nil {
				t.Errorf("converged run: Converged %v, Err %v", rec.Converged, err)
			}
			if rec.Iterations > rec.MaxIterations || rec.MaxIterations <= 0 {
				t.Errorf("converged run: %d iterations against the cap %d", rec.Iterations, rec.MaxIterations)
			}

			rec, err = c.capped(t)
			if rec.Converged || !errors.Is(err, ErrNotConverged) {
				t.Fatalf("capped run: Converged %v, Err %v (want ErrNotConverged)", rec.Converged, err)
			}
			var ce *ConvergenceError
			if !errors.As(err, &ce) {
				t.Fatalf("capped run: Err %v is not a *ConvergenceError", err)
			}
			if ce.Cap != c.cap || ce.Iterations != c.count || ce.MaxIterations != c.max {
				t.Errorf("capped run: %d iterations against %s = %d, want %d against %s = %d",
					ce.Iterations, ce.Cap, ce.MaxIterations, c.count, c.cap, c.max)
			}
			if ce.Iterations > ce.MaxIterations {
				t.Errorf("capped run: counts %d iterations against a cap of %d", ce.Iterations, ce.MaxIterations)
			}
			unit := c.unit
			if unit == "" {
				unit = "iterations"
			}
			if c.count == 1 {
				unit = strings.TrimSuffix(unit, "s")
			}
			want := fmt.Sprintf("did not converge: %d %s (cap %s = %d)", c.count, unit, c.cap, c.max)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("capped run: message %q does not say %q", err, want)
			}
			if c.outerStep != "" && !strings.Contains(err.Error(), c.outerStep) {
				t.Errorf("capped run: message %q does not name %q", err, c.outerStep)
			}
			if c.outerStep == "" && (rec.Iterations != c.count || rec.MaxIterations != c.max) {
				t.Errorf("capped run: record %d of %d, want %d of %d", rec.Iterations, rec.MaxIterations, c.count, c.max)
			}
		})
	}
}

// A record assembled by hand (or the zero value) still gives an error that
// wraps ErrNotConverged and names its counts.
func TestConvergenceZeroRecord(t *testing.T) {
	var c Convergence
	err := c.Err()
	var ce *ConvergenceError
	if !errors.Is(err, ErrNotConverged) || !errors.As(err, &ce) || !strings.Contains(err.Error(), "0 iterations (cap MaxIterations = 0)") {
		t.Errorf("zero record: %v", err)
	}
	c.Converged = true
	if c.Err() != nil {
		t.Errorf("converged record: %v", c.Err())
	}
	r := &SinkhornResult{}
	r.Iterations, r.MaxIterations = 3, 3
	if err := r.Err(); !errors.As(err, &ce) || ce.Cap != "SinkhornOptions.MaxIterations" || ce.Threshold != 1e-3 {
		t.Errorf("hand-made Sinkhorn result: %v", err)
	}
}

// Epsilon is an option of every family without a geometry: its zero value
// is the documented default, or an error naming the field where there is
// no sensible default.
func TestEpsilonOptions(t *testing.T) {
	x, y := contractClouds()
	t.Run("Gromov zero is POT's 0.1", func(t *testing.T) {
		z, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{NormalizeDistances: true})
		if err != nil {
			t.Fatal(err)
		}
		e, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{NormalizeDistances: true, Epsilon: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		if z.Epsilon != 0.1 || !mat.Equal(z.Coupling, e.Coupling) || z.Cost != e.Cost {
			t.Errorf("zero Epsilon gave eps %g and a different coupling from 0.1", z.Epsilon)
		}
		for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
			_, err := EntropicGromovWassersteinPoints(x, y, nil, nil, nil, GromovOptions{Epsilon: bad})
			if err == nil || !strings.Contains(err.Error(), "GromovOptions.Epsilon") {
				t.Errorf("Epsilon %g: error %v, want one naming GromovOptions.Epsilon", bad, err)
			}
		}
	})
	t.Run("ConvolutionalBarycenter zero is an error naming the field", func(t *testing.T) {
		im := mat.NewDense(3, 3, []float64{0, 0, 0, 0, 1, 0, 0, 0, 0})
		_, err := ConvolutionalBarycenter([]*mat.Dense{im, im}, ConvolutionalBarycenterOptions{})
		if err == nil || !strings.Contains(err.Error(), "ConvolutionalBarycenterOptions.Epsilon") {
			t.Errorf("zero Epsilon: error %v", err)
		}
		r, err := ConvolutionalBarycenter([]*mat.Dense{im, im}, ConvolutionalBarycenterOptions{Epsilon: 0.1})
		if err != nil || r.Epsilon != 0.1 {
			t.Errorf("Epsilon 0.1: %v, result eps %v", err, r)
		}
	})
	t.Run("MixturePair zero is OTT's 1e-2 and tau 1", func(t *testing.T) {
		g := testMixture(t)
		p, err := NewMixturePair(g, g, MixturePairOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Epsilon != 1e-2 || p.Tau != 1 || p.LockGMM1 {
			t.Errorf("zero options gave %+v", p)
		}
		p, err = NewMixturePair(g, g, MixturePairOptions{Epsilon: 0.3, Tau: 0.5, LockGMM1: true})
		if err != nil || p.Epsilon != 0.3 || p.Tau != 0.5 || !p.LockGMM1 {
			t.Errorf("explicit options: %v, %+v", err, p)
		}
		for _, o := range []MixturePairOptions{{Epsilon: -1}, {Epsilon: math.Inf(1)}, {Tau: 1.5}, {Tau: -0.5}} {
			if _, err := NewMixturePair(g, g, o); err == nil || !strings.Contains(err.Error(), "MixturePairOptions.") {
				t.Errorf("%+v: error %v, want one naming the field", o, err)
			}
		}
	})
	t.Run("FreeSupportBarycenter negative is an error (0 is the exact solve)", func(t *testing.T) {
		r, err := FreeSupportBarycenter([]*mat.Dense{x, y}, nil, mat.DenseCopyOf(x), FreeSupportBarycenterOptions{Epsilon: -1})
		if err == nil || r != nil || !strings.Contains(err.Error(), "Epsilon") {
			t.Errorf("negative Epsilon: %v", err)
		}
	})
}

// The default multiscale Tolerance follows the Sinkhorn threshold: below
// 4e-5 (unit masses) it is Threshold/4, so the fine loop stops at least at
// half the threshold, where the fixed 1e-5 used to be rejected; above, it is
// the documented 1e-5. A Tolerance set by hand that is too loose is still
// an error, naming the fix.
func TestMultiscaleToleranceFollowsThreshold(t *testing.T) {
	x, y := contractClouds()
	geom := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5})
	for _, c := range []struct{ threshold, tol float64 }{{1e-3, 1e-5}, {4e-5, 1e-5}, {1e-5, 2.5e-6}, {1e-9, 2.5e-10}} {
		r, err := MultiscaleSinkhorn(geom, nil, nil, MultiscaleOptions{Sinkhorn: SinkhornOptions{Threshold: c.threshold}})
		if err != nil {
			t.Fatalf("threshold %g: %v", c.threshold, err)
		}
		if math.Abs(r.MassBound-c.tol) > 1e-18 {
			t.Errorf("threshold %g: MassBound %g, want tol·Σa·Σb = %g", c.threshold, r.MassBound, c.tol)
		}
		if !(r.Threshold >= c.threshold/2) || r.Err() != nil {
			t.Errorf("threshold %g: fine threshold %g, Err %v", c.threshold, r.Threshold, r.Err())
		}
	}
	_, err := MultiscaleSinkhorn(geom, nil, nil, MultiscaleOptions{Tolerance: 1e-5, Sinkhorn: SinkhornOptions{Threshold: 1e-5}})
	if err == nil || !strings.Contains(err.Error(), "leave it 0") {
		t.Errorf("explicit loose Tolerance: %v", err)
	}
}

// BarycenterResult.F is −Inf exactly where an input histogram is zero (no
// mass leaves there) and finite elsewhere; G is finite.
func TestBarycenterPotentialsAtZeroWeights(t *testing.T) {
	x, _ := contractClouds()
	geom := mustCloud(t, x, nil, PointCloudOptions{Epsilon: 0.5})
	h0, h1 := uniform(12), uniform(12)
	h0[3], h0[0] = 0, 2*h0[0]
	h1[7], h1[1] = 0, 2*h1[1]
	for _, kern := range []bool{false, true} {
		r, err := Barycenter(geom, [][]float64{h0, h1}, BarycenterOptions{ReferenceKernel: kern})
		if err != nil {
			t.Fatal(err)
		}
		for k, h := range [][]float64{h0, h1} {
			for i, v := range r.F[k] {
				if (h[i] == 0) != math.IsInf(v, -1) || math.IsNaN(v) || math.IsInf(v, 1) {
					t.Errorf("reference %v: F[%d][%d] = %g at weight %g", kern, k, i, v, h[i])
				}
			}
			if !allFinite(r.G[k]) {
				t.Errorf("reference %v: G[%d] = %v", kern, k, r.G[k])
			}
		}
		if !allFinite(r.Histogram) || r.Err() != nil {
			t.Errorf("reference %v: histogram %v, Err %v", kern, r.Histogram, r.Err())
		}
	}
}

// FitEM's LogLikelihood trace is the one its report prints: the loss on
// report line i is −LogLikelihood[i+1] (the model after step i, at the next
// E-step), bit for bit; without a Report or a Tolerance it is not computed.
func TestFitEMLogLikelihoodTrace(t *testing.T) {
	x := tutorialPoints(t, 5, 300)
	var buf strings.Builder
	r, err := FitEM(testMixture(t), x, EMOptions{Steps: 6, Report: &buf})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(r.LogLikelihood) != 6 || len(lines) != 6 || r.Iterations != 6 || !r.Converged {
		t.Fatalf("%d log-likelihoods, %d report lines, %d iterations, converged %v", len(r.LogLikelihood), len(lines), r.Iterations, r.Converged)
	}
	for i := 0; i+1 < len(lines); i++ {
		var step int
		var q, loss float64
		if _, err := fmt.Sscanf(strings.ReplaceAll(lines[i], "-log prob=", "loss "), "%d  q=%g  loss %g", &step, &q, &loss); err != nil {
			t.Fatalf("line %q: %v", lines[i], err)
		}
		if loss != -r.LogLikelihood[i+1] {
			t.Errorf("step %d: report loss %v, −LogLikelihood[%d] = %v", i, loss, i+1, -r.LogLikelihood[i+1])
		}
		if r.LogLikelihood[i+1] < r.LogLikelihood[i]-1e-12 {
			t.Errorf("step %d: the log-likelihood fell from %v to %v", i, r.LogLikelihood[i], r.LogLikelihood[i+1])
		}
	}
	plain, err := FitEM(testMixture(t), x, EMOptions{Steps: 6})
	if err != nil {
		t.Fatal(err)
	}
	if plain.LogLikelihood != nil || plain.Errors != nil || !mixturesEqual(plain.Mixture, r.Mixture) {
		t.Errorf("fit without a report: trace %v, errors %v, same mixture %v", plain.LogLikelihood, plain.Errors, mixturesEqual(plain.Mixture, r.Mixture))
	}
}
