package otkit

import "math"

// Convergence is the convergence record of an iterative solve. Every result
// type of an iterative solver embeds it, so its fields are promoted
// (res.Converged, res.Iterations, res.Errors, ...) and every such result has
// the method Err.
//
// Iterations counts in the unit of MaxIterations, the cap of the loop the
// record describes: Sinkhorn iterations for Sinkhorn and the final phase of
// EpsScaling, the last fine round for MultiscaleSinkhorn, outer iterations
// for EntropicGromovWasserstein, pivots for EMD, EM steps for FitEM and
// FitPair, gradient steps for GradientFlow. Each result type's documentation
// says which loop that is and what its Errors hold.
type Convergence struct {
	// Converged reports whether the solve met its stopping criterion.
	Converged bool
	// Iterations is the number of iterations run, in the unit of
	// MaxIterations.
	Iterations int
	// MaxIterations is the cap the loop ran under (the resolved option).
	MaxIterations int
	// Errors is the trace of the stopping statistic, one entry each time
	// it was evaluated; nil for solvers that have none (EMD, FitPair,
	// GradientFlow).
	Errors []float64
	// Threshold is the value the last entry of Errors had to get below.
	Threshold float64

	// kind names the loop in the *ConvergenceError that Err builds; nil
	// (a record assembled by hand) gives a generic message.
	kind *loopKind
	// cause, when set, is returned by Err in place of the error built from
	// the fields: the solve stopped for a reason they do not tell (an
	// inner solve that did not converge, a pattern that kept growing).
	cause error
}

// loopKind describes a solver's loop for the messages of Err: what is
// solved, the option that caps it, what it counts, what its Errors measure
// and the options that help.
type loopKind struct {
	op, cap, unit, statistic, help string
}

// Err returns nil when the solve converged, and otherwise an error wrapping
// ErrNotConverged: a *ConvergenceError naming the cap that Iterations counts
// against, the final error and the threshold, or, when an inner solve is the
// reason, an error naming it that wraps that solve's *ConvergenceError.
func (c *Convergence) Err() error {
	if c.Converged {
		return nil
	}
	if c.cause != nil {
		return c.cause
	}
	k := c.kind
	if k == nil {
		k = &loopKind{op: "solve"}
	}
	return &ConvergenceError{
		Op: k.op, Iterations: c.Iterations, MaxIterations: c.MaxIterations, Cap: k.cap, Unit: k.unit,
		FinalError: lastRecorded(c.Errors), Threshold: c.Threshold, Statistic: k.statistic, Help: k.help,
	}
}

// lastRecorded returns the last error of a run (entries −1 are blocks that
// never ran), NaN when there is none.
func lastRecorded(errs []float64) float64 {
	for k := len(errs) - 1; k >= 0; k-- {
		if errs[k] != -1 {
			return errs[k]
		}
	}
	return math.NaN()
}
