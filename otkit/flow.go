package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// FlowEval is one evaluation of a flow objective at a point cloud x.
type FlowEval struct {
	// Value is the objective at x.
	Value float64
	// Grad is ∇ₓ Value, with the shape of x.
	Grad *mat.Dense
	// Solve is the x–y Sinkhorn solve, kept so frames can draw couplings.
	Solve *SinkhornResult
	// Converged reports whether every solve behind Value converged.
	Converged bool
	// NotConverged says why Converged is false: which solve, its iteration
	// cap, its final error and what helps (SinkhornResult.Err,
	// DivergenceResult.Err). Nil when Converged or unknown.
	NotConverged error
}

// FlowObjective evaluates a divergence to a fixed target and its gradient
// with respect to the moving points x. It must not modify x.
type FlowObjective func(x *mat.Dense) (FlowEval, error)

// RegOTObjective is the flow objective x ↦ OT_eps(x, y), OTT's reg_ot_cost
// between uniform weights on x and on y, as in the tutorial's reg_ot_cost.
//
// The geometry is rebuilt at every evaluation, so with geom.Epsilon = 0 the
// default epsilon 0.05·std(C_xy) is recomputed from the current x each
// step; as in OTT (stop-gradient) it is treated as a constant in the
// gradient, which is therefore the envelope-theorem gradient at that
// epsilon. The cost must implement CostGradient.
func RegOTObjective(y *mat.Dense, geom PointCloudOptions, s SinkhornOptions) FlowObjective {
	return func(x *mat.Dense) (FlowEval, error) {
		if y == nil {
			return FlowEval{}, errors.New("otkit: reg-OT objective: nil target")
		}
		g, err := NewPointCloud(x, y, geom)
		if err != nil {
			return FlowEval{}, fmt.Errorf("otkit: reg-OT objective: %w", err)
		}
		r, err := Sinkhorn(g, nil, nil, s)
		if err != nil {
			return FlowEval{}, fmt.Errorf("otkit: reg-OT objective: %w", err)
		}
		grad, err := r.GradX()
		if err != nil {
			return FlowEval{}, fmt.Errorf("otkit: reg-OT objective: %w", err)
		}
		return FlowEval{Value: r.RegOTCost, Grad: grad, Solve: r, Converged: r.Converged, NotConverged: r.Err()}, nil
	}
}

// DivergenceObjective is the flow objective x ↦ S_eps(x, y), the Sinkhorn
// divergence of Divergence with uniform weights. For a fixed target, set
// StaticB with OffsetStaticB = OT_eps(y, y) to skip the y–y solve at every
// step, as the tutorial does.
func DivergenceObjective(y *mat.Dense, opt DivergenceOptions) FlowObjective {
	return func(x *mat.Dense) (FlowEval, error) {
		if y == nil {
			return FlowEval{}, errors.New("otkit: divergence objective: nil target")
		}
		r, err := Divergence(x, y, nil, nil, opt)
		if err != nil {
			return FlowEval{}, err
		}
		grad, err := r.GradX()
		if err != nil {
			return FlowEval{}, err
		}
		return FlowEval{Value: r.Divergence, Grad: grad, Solve: r.XY, Converged: r.Converged, NotConverged: r.Err()}, nil
	}
}

// FlowOptions configures GradientFlow; the zero value is the tutorial's
// setting (500 steps, learning rate 0.2, a frame every 50 steps).
type FlowOptions struct {
	// Steps is the number of gradient steps; 0 means 500.
	Steps int
	// LearningRate is the step size lr in x ← x − lr·∇; 0 means 0.2.
	LearningRate float64
	// Every is the frame interval; 0 means 50.
	Every int
	// OnStep, if set, is called after each evaluation with the step index
	// (0…Steps) and the objective value there, e.g. to report progress.
	OnStep func(step int, value float64)
}

// resolve applies the tutorial's defaults and checks the options.
func (o FlowOptions) resolve() (FlowOptions, error) {
	if o.Steps < 0 {
		return o, fmt.Errorf("otkit: gradient flow: negative step count %d", o.Steps)
	}
	if o.Every < 0 {
		return o, fmt.Errorf("otkit: gradient flow: negative frame interval %d", o.Every)
	}
	if math.IsNaN(o.LearningRate) || math.IsInf(o.LearningRate, 0) || o.LearningRate < 0 {
		return o, fmt.Errorf("otkit: gradient flow: learning rate must be positive, or 0 for the default; have %g", o.LearningRate)
	}
	if o.Steps == 0 {
		o.Steps = 500
	}
	if o.LearningRate == 0 {
		o.LearningRate = 0.2
	}
	if o.Every == 0 {
		o.Every = 50
	}
	return o, nil
}

// FlowFrame is a snapshot of the flow at one step.
type FlowFrame struct {
	// Step is the step index; X has taken Step gradient steps.
	Step int
	// X holds the positions at which Value and Solve were evaluated.
	X *mat.Dense
	// Value is the objective at X.
	Value float64
	// Solve is the x–y solve at X (its geometry and coupling).
	Solve *SinkhornResult
}

