package otkit

import (
	"errors"
	"fmt"
	"math"

	"github.com/otlab/gootlab/otkit/internal/netsimplex"
	"gonum.org/v1/gonum/mat"
)

// EMDOptions configures EMD and EMDPoints. The zero value solves to
// optimality (up to a generous pivot limit) with the squared Euclidean cost
// for point clouds.
type EMDOptions struct {
	// MaxIterations bounds the number of simplex pivots; 0 → 1000·(n+m) +
	// 100000. When it is reached the result holds a feasible plan whose
	// Status is EMDIterationLimit: a valid coupling, not proven optimal.
	MaxIterations int
	// Cost is the ground cost of EMDPoints; nil → SqEuclidean{} (the norm
	// form, like POT's ot.dist). EMD ignores it.
	Cost Cost
}

// resolve applies the default pivot limit for an n×m problem and checks
// the options.
func (o EMDOptions) resolve(n, m int) (EMDOptions, error) {
	if o.MaxIterations < 0 {
		return o, fmt.Errorf("otkit: EMD: MaxIterations must not be negative, have %d", o.MaxIterations)
	}
	if o.MaxIterations == 0 {
		o.MaxIterations = 1000*(n+m) + 100000
	}
	return o, nil
}

// EMDStatus says how the network simplex ended.
type EMDStatus int

const (
	// EMDOptimal: no arc has a negative reduced cost, so the plan and the
	// potentials are optimal (to rounding: reduced costs ≥ −1e-12·max|C|).
	EMDOptimal EMDStatus = iota
	// EMDIterationLimit: MaxIterations pivots ran out first. The plan is
	// feasible (marginals a and b) but not proven optimal, and the
	// potentials need not be dual feasible.
	EMDIterationLimit
)

func (s EMDStatus) String() string {
	switch s {
	case EMDOptimal:
		return "optimal"
	case EMDIterationLimit:
		return "iteration limit reached (not optimal)"
	}
	return fmt.Sprintf("EMDStatus(%d)", int(s))
}

// PlanEntry is one non-zero entry of a sparse transport plan: Mass moves
// from source point I to target point J.
type PlanEntry struct {
	I, J int
	Mass float64
}

// EMDResult is the solution of an exact (unregularised) optimal transport
// problem min ⟨P, C⟩ over couplings P of a and b.
type EMDResult struct {
	// Plan lists the non-zero entries of the optimal coupling, sorted by
	// (I, J): a basic solution, so at most n+m−1 entries.
	Plan []PlanEntry
	// Cost is Σ Mass·C_IJ over Plan (POT's ot.emd2).
	Cost float64
	// F and G are dual potentials: F_i + G_j ≤ C_ij for all i, j, with
	// equality on Plan, and Σ a_i F_i + Σ b_j G_j = Cost at the optimum.
	// They are defined up to F + c, G − c; c is chosen so that
	// Σ a_i F_i = Σ b_j G_j (POT's center_dual). Points with zero weight get
	// the largest potential that keeps the constraints feasible.
	F, G []float64
	// Status is EMDOptimal or EMDIterationLimit.
	Status EMDStatus
	// Convergence: Converged is Status == EMDOptimal; Iterations counts
	// pivots, against MaxIterations (EMDOptions.MaxIterations, resolved);
	// there is no error trace (Errors nil, Threshold 0). Err returns a
	// *ConvergenceError when the pivot limit was reached.
	Convergence
	// A and B are the weights solved for: copies of the inputs (uniform when
	// nil), with B rescaled by Σa/Σb so that both masses are exactly equal.
	A, B []float64
}

// Optimal reports whether the simplex proved the plan optimal.
func (r *EMDResult) Optimal() bool { return r.Status == EMDOptimal }

// emdLoop names the network simplex in its *ConvergenceError.
var emdLoop = &loopKind{op: "EMD", cap: "EMDOptions.MaxIterations", unit: "pivots",
	help: "the plan is feasible but not proven optimal; raise EMDOptions.MaxIterations (0 → 1000·(n+m) + 100000)"}

// Matrix returns the plan as a dense n×m matrix. It allocates n·m values;
// use Plan when n·m is large.
func (r *EMDResult) Matrix() *mat.Dense {
	p := mat.NewDense(len(r.A), len(r.B), nil)
	for _, e := range r.Plan {
		p.Set(e.I, e.J, p.At(e.I, e.J)+e.Mass)
	}
	return p
}

// EMD solves the exact optimal transport problem with the n×m cost matrix
// cost between weights a (n, nil → uniform) and b (m, nil → uniform) by the
// network simplex (internal/netsimplex), as POT's ot.emd and ot.emd2 do.
//
// The masses must agree to a relative 1e-6 (b is then rescaled to Σa, as
// POT does). Empty or nil inputs, weights of the wrong length, negative or
// non-finite weights, zero mass and non-finite costs are errors; so are costs
// so large that the cost or the potentials overflow float64 (wrapping
// ErrNumerical). Reaching the pivot limit is not an error: the result is
// returned with a nil error and says so in Status and Converged; Err names
// the cap.
func EMD(cost *mat.Dense, a, b []float64, opt EMDOptions) (*EMDResult, error) {
	if cost == nil {
		return nil, errors.New("otkit: EMD: nil cost matrix")
	}
	n, m := cost.Dims()
	if n == 0 || m == 0 {
		return nil, errors.New("otkit: EMD: empty cost matrix")
	}
	// A contiguous matrix is read in place (the solver never writes to
	// it); a view with a larger stride is copied.
	raw := cost.RawMatrix()
	c := raw.Data
	if raw.Stride != m {
		c = make([]float64, n*m)
		for i := 0; i < n; i++ {
			copy(c[i*m:(i+1)*m], raw.Data[i*raw.Stride:i*raw.Stride+m])
		}
	}
	c = c[:n*m]
	for k, v := range c {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("otkit: EMD: cost is not finite (%g) at [%d,%d]", v, k/m, k%m)
		}
	}
	return solveEMD(c, n, m, a, b, opt)
}

