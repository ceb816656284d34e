package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// FreeSupportBarycenterOptions configures FreeSupportBarycenter. The zero
// value is POT's ot.lp.free_support_barycenter: exact inner transport,
// uniform weights, stop when Σ‖X_new − X‖² ≤ 1e-7, at most 100 iterations.
type FreeSupportBarycenterOptions struct {
	Weights []float64 // λ_k, one per input measure (nil → uniform; normalised to sum 1)
	// B holds the masses of the barycenter's points (nil → uniform); its
	// length is the number of rows of xInit and its mass must equal the
	// inputs'.
	B             []float64
	Threshold     float64 // 0 → 1e-7 on the squared displacement Σ_i ‖X_new,i − X_i‖²
	MaxIterations int     // 0 → 100
	// Epsilon > 0 replaces the exact inner transport (EMD, network simplex)
	// by otkit's entropic Sinkhorn with this absolute regularisation on the
	// squared Euclidean cost. Sinkhorn slows down sharply when Epsilon is
	// small against the costs (ratios of a few hundred stall the 1e-9
	// threshold); the exact solve has no such limit.
	Epsilon float64
	// Sinkhorn configures the entropic inner solves; its zero value here
	// means Threshold 1e-9 and at most 10000 iterations. Each solve starts
	// from the previous iteration's potentials for the same input.
	Sinkhorn SinkhornOptions
}

// resolve applies POT's defaults and checks the options for k input
// measures (B is checked against xInit by newFreeSupportProblem); the
// Weights of the result are normalised.
func (o FreeSupportBarycenterOptions) resolve(k int) (FreeSupportBarycenterOptions, error) {
	const op = "free-support barycenter"
	var err error
	if o.Weights, err = checkBarycenterWeights(o.Weights, k, op); err != nil {
		return o, err
	}
	if o.Threshold, o.MaxIterations, err = resolveStopping(o.Threshold, o.MaxIterations, 1e-7, 100, op); err != nil {
		return o, err
	}
	if math.IsNaN(o.Epsilon) || o.Epsilon < 0 || math.IsInf(o.Epsilon, 0) {
		return o, fmt.Errorf("otkit: free-support barycenter: Epsilon must be positive and finite (0 = exact), have %g", o.Epsilon)
	}
	if o.Epsilon == 0 {
		return o, nil
	}
	in := &o.Sinkhorn
	if in.Threshold == 0 {
		in.Threshold = 1e-9
	}
	if in.MaxIterations == 0 {
		in.MaxIterations = 10000
	}
	if in.InitF != nil || in.InitG != nil || in.TauA != 0 && in.TauA != 1 || in.TauB != 0 && in.TauB != 1 {
		return o, errors.New("otkit: free-support barycenter: inner Sinkhorn options must be balanced and without InitF/InitG (the solver warm-starts them)")
	}
	if _, err := in.resolve(1, 1); err != nil {
		return o, err
	}
	return o, nil
}

// FreeSupportBarycenterResult is the barycenter's points with their masses.
type FreeSupportBarycenterResult struct {
	X *mat.Dense // k×d barycenter points
	B []float64  // their masses
	// Cost is Σ_k λ_k ⟨P_k, C_k⟩ for the couplings of the last iteration,
	// between the X before the last update and the inputs (the transport
	// part only; no entropy).
	Cost float64
	// Convergence: Iterations against FreeSupportBarycenterOptions.MaxIterations;
	// Errors holds the squared displacement Σ_i ‖X_new,i − X_i‖² after each
	// iteration. Converged: the displacement reached Threshold and every
	// inner solve was optimal (exact) or converged (entropic); when an
	// inner solve is the reason, Err names it.
	Convergence
}

// freeSupportLoop names FreeSupportBarycenter's loop in its *ConvergenceError.
var freeSupportLoop = &loopKind{op: "free-support barycenter", cap: "FreeSupportBarycenterOptions.MaxIterations",
	statistic: "squared displacement", help: "raise FreeSupportBarycenterOptions.MaxIterations or its Threshold"}

// FreeSupportBarycenter computes a Wasserstein-2 barycenter of the point
// clouds locations[k] (n_k×d) with masses masses[k] (nil entry → uniform),
// whose support moves: starting from xInit (k×d) it repeats
//
//	X ← Σ_k λ_k diag(1/B) P_k Y_k,
//
// where P_k is the optimal coupling between (X, B) and (Y_k, a_k) for the
// squared Euclidean cost — the barycentric projection of each input onto
// the current support, averaged (Cuturi and Doucet 2014). The zero value
// is POT's ot.lp.free_support_barycenter: exact couplings (EMD), the same
// iterates and stopping rule. With Epsilon > 0 the couplings are entropic;
// their projections are blurred towards the inputs' means, so the support
// contracts as epsilon grows. The fixed point depends on xInit: the problem
// is not convex in the support.
//
// Inputs must share the dimension of xInit, be finite, and carry the same
// positive mass as B; weights must be non-negative with positive sums.
func FreeSupportBarycenter(locations []*mat.Dense, masses [][]float64, xInit *mat.Dense, opt FreeSupportBarycenterOptions) (*FreeSupportBarycenterResult, error) {
	p, err := newFreeSupportProblem(locations, masses, xInit, opt)
	if err != nil {
		return nil, err
	}
	return p.solve()
}

// freeSupportProblem is the checked input of one solve.
type freeSupportProblem struct {
	ys      []*mat.Dense
	as      [][]float64
	x       *mat.Dense
	b       []float64
	lambda  []float64
	thr     float64
	maxIter int
	inner   innerProjector
}

