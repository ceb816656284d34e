package otkit

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Problem is one transport problem of a batch (EMDBatch, SinkhornBatch):
// exactly one of
//   - X (n×d) and Y (m×d, nil → Y = X): two point clouds;
//   - Cost (n×m): a cost matrix;
//   - Geom: a geometry built beforehand (SinkhornBatch only; it carries ε),
//
// and the weights A (n, nil → uniform) and B (m, nil → uniform). Problems
// of one batch may have different sizes and dimensions.
type Problem struct {
	X, Y *mat.Dense
	Cost *mat.Dense
	Geom *Geometry
	A, B []float64
}

// kind checks that exactly one form of the problem is given and names it.
func (p *Problem) kind() (string, error) {
	var forms []string
	if p.X != nil {
		forms = append(forms, "points")
	}
	if p.Cost != nil {
		forms = append(forms, "cost")
	}
	if p.Geom != nil {
		forms = append(forms, "geometry")
	}
	switch len(forms) {
	case 1:
		return forms[0], nil
	case 0:
		if p.Y != nil {
			return "", errors.New("Y is set but X is nil (set X, and Y for a second cloud)")
		}
		return "", errors.New("no data: set X (and Y) for point clouds, Cost for a cost matrix, or Geom")
	}
	return "", fmt.Errorf("more than one form of the problem is set (%v): set only one of X/Y, Cost and Geom", forms)
}

// BatchError reports the problems of a batch that failed with an error
// (bad input, ErrNumerical). The other problems' results are valid and are
// returned alongside it. errors.Is and errors.As see every problem's error.
type BatchError struct {
	Op     string  // "EMDBatch", "SinkhornBatch"
	Total  int     // problems in the batch
	Failed []int   // indices of the failed problems, ascending
	Errs   []error // Errs[k] is the error of problem Failed[k]
}

func (e *BatchError) Error() string {
	// Errs[0] already names its problem.
	msg := fmt.Sprintf("otkit: %s: %d of %d problems failed; %s", e.Op, len(e.Failed), e.Total, trimPrefix(e.Errs[0]))
	if len(e.Failed) > 1 {
		msg += fmt.Sprintf(" (and %d more, see BatchError.Errs)", len(e.Failed)-1)
	}
	return msg
}

// Unwrap exposes every problem's error to errors.Is and errors.As.
func (e *BatchError) Unwrap() []error { return e.Errs }

// batchError collects the non-nil entries of errs (indexed by problem) into
// a *BatchError, or returns nil when there are none.
func batchError(op string, errs []error) error {
	e := &BatchError{Op: op, Total: len(errs)}
	for k, err := range errs {
		if err != nil {
			e.Failed = append(e.Failed, k)
			e.Errs = append(e.Errs, err)
		}
	}
	if len(e.Failed) == 0 {
		return nil
	}
	return e
}

// batchWorkers resolves a Workers option: 0 → GOMAXPROCS, never more than
// the number of problems.
func batchWorkers(op string, workers, problems int) (int, error) {
	if workers < 0 {
		return 0, fmt.Errorf("otkit: %s: Workers must not be negative, have %d (0 means GOMAXPROCS)", op, workers)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, problems)), nil
}

// runBatch solves problems 0..count-1 on the given number of goroutines.
// Each worker builds its scratch once (newScratch) and takes the next
// unsolved problem until none is left, so a slow problem does not hold up
// the others. solve writes only its own problem's slots, so the results do
// not depend on which worker solved which problem, nor on the order. A
// panic in one solve becomes that problem's error instead of killing the
// process and the other problems' work.
func runBatch[S any](op string, count, workers int, newScratch func() *S, solve func(sc *S, k int) error, errs []error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			sc := newScratch()
			for {
				k := int(next.Add(1)) - 1
				if k >= count {
					return
				}
				errs[k] = solveGuarded(op, k, func() error { return solve(sc, k) })
			}
		}()
	}
	wg.Wait()
}

// solveGuarded runs one problem's solve and names the problem in its error.
func solveGuarded(op string, k int, solve func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("otkit: %s: problem %d: internal error (please report): %v\n%s", op, k, p, debug.Stack())
		}
	}()
	if err := solve(); err != nil {
		return within(fmt.Sprintf("%s: problem %d", op, k), err)
	}
	return nil
}

