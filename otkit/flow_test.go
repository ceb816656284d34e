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

// tutorialClouds is the flow tutorial's data shape (TutorialFlowClouds, the
// notebook's generator): x = 0.25·N(0,I) with 25 points and
// y = 0.5·N(0,I) + (6,0) with 50 points, in 2-D. (JAX's threefry stream
// cannot be reproduced, so the points differ from the notebook's; the tests
// check properties, not coordinates.)
func tutorialClouds(seed uint64) (x, y *mat.Dense) {
	return TutorialFlowClouds(seed)
}

// cloudStats returns the mean and the spread sqrt(mean ‖x_i − x̄‖²) of a
// uniformly weighted cloud; spread² is its total variance.
func cloudStats(x *mat.Dense) (mean []float64, spread float64) {
	n, d := x.Dims()
	mean = make([]float64, d)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			mean[k] += x.At(i, k) / float64(n)
		}
	}
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			dk := x.At(i, k) - mean[k]
			spread += dk * dk / float64(n)
		}
	}
	return mean, math.Sqrt(spread)
}

func dist(a, b []float64) float64 {
	var s float64
	for k := range a {
		s += (a[k] - b[k]) * (a[k] - b[k])
	}
	return math.Sqrt(s)
}

// quadObjective is ½‖x − t‖² summed over points, with gradient x − t: the
// flow is then x_k = t + (1 − lr)^k (x_0 − t) exactly.
func quadObjective(t float64, failAt int) (FlowObjective, *int) {
	calls := new(int)
	return func(x *mat.Dense) (FlowEval, error) {
		step := *calls
		*calls++
		n, d := x.Dims()
		g := mat.NewDense(n, d, nil)
		var v float64
		for i := 0; i < n; i++ {
			for k := 0; k < d; k++ {
				r := x.At(i, k) - t
				g.Set(i, k, r)
				v += 0.5 * r * r
			}
		}
		return FlowEval{Value: v, Grad: g, Converged: step != failAt}, nil
	}, calls
}