// flowLoop names GradientFlow's loop in its messages.
var flowLoop = &loopKind{op: "gradient flow", cap: "FlowOptions.Steps", unit: "steps"}

// FlowResult holds the frames of a flow and its final positions.
type FlowResult struct {
	// Frames are taken at steps 0, Every, 2·Every, … and at the last step.
	Frames []FlowFrame
	// X is the final positions, after Steps gradient steps; the last frame
	// holds the objective there.
	X *mat.Dense
	// Convergence: Iterations counts the gradient steps taken, against
	// FlowOptions.Steps (resolved); no threshold stops the flow (Errors
	// nil). Converged is false when the flow stopped because an inner
	// solve did not converge; Err names the step and the solve.
	Convergence
}

// GradientFlow runs explicit gradient descent x ← x − lr·∇ₓ obj(x), the
// Wasserstein-like gradient flow of the tutorial, without modifying x.
//
// The objective is evaluated at steps 0, 1, …, Steps (Steps+1 evaluations);
// after evaluation k < Steps the points move once. A frame is stored at every
// step that is a multiple of Every and at the last step, holding the
// positions before that step's move together with the value and solve
// computed there, which is what the tutorial's `if i % 50 == 0` frames show.
// (The tutorial also moves x after its last evaluation; that position is
// never evaluated, so it is not taken here and X equals the last frame's
// positions.)
//
// It stops at the first step whose inner solve did not converge (the
// tutorial asserts convergence every step): as every solver (doc.go), it
// returns the frames gathered so far with a nil error, Converged false and
// Err naming the step and the solve. It fails, naming the step, when the
// objective fails, and with an error wrapping ErrNumerical when the value or
// gradient is not finite; the frames gathered up to that point are returned
// along with the error.
func GradientFlow(x *mat.Dense, obj FlowObjective, opt FlowOptions) (*FlowResult, error) {
	if x == nil {
		return nil, errors.New("otkit: gradient flow: nil x")
	}
	if obj == nil {
		return nil, errors.New("otkit: gradient flow: nil objective")
	}
	n, d := x.Dims()
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			if v := x.At(i, k); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("otkit: gradient flow: non-finite coordinate x[%d][%d] = %g", i, k, v)
			}
		}
	}
	opt, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	steps, lr, every := opt.Steps, opt.LearningRate, opt.Every

	// A fresh matrix per step: frames and solves keep references to the
	// positions they were computed at, so x is never updated in place.
	cur := mat.DenseCopyOf(x)
	res := &FlowResult{Frames: make([]FlowFrame, 0, steps/every+2)}
	res.MaxIterations, res.kind = steps, flowLoop
	for step := 0; ; step++ {
		res.Iterations = step
		ev, err := obj(cur)
		if err != nil {
			res.X = cur
			return res, fmt.Errorf("otkit: gradient flow: step %d: %w", step, err)
		}
		if !ev.Converged {
			res.X = cur
			cause := ev.NotConverged
			if cause == nil {
				cause = fmt.Errorf("otkit: the objective's solve %w (it gives no detail); %s", ErrNotConverged, sinkhornHelp)
			}
			res.cause = within(fmt.Sprintf("gradient flow: step %d", step), cause)
			return res, nil
		}
		if math.IsNaN(ev.Value) || math.IsInf(ev.Value, 0) {
			res.X = cur
			return res, numericalError("gradient flow: step %d: the objective is %g; lower FlowOptions.LearningRate or rescale the points", step, ev.Value)
		}
		if ev.Grad == nil {
			res.X = cur
			return res, fmt.Errorf("otkit: gradient flow: step %d: objective returned no gradient", step)
		}
		if gr, gc := ev.Grad.Dims(); gr != n || gc != d {
			res.X = cur
			return res, fmt.Errorf("otkit: gradient flow: step %d: gradient is %d×%d, points are %d×%d", step, gr, gc, n, d)
		}
		if opt.OnStep != nil {
			opt.OnStep(step, ev.Value)
		}
		if step%every == 0 || step == steps {
			res.Frames = append(res.Frames, FlowFrame{Step: step, X: cur, Value: ev.Value, Solve: ev.Solve})
		}
		if step == steps {
			res.X = cur
			res.Converged = true
			return res, nil
		}
		next := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			xr, gr, nr := cur.RawRowView(i), ev.Grad.RawRowView(i), next.RawRowView(i)
			for k := range nr {
				v := xr[k] - lr*gr[k]
				if math.IsNaN(v) || math.IsInf(v, 0) {
					res.X = cur
					return res, numericalError("gradient flow: step %d: the step from point %d is not finite (gradient %v); lower FlowOptions.LearningRate or rescale the points", step, i, gr)
				}
				nr[k] = v
			}
		}
		cur = next
	}
}