// innerProjector returns, for input k, the barycentric projection
// diag(1/b)·P·Y_k (rows of x) of the optimal coupling P between (x, b) and
// (Y_k, a_k), with ⟨P, C⟩ and the solve's Err (nil when it is optimal or
// converged).
type innerProjector func(k int, x *mat.Dense) (proj *mat.Dense, cost float64, notConverged, err error)

func newFreeSupportProblem(locations []*mat.Dense, masses [][]float64, xInit *mat.Dense, opt FreeSupportBarycenterOptions) (*freeSupportProblem, error) {
	const op = "free-support barycenter"
	bad := func(format string, args ...any) (*freeSupportProblem, error) {
		return nil, fmt.Errorf("otkit: free-support barycenter: "+format, args...)
	}
	if len(locations) == 0 {
		return bad("no input measures")
	}
	if masses != nil && len(masses) != len(locations) {
		return bad("%d mass vectors for %d measures (use nil for uniform masses)", len(masses), len(locations))
	}
	x, k, d, err := flatPoints(xInit, "xInit")
	if err != nil {
		return bad("%s", trimPrefix(err))
	}
	b, sb, err := checkWeights(opt.B, k, "B (one per row of xInit)")
	if err != nil {
		return nil, within(op, err)
	}
	for i, v := range b {
		if v == 0 {
			return bad("B has a zero entry at %d; every barycenter point needs mass (drop the point instead)", i)
		}
	}
	p := &freeSupportProblem{x: mat.NewDense(k, d, x), b: b}
	for i, loc := range locations {
		_, n, dy, err := flatPoints(loc, fmt.Sprintf("measure %d", i))
		if err != nil {
			return bad("%s", trimPrefix(err))
		}
		if dy != d {
			return bad("measure %d has dimension %d, xInit has %d (mismatched supports)", i, dy, d)
		}
		var w []float64
		if masses != nil {
			w = masses[i]
		}
		a, sa, err := checkWeights(w, n, fmt.Sprintf("of measure %d", i))
		if err != nil {
			return nil, within(op, err)
		}
		if math.Abs(sa-sb) > massTolerance*math.Max(sa, sb) {
			return bad("measure %d has mass %g, B has %g; normalise both to the same mass", i, sa, sb)
		}
		p.ys = append(p.ys, mat.DenseCopyOf(loc))
		p.as = append(p.as, a)
	}
	o, err := opt.resolve(len(locations))
	if err != nil {
		return nil, err
	}
	p.lambda, p.thr, p.maxIter = o.Weights, o.Threshold, o.MaxIterations
	if o.Epsilon > 0 {
		p.inner, err = p.entropicProjector(o.Epsilon, o.Sinkhorn)
	} else {
		p.inner, err = p.exactProjector()
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// solve runs the fixed-point iteration.
func (p *freeSupportProblem) solve() (*FreeSupportBarycenterResult, error) {
	k, d := p.x.Dims()
	res := &FreeSupportBarycenterResult{B: p.b}
	res.MaxIterations, res.Threshold, res.kind = p.maxIter, p.thr, freeSupportLoop
	x := p.x
	var inner error // the first inner solve that did not converge
	disp := math.Inf(1)
	for it := 0; disp > p.thr && it < p.maxIter; it++ {
		next := mat.NewDense(k, d, nil)
		res.Cost = 0
		for i := range p.ys {
			proj, cost, notConv, err := p.inner(i, x)
			if err != nil {
				return nil, err
			}
			if notConv != nil && inner == nil {
				inner = within(fmt.Sprintf("free-support barycenter: iteration %d: measure %d", it, i), notConv)
			}
			res.Cost += p.lambda[i] * cost
			next.Apply(func(r, c int, v float64) float64 { return v + p.lambda[i]*proj.At(r, c) }, next)
		}
		var diff mat.Dense
		diff.Sub(next, x)
		disp = mat.Sum(elemMul(&diff, &diff))
		res.Errors = append(res.Errors, disp)
		res.Iterations = it + 1
		x = next
	}
	res.X = x
	if !isFinite(mat.Sum(x)) || !isFinite(res.Cost) {
		return nil, numericalError("free-support barycenter: the barycenter's points or its cost (%g) are not finite after %d iterations: the coordinates are too large for float64 squared distances; rescale the points", res.Cost, res.Iterations)
	}
	res.Converged = disp <= p.thr && inner == nil
	if disp <= p.thr {
		res.cause = inner
	}
	return res, nil
}

// entropicProjector solves each inner problem with Sinkhorn on the squared
// Euclidean cost and projects with P·Y computed in the log domain (Apply),
// never forming P. opt is resolved (FreeSupportBarycenterOptions.resolve).
func (p *freeSupportProblem) entropicProjector(eps float64, opt SinkhornOptions) (innerProjector, error) {
	warm := make([]*SinkhornResult, len(p.ys))
	return func(k int, x *mat.Dense) (*mat.Dense, float64, error, error) {
		geom, err := NewPointCloud(x, p.ys[k], PointCloudOptions{Epsilon: eps})
		if err != nil {
			return nil, 0, nil, fmt.Errorf("otkit: free-support barycenter: %s", trimPrefix(err))
		}
		o := opt
		if warm[k] != nil {
			o.InitF, o.InitG = warm[k].F, warm[k].G
		}
		r, err := Sinkhorn(geom, p.b, p.as[k], o)
		if err != nil {
			return nil, 0, nil, err
		}
		warm[k] = r
		rows, _ := x.Dims()
		_, d := p.ys[k].Dims()
		proj := mat.NewDense(rows, d, nil)
		for c := 0; c < d; c++ {
			py, err := r.Apply(mat.Col(nil, c, p.ys[k]))
			if err != nil {
				return nil, 0, nil, err
			}
			for i, v := range py {
				proj.Set(i, c, v/p.b[i])
			}
		}
		return proj, r.PrimalCost(), r.Err(), nil
	}, nil
}