func TestGradientFlowFramesAndUpdate(t *testing.T) {
	x0 := mat.NewDense(3, 2, []float64{1, 2, -1, 0, 3, 3})
	keep := mat.DenseCopyOf(x0)
	obj, calls := quadObjective(0.5, -1)
	var seen []float64
	res, err := GradientFlow(x0, obj, FlowOptions{Steps: 7, Every: 3, LearningRate: 0.25, OnStep: func(step int, v float64) {
		if step != len(seen) {
			t.Errorf("OnStep step %d, want %d", step, len(seen))
		}
		seen = append(seen, v)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *calls != 8 || len(seen) != 8 {
		t.Fatalf("%d evaluations and %d callbacks, want 8 (steps 0…7)", *calls, len(seen))
	}
	if !mat.Equal(x0, keep) {
		t.Error("GradientFlow modified its input")
	}
	var steps []int
	for _, f := range res.Frames {
		steps = append(steps, f.Step)
		// Frames hold the positions before the step's move, with the value there.
		fac := math.Pow(0.75, float64(f.Step))
		for i := 0; i < 3; i++ {
			for k := 0; k < 2; k++ {
				want := 0.5 + fac*(x0.At(i, k)-0.5)
				if math.Abs(f.X.At(i, k)-want) > 1e-14 {
					t.Fatalf("frame %d: x[%d][%d] = %g, want %g", f.Step, i, k, f.X.At(i, k), want)
				}
			}
		}
		if f.Value != seen[f.Step] {
			t.Errorf("frame %d value %g, callback saw %g", f.Step, f.Value, seen[f.Step])
		}
	}
	if fmt.Sprint(steps) != "[0 3 6 7]" {
		t.Errorf("frame steps %v, want [0 3 6 7]", steps)
	}
	if !mat.Equal(res.X, res.Frames[len(res.Frames)-1].X) {
		t.Error("X is not the last frame's positions")
	}
}

func TestGradientFlowDefaults(t *testing.T) {
	x0 := mat.NewDense(1, 1, []float64{1})
	obj, calls := quadObjective(0, -1)
	res, err := GradientFlow(x0, obj, FlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *calls != 501 || len(res.Frames) != 11 || res.Frames[10].Step != 500 {
		t.Fatalf("defaults: %d evaluations, %d frames", *calls, len(res.Frames))
	}
	// lr 0.2 after 50 steps: 0.8^50.
	if got, want := res.Frames[1].X.At(0, 0), math.Pow(0.8, 50); math.Abs(got-want) > 1e-15 {
		t.Errorf("step 50: x = %g, want %g", got, want)
	}
}

func TestGradientFlowErrors(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{0, 0, 1, 1})
	nan := mat.NewDense(2, 2, []float64{0, math.NaN(), 1, 1})
	obj, _ := quadObjective(0, -1)
	cases := []struct {
		name, want string
		x          *mat.Dense
		obj        FlowObjective
		opt        FlowOptions
	}{
		{"nil x", "nil x", nil, obj, FlowOptions{}},
		{"nil obj", "nil objective", x, nil, FlowOptions{}},
		{"nan x", "non-finite", nan, obj, FlowOptions{}},
		{"steps", "step count", x, obj, FlowOptions{Steps: -1}},
		{"every", "frame interval", x, obj, FlowOptions{Every: -2}},
		{"lr", "learning rate", x, obj, FlowOptions{LearningRate: -0.1}},
		{"lr nan", "learning rate", x, obj, FlowOptions{LearningRate: math.NaN()}},
	}
	for _, c := range cases {
		_, err := GradientFlow(c.x, c.obj, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}

	// Non-convergence names the step and keeps the frames so far.
	bad, _ := quadObjective(0, 3)
	res, err := GradientFlow(x, bad, FlowOptions{Steps: 10, Every: 1})
	if err != nil || res == nil {
		t.Fatalf("non-convergence: error %v, want the result and a nil error", err)
	}
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "step 3") || !strings.Contains(err.Error(), "converge") {
		t.Fatalf("non-convergence error %v", err)
	}
	if res.Converged || res.Iterations != 3 || res.MaxIterations != 10 || len(res.Frames) != 3 {
		t.Fatalf("partial result %+v", res)
	}

	// Objective errors are wrapped with the step.
	boom := errors.New("boom")
	calls := 0
	_, err = GradientFlow(x, func(x *mat.Dense) (FlowEval, error) {
		calls++
		if calls == 2 {
			return FlowEval{}, boom
		}
		return obj(x)
	}, FlowOptions{Steps: 5})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "step 1") {
		t.Errorf("objective error %v", err)
	}

	// Non-finite values and wrong gradient shapes are refused.
	_, err = GradientFlow(x, func(x *mat.Dense) (FlowEval, error) {
		return FlowEval{Value: math.NaN(), Grad: mat.NewDense(2, 2, nil), Converged: true}, nil
	}, FlowOptions{Steps: 2})
	if !errors.Is(err, ErrNumerical) || !strings.Contains(err.Error(), "the objective is NaN") {
		t.Errorf("NaN value: %v", err)
	}
	_, err = GradientFlow(x, func(x *mat.Dense) (FlowEval, error) {
		return FlowEval{Value: 1, Grad: mat.NewDense(3, 2, nil), Converged: true}, nil
	}, FlowOptions{Steps: 2})
	if err == nil || !strings.Contains(err.Error(), "gradient is 3×2") {
		t.Errorf("bad gradient shape: %v", err)
	}
	_, err = GradientFlow(x, func(x *mat.Dense) (FlowEval, error) {
		return FlowEval{Value: 1, Grad: mat.NewDense(2, 2, []float64{0, math.Inf(1), 0, 0}), Converged: true}, nil
	}, FlowOptions{Steps: 2})
	if !errors.Is(err, ErrNumerical) || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("Inf gradient: %v", err)
	}
}

// A real solve that cannot converge makes the flow fail at step 0.
func TestGradientFlowSinkhornNotConverged(t *testing.T) {
	x, y := tutorialClouds(1)
	obj := RegOTObjective(y, PointCloudOptions{Epsilon: 0.01}, SinkhornOptions{MaxIterations: 10, Threshold: 1e-12})
	res, err := GradientFlow(x, obj, FlowOptions{Steps: 3})
	if err != nil {
		t.Fatalf("error %v, want the result and a nil error", err)
	}
	err = res.Err()
	if err == nil || !strings.Contains(err.Error(), "step 0") || !strings.Contains(err.Error(), "converge") {
		t.Fatalf("error %v", err)
	}
	// The error names the cap, the final error and the options that help,
	// and wraps ErrNotConverged with the solve's details.
	var ce *ConvergenceError
	if !errors.Is(err, ErrNotConverged) || !errors.As(err, &ce) || ce.MaxIterations != 10 || !(ce.FinalError > 1e-12) || ce.Threshold != 1e-12 {
		t.Fatalf("error %v does not carry the solve's convergence details (%+v)", err, ce)
	}
	for _, w := range []string{"cap SinkhornOptions.MaxIterations = 10", "final marginal error", "MaxIterations", "epsilon schedule", "Anderson"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
	// The same through the divergence objective, naming the failing solve.
	obj = DivergenceObjective(y, DivergenceOptions{Epsilon: 0.01, Sinkhorn: SinkhornOptions{MaxIterations: 10, Threshold: 1e-12}})
	res, err = GradientFlow(x, obj, FlowOptions{Steps: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err = res.Err(); !errors.As(err, &ce) || !strings.Contains(err.Error(), "divergence: x–y Sinkhorn did not converge") {
		t.Fatalf("divergence flow: %v", err)
	}
}

func TestFlowObjectivesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 0))
	x := randomCloud(rng, 6, 2, 0.5, nil)
	y := randomCloud(rng, 9, 2, 0.5, []float64{2, 0})
	objs := map[string]FlowObjective{
		"regot":      RegOTObjective(y, PointCloudOptions{Epsilon: 0.3}, tightSinkhorn()),
		"divergence": DivergenceObjective(y, DivergenceOptions{Epsilon: 0.3, Sinkhorn: tightSinkhorn()}),
		"static":     DivergenceObjective(y, DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: 1, Sinkhorn: tightSinkhorn()}),
	}
	for _, name := range []string{"regot", "divergence", "static"} {
		obj := objs[name]
		ev, err := obj(x)
		if err != nil {
			t.Fatal(err)
		}
		if !ev.Converged || ev.Solve == nil {
			t.Fatalf("%s: converged %v, solve %v", name, ev.Converged, ev.Solve)
		}
		worst := fdCheck(t, x, ev.Grad, func(xx *mat.Dense) float64 {
			e, err := obj(xx)
			if err != nil {
				t.Fatal(err)
			}
			return e.Value
		})
		t.Logf("%s: value %.6g, FD error %.2g", name, ev.Value, worst)
		if worst > 1e-6 {
			t.Errorf("%s: gradient differs from finite differences by %.2g", name, worst)
		}
	}
	// Default epsilon: the gradient is the one at the current epsilon, frozen.
	ev, err := RegOTObjective(y, PointCloudOptions{}, tightSinkhorn())(x)
	if err != nil {
		t.Fatal(err)
	}
	ev2, err := RegOTObjective(y, PointCloudOptions{Epsilon: ev.Solve.Epsilon}, tightSinkhorn())(x)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(ev.Grad, ev2.Grad, 1e-12) || ev.Value != ev2.Value {
		t.Error("default-epsilon objective differs from the same explicit epsilon")
	}
}