// EMDPoints solves EMD between the rows of x (n×d) and y (m×d) with the
// cost opt.Cost (nil → SqEuclidean{}); y nil means y = x. It checks the
// points as NewPointCloud does and builds the n×m cost matrix once.
func EMDPoints(x, y *mat.Dense, a, b []float64, opt EMDOptions) (*EMDResult, error) {
	if x == nil {
		return nil, errors.New("otkit: EMDPoints: nil point matrix")
	}
	g, err := NewPointCloud(x, y, PointCloudOptions{Cost: opt.Cost, Epsilon: 1})
	if err != nil {
		return nil, within("EMDPoints", err)
	}
	n, m := g.Shape()
	c := g.cost
	if c == nil {
		c = make([]float64, n*m)
		g.eachRow(func(i int, row []float64) { copy(c[i*m:(i+1)*m], row) })
	}
	// The geometry owns g.cost; solveEMD only reads it.
	return solveEMD(c, n, m, a, b, opt)
}

// solveEMD checks the weights, drops zero-weight points (they carry no mass
// and would only add degenerate pivots), runs the simplex on the rest and
// assembles the result on the full index range.
func solveEMD(c []float64, n, m int, a, b []float64, opt EMDOptions) (*EMDResult, error) {
	opt, err := opt.resolve(n, m)
	if err != nil {
		return nil, err
	}
	a, sa, err := checkWeights(a, n, "a")
	if err != nil {
		return nil, within("EMD", err)
	}
	b, sb, err := checkWeights(b, m, "b")
	if err != nil {
		return nil, within("EMD", err)
	}
	if math.Abs(sa-sb) > massTolerance*math.Max(sa, sb) {
		return nil, fmt.Errorf("otkit: EMD: exact transport needs equal masses, have Σa = %g and Σb = %g (normalise both weight vectors)", sa, sb)
	}
	for j := range b {
		b[j] *= sa / sb
	}
	// The potentials are sums of up to n+m costs along the spanning tree,
	// and the reduced costs C − F − G differences of those: costs that
	// large overflow float64 (and the pivoting would then compare ±Inf).
	var cmax float64
	for _, v := range c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	if limit := math.MaxFloat64 / float64(4*(n+m)); cmax > limit {
		return nil, numericalError("EMD: costs up to %g overflow the dual potentials' sums (limit %g for n+m = %d): rescale the costs", cmax, limit, n+m)
	}
	maxIter := opt.MaxIterations
	rows, cols := positive(a), positive(b)
	sub := c
	if len(rows) < n || len(cols) < m {
		sub = make([]float64, len(rows)*len(cols))
		for k, i := range rows {
			for l, j := range cols {
				sub[k*len(cols)+l] = c[i*m+j]
			}
		}
	}
	ns := netsimplex.New(sub, gather(a, rows), gather(b, cols))
	optimal := ns.Run(maxIter)

	res := &EMDResult{A: a, B: b, Status: EMDOptimal}
	res.Convergence = Convergence{Converged: optimal, Iterations: ns.Pivots(), MaxIterations: maxIter, kind: emdLoop}
	if !optimal {
		res.Status = EMDIterationLimit
	}
	flows := ns.Plan(rows, cols)
	res.Plan = make([]PlanEntry, len(flows))
	for k, e := range flows {
		res.Plan[k] = PlanEntry(e)
	}
	for _, e := range res.Plan {
		res.Cost += e.Mass * c[e.I*m+e.J]
	}
	res.F, res.G = ns.Potentials(c, n, m, rows, cols)
	centerDuals(res.F, res.G, a, b)
	if !isFinite(res.Cost) || !finiteVec(res.F) || !finiteVec(res.G) {
		return nil, numericalError("EMD: the cost (%g) or the dual potentials are not finite in float64 (costs up to %g, masses Σa = %g): rescale the costs or the weights", res.Cost, cmax, sa)
	}
	return res, nil
}

// positive returns the indices of the positive entries of w.
func positive(w []float64) []int {
	idx := make([]int, 0, len(w))
	for k, v := range w {
		if v > 0 {
			idx = append(idx, k)
		}
	}
	return idx
}

func gather(w []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = w[i]
	}
	return out
}

// centerDuals shifts F + c, G − c so that ⟨a, F⟩ = ⟨b, G⟩.
func centerDuals(f, g, a, b []float64) {
	var af, bg float64
	for i, v := range a {
		af += v * f[i]
	}
	for j, v := range b {
		bg += v * g[j]
	}
	shift := (bg - af) / (sum(a) + sum(b))
	for i := range f {
		f[i] += shift
	}
	for j := range g {
		g[j] -= shift
	}
}