// EMDBatchOptions configures EMDBatch. The zero value solves every problem
// as EMD's zero options do, on GOMAXPROCS goroutines.
type EMDBatchOptions struct {
	EMD     EMDOptions // the options of every problem's solve
	Workers int        // goroutines; 0 → GOMAXPROCS
}

// EMDBatchResult holds one result per problem of an EMDBatch call.
type EMDBatchResult struct {
	// Results[k] is problem k's solution, bit-identical to EMD (Cost) or
	// EMDPoints (X, Y) on that problem alone; nil where Errs[k] is set.
	Results []*EMDResult
	// Errs[k] is problem k's error (bad input, ErrNumerical), nil if solved.
	Errs []error
}

// Err reports the problems whose simplex stopped at the pivot limit (a
// feasible plan, not proven optimal) as a *BatchError wrapping a
// *ConvergenceError per problem (errors.Is(err, ErrNotConverged)); nil when
// every solved problem is optimal.
func (r *EMDBatchResult) Err() error {
	errs := make([]error, len(r.Results))
	for k, res := range r.Results {
		if res != nil {
			if err := res.Err(); err != nil {
				errs[k] = fmt.Errorf("otkit: problem %d: %w", k, err)
			}
		}
	}
	return batchError("EMDBatch", errs)
}

// emdScratch is one EMDBatch worker's reusable cost matrix for point-cloud
// problems.
type emdScratch struct{ cost []float64 }

// EMDBatch solves every problem by the network simplex, problem k's result
// bit-identical to EMD(Cost, A, B, opt.EMD) or EMDPoints(X, Y, A, B,
// opt.EMD) alone, at any GOMAXPROCS and number of workers. Problems are
// handed to opt.Workers goroutines one at a time; a worker reuses one cost
// buffer for its point-cloud problems instead of allocating an n×m matrix
// for each.
//
// A problem that cannot be solved (bad input, overflow) gets its error in
// Errs and a nil result; the others are solved regardless, and the call
// then returns the result together with a *BatchError listing the failed
// problems. Bad batch options (negative Workers) return a nil result and an
// error. Problems that reach the pivot limit are not errors: res.Err()
// reports them.
func EMDBatch(problems []Problem, opt EMDBatchOptions) (*EMDBatchResult, error) {
	workers, err := batchWorkers("EMDBatch", opt.Workers, len(problems))
	if err != nil {
		return nil, err
	}
	res := &EMDBatchResult{Results: make([]*EMDResult, len(problems)), Errs: make([]error, len(problems))}
	runBatch("EMDBatch", len(problems), workers, func() *emdScratch { return &emdScratch{} },
		func(sc *emdScratch, k int) (err error) {
			res.Results[k], err = sc.solve(&problems[k], opt.EMD)
			return err
		}, res.Errs)
	return res, batchError("EMDBatch", res.Errs)
}

// solve solves one EMDBatch problem. A point-cloud problem's costs are the
// rows of an online geometry (the same evalRow arithmetic EMDPoints stores
// its matrix with, so the same bits) written into the worker's buffer.
func (sc *emdScratch) solve(p *Problem, opt EMDOptions) (*EMDResult, error) {
	kind, err := p.kind()
	if err != nil {
		return nil, err
	}
	switch kind {
	case "cost":
		return EMD(p.Cost, p.A, p.B, opt)
	case "geometry":
		return nil, errors.New("Geom is for SinkhornBatch; give EMDBatch points (X, Y) or a Cost matrix")
	}
	g, err := NewPointCloud(p.X, p.Y, PointCloudOptions{Cost: opt.Cost, Epsilon: 1, Online: true})
	if err != nil {
		return nil, err
	}
	n, m := g.Shape()
	if cap(sc.cost) < n*m {
		sc.cost = make([]float64, n*m)
	}
	c := sc.cost[:n*m]
	for i := 0; i < n; i++ {
		row := c[i*m : (i+1)*m]
		g.evalRow(row, i)
		for j, v := range row {
			if !isFinite(v) {
				return nil, numericalError("the cost between x row %d and y row %d is not finite (%g): rescale the points", i, j, v)
			}
		}
	}
	// The result keeps no reference to c (Plan and Cost are copied
	// values), so the buffer serves the worker's next problem.
	return solveEMD(c, n, m, p.A, p.B, opt)
}