// tutorialFlow runs one of the tutorial's three flows on the tutorial's data
// shape: (a) OT_eps at the default epsilon, (b) OT_eps at eps = 1,
// (c) S_eps at eps = 1 with static_b and the offset OT_1(y,y) from a plain solve.
func tutorialFlow(tb testing.TB, which string, steps int) (x0, y *mat.Dense, res *FlowResult) {
	tb.Helper()
	x0, y = tutorialClouds(0)
	var obj FlowObjective
	switch which {
	case "a":
		obj = RegOTObjective(y, PointCloudOptions{}, SinkhornOptions{})
	case "b":
		obj = RegOTObjective(y, PointCloudOptions{Epsilon: 1}, SinkhornOptions{})
	case "c":
		gyy, err := NewPointCloud(y, y, PointCloudOptions{Epsilon: 1})
		if err != nil {
			tb.Fatal(err)
		}
		ryy, err := Sinkhorn(gyy, nil, nil, SinkhornOptions{})
		if err != nil {
			tb.Fatal(err)
		}
		obj = DivergenceObjective(y, DivergenceOptions{Epsilon: 1, StaticB: true, OffsetStaticB: ryy.RegOTCost})
	}
	res, err := GradientFlow(x0, obj, FlowOptions{Steps: steps})
	if err != nil {
		tb.Fatal(err)
	}
	return x0, y, res
}

