package otkit

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// The error classes of the solvers. Every solver of the package that fails
// for one of these reasons returns an error that wraps the matching sentinel
// (test with errors.Is) and whose message names the cause and, where one
// exists, the fix. Bad input (wrong lengths, negative weights, out-of-range
// options) is reported by plain errors naming the offending value.
var (
	// ErrNotConverged: an iterative solve stopped at its iteration cap with
	// a finite error above its threshold. The result is finite and can be
	// used, but it is not the solution asked for. Solvers return such a
	// result with a nil error; its Err method (Convergence.Err) returns a
	// *ConvergenceError wrapping this.
	ErrNotConverged = errors.New("did not converge")

	// ErrDiverged: an accelerated iteration (momentum, Anderson) moved away
	// from the solution until its iterates or its error stopped being finite
	// or consistent. The plain iteration, or a smaller acceleration, fixes it.
	ErrDiverged = errors.New("diverged")

	// ErrNumerical: float64 cannot hold the computation: an exponential
	// overflowed or underflowed (kernel mode at small eps), or the rounding of
	// the costs is not small against eps, so that the result is not finite or
	// not self-consistent (see SinkhornResult.Check). A larger epsilon, the log
	// domain, or rescaled data fixes it.
	ErrNumerical = errors.New("numerical overflow or underflow")
)

// ConvergenceError reports an iterative solve that ran to its iteration cap
// without reaching its threshold. It wraps ErrNotConverged. Its message
// counts Iterations in the unit of the cap it names (Sinkhorn iterations
// against SinkhornOptions.MaxIterations, outer iterations against
// GromovOptions.MaxIterations, pivots against EMDOptions.MaxIterations, ...),
// then gives the final error, the threshold and the options that help.
type ConvergenceError struct {
	Op            string  // what was solved, e.g. "Sinkhorn" or "divergence: x–y Sinkhorn"
	Iterations    int     // iterations run, in the unit of the cap
	MaxIterations int     // the cap
	Cap           string  // the option that sets the cap, e.g. "SinkhornOptions.MaxIterations"; "" → "MaxIterations"
	Unit          string  // what Iterations counts, e.g. "pivots"; "" → "iterations"
	FinalError    float64 // the last error computed (NaN when none was)
	Threshold     float64 // the error the solve had to reach
	Statistic     string  // what FinalError measures; "" → "marginal error"
	Help          string  // the options that help, as a sentence; empty for none
}

func (e *ConvergenceError) Error() string {
	cap, unit, stat := e.Cap, e.Unit, e.Statistic
	if cap == "" {
		cap = "MaxIterations"
	}
	if unit == "" {
		unit = "iterations"
	}
	if stat == "" {
		stat = "marginal error"
	}
	if e.Iterations == 1 {
		unit = strings.TrimSuffix(unit, "s") // "1 pivot", "1 outer iteration"
	}
	msg := fmt.Sprintf("otkit: %s did not converge: %d %s (cap %s = %d)", e.Op, e.Iterations, unit, cap, e.MaxIterations)
	switch {
	case math.IsNaN(e.FinalError) && e.Threshold == 0:
		// A loop without a stopping statistic (EMD's pivots).
	case math.IsNaN(e.FinalError):
		msg += fmt.Sprintf(", no %s computed (threshold %.3g)", stat, e.Threshold)
	default:
		msg += fmt.Sprintf(", final %s %.3g above the threshold %.3g", stat, e.FinalError, e.Threshold)
	}
	if e.Help != "" {
		msg += "; " + e.Help
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNotConverged) true.
func (e *ConvergenceError) Unwrap() error { return ErrNotConverged }

// sinkhornHelp is the advice for a Sinkhorn solve that ran out of iterations.
const sinkhornHelp = "raise SinkhornOptions.MaxIterations, start from a larger epsilon with an epsilon schedule (PointCloudOptions.Schedule, e.g. {Init: 10, Decay: 0.9}), or accelerate with SinkhornOptions.Anderson (e.g. 5) or MomentumStart"

// numericalError wraps ErrNumerical with a message naming the cause and fix.
func numericalError(format string, args ...any) error {
	return fmt.Errorf("otkit: %w: "+format, append([]any{ErrNumerical}, args...)...)
}

// divergedError wraps ErrDiverged with a message naming the cause and fix.
func divergedError(format string, args ...any) error {
	return fmt.Errorf("otkit: %w: "+format, append([]any{ErrDiverged}, args...)...)
}

// opError prefixes an error from a helper with the public call it
// happened in, without repeating the package prefix; errors.Is and As see
// the original.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	return "otkit: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "otkit: ")
}

func (e *opError) Unwrap() error { return e.err }

func within(op string, err error) error { return &opError{op, err} }

// trimPrefix returns an otkit error's message without its "otkit: " prefix,
// for wrapping with the name of the calling operation.
func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "otkit: ") }