// SinkhornBatchOptions configures SinkhornBatch. The zero value solves every
// problem as Sinkhorn's zero options do (balanced), each point-cloud problem
// on NewPointCloud's default geometry and each cost-matrix problem on
// NewGeometry's, on GOMAXPROCS goroutines. TauA, TauB < 1 in Sinkhorn make
// every problem unbalanced.
type SinkhornBatchOptions struct {
	Sinkhorn   SinkhornOptions   // the options of every problem's solve
	PointCloud PointCloudOptions // the geometry of point-cloud problems (it sets ε)
	Geometry   GeometryOptions   // the geometry of cost-matrix problems (it sets ε)
	Workers    int               // goroutines; 0 → GOMAXPROCS
}

// SinkhornBatchResult holds one result per problem of a SinkhornBatch call.
type SinkhornBatchResult struct {
	// Results[k] is problem k's solution, bit-identical to building its
	// geometry and calling Sinkhorn on it alone; nil where Errs[k] is set.
	Results []*SinkhornResult
	// Errs[k] is problem k's error (bad input, ErrNumerical, ErrDiverged),
	// nil if solved.
	Errs []error
}

// Err reports the solved problems that did not converge, as a *BatchError
// wrapping each one's SinkhornResult.Err (errors.Is(err,
// ErrNotConverged)); nil when every solved problem converged.
func (r *SinkhornBatchResult) Err() error {
	errs := make([]error, len(r.Results))
	for k, res := range r.Results {
		if res != nil {
			if err := res.Err(); err != nil {
				errs[k] = fmt.Errorf("otkit: problem %d: %w", k, err)
			}
		}
	}
	return batchError("SinkhornBatch", errs)
}

// SinkhornBatch builds every problem's geometry (NewPointCloud with
// opt.PointCloud for X, Y; NewGeometry with opt.Geometry for Cost; Geom as
// given) and solves it with Sinkhorn(geom, A, B, opt.Sinkhorn), problem k's
// result bit-identical to doing so for that problem alone, at any
// GOMAXPROCS and number of workers. Problems are handed to opt.Workers
// goroutines one at a time; a small problem's solve runs on its worker's
// goroutine alone (the kernels split only problems above 2^15 entries), so
// B small problems keep every core busy without contention.
//
// A problem that fails (bad input, ErrNumerical, ErrDiverged) gets its
// error in Errs and a nil result; the others are solved regardless, and the
// call then returns the result together with a *BatchError listing the
// failed problems. Bad batch options return a nil result and an error.
// Non-convergence is not an error: res.Err() reports it per problem.
func SinkhornBatch(problems []Problem, opt SinkhornBatchOptions) (*SinkhornBatchResult, error) {
	workers, err := batchWorkers("SinkhornBatch", opt.Workers, len(problems))
	if err != nil {
		return nil, err
	}
	res := &SinkhornBatchResult{Results: make([]*SinkhornResult, len(problems)), Errs: make([]error, len(problems))}
	runBatch("SinkhornBatch", len(problems), workers, func() *struct{} { return nil },
		func(_ *struct{}, k int) (err error) {
			res.Results[k], err = sinkhornProblem(&problems[k], &opt)
			return err
		}, res.Errs)
	return res, batchError("SinkhornBatch", res.Errs)
}

// sinkhornProblem builds one SinkhornBatch problem's geometry and solves it.
func sinkhornProblem(p *Problem, opt *SinkhornBatchOptions) (*SinkhornResult, error) {
	kind, err := p.kind()
	if err != nil {
		return nil, err
	}
	g := p.Geom
	switch kind {
	case "points":
		g, err = NewPointCloud(p.X, p.Y, opt.PointCloud)
	case "cost":
		g, err = NewGeometry(p.Cost, opt.Geometry)
	}
	if err != nil {
		return nil, err
	}
	return Sinkhorn(g, p.A, p.B, opt.Sinkhorn)
}