// The tutorial's three flows, full length (500 steps, lr 0.2, frames every 50),
// checked as properties of the final cloud against the target, on the
// notebook's data (seed 0). The bounds are not tuned to that seed: on seeds
// 0–3 the final spread ratios were (a) 0.947–0.953, (b) 0.009–0.023,
// (c) 0.975–0.988, the final (c) values 0.0009–0.0046 and (b) matched y's
// total variance to 2e-4 relative.
func TestTutorialFlows(t *testing.T) {
	first := map[string]float64{}
	for _, which := range []string{"a", "b", "c"} {
		x0, y, res := tutorialFlow(t, which, 500)
		if len(res.Frames) != 11 {
			t.Fatalf("(%s): %d frames", which, len(res.Frames))
		}
		ym, ys := cloudStats(y)
		xm0, _ := cloudStats(x0)
		xm, xs := cloudStats(res.X)
		final := res.Frames[10].Value
		first[which] = res.Frames[0].Value
		var vals []string
		for _, f := range res.Frames {
			vals = append(vals, fmt.Sprintf("%.5f", f.Value))
		}
		t.Logf("(%s) values %s", which, strings.Join(vals, " "))
		t.Logf("(%s) final spread %.4f (target %.4f), |mean − ȳ| = %.2g, target variance %.5f",
			which, xs, ys, dist(xm, ym), ys*ys)

		// All three: the mean contracts by 1 − 2·lr/n = 0.984 per step (the
		// x–x term cancels in the sum). It is exact up to the column-marginal
		// error the solver leaves (threshold 1e-3): larger at the small default
		// eps of (a), where the solves stop just below the threshold.
		meanTol := 1e-5
		if which == "a" {
			meanTol = 3e-3
		}
		for _, f := range res.Frames {
			fm, _ := cloudStats(f.X)
			pred := math.Pow(0.984, float64(f.Step))
			for k := range fm {
				want := ym[k] + pred*(xm0[k]-ym[k])
				if math.Abs(fm[k]-want) > meanTol {
					t.Errorf("(%s) step %d: mean[%d] = %.7f, 0.984-contraction predicts %.7f", which, f.Step, k, fm[k], want)
				}
			}
		}
		if d := dist(xm, ym); d > 0.003 {
			t.Errorf("(%s) final mean %.3g away from the target mean", which, d)
		}
		switch which {
		case "a":
			// Ends on the target and spread over it, slightly shrunk by the
			// entropic bias.
			if xs < 0.85*ys || xs > 1.05*ys {
				t.Errorf("(a) final spread %.3f vs target %.3f", xs, ys)
			}
			if final > 0.25 {
				t.Errorf("(a) final value %.4f", final)
			}
		case "b":
			// Collapses near ȳ; the value tends to y's total variance, the
			// reg-OT cost of a point mass at ȳ.
			if xs > 0.1*ys {
				t.Errorf("(b) final spread %.3f not ≪ target %.3f", xs, ys)
			}
			if math.Abs(final-ys*ys) > 5e-3*ys*ys {
				t.Errorf("(b) final value %.5f, target variance %.5f", final, ys*ys)
			}
		case "c":
			// Debiased: spread over the whole target, value near 0.
			if xs < 0.95*ys || xs > 1.05*ys {
				t.Errorf("(c) final spread %.3f vs target %.3f", xs, ys)
			}
			if final > 0.005 || final < -1e-9 {
				t.Errorf("(c) final value %.5f", final)
			}
		}
	}
	// At step 0, (b) − (c) = ½(OT₁(x,x) + OT₁(y,y)).
	x0, y := tutorialClouds(0)
	dxx := mustDivergence(t, x0, y, nil, nil, DivergenceOptions{Epsilon: 1, NoSymmetricSinkhorn: true})
	if d := first["b"] - first["c"] - 0.5*(dxx.XX.RegOTCost+dxx.YY.RegOTCost); math.Abs(d) > 1e-3 {
		t.Errorf("(b) − (c) at step 0 misses ½(OT(x,x)+OT(y,y)) by %g", d)
	}
}
