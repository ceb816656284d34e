package otkit

import "math"

// convergenceRecord is the convergence report of the partial, unbalanced
// and relaxed Gromov–Wasserstein solvers (issue 22). It has the fields and
// the Err method of the shared record issue 19 introduces, so that results
// embedding it read the same (res.Converged, res.Iterations, res.Err())
// and the record can be swapped for the shared one by changing only the
// embedded type.
type convergenceRecord struct {
	// Converged reports whether the solve met its stopping criterion.
	Converged bool
	// Iterations is the number of iterations run, in the unit of
	// MaxIterations.
	Iterations int
	// MaxIterations is the cap the loop ran under (the resolved option).
	MaxIterations int
	// Errors is the trace of the stopping statistic, one entry each time it
	// was evaluated; nil for the exact solvers, which have none.
	Errors []float64
	// Threshold is the value the last entry of Errors had to get below.
	Threshold float64

	op   string // what was solved, for the message of Err
	help string // the options that help when the cap is reached
}

// Err returns nil when the solve converged and otherwise a
// *ConvergenceError (errors.Is(err, ErrNotConverged)) naming the cap, the
// last error and the options that help.
func (c *convergenceRecord) Err() error {
	if c.Converged {
		return nil
	}
	final := math.NaN()
	if len(c.Errors) > 0 {
		final = c.Errors[len(c.Errors)-1]
	}
	return &ConvergenceError{Op: c.op, Iterations: c.Iterations, MaxIterations: c.MaxIterations,
		FinalError: final, Threshold: c.Threshold, Help: c.help}
}
