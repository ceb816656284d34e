package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// DivergenceOptions configures Divergence. The zero value reproduces OTT's
// sinkhorn_divergence defaults: squared Euclidean cost, epsilon = 0.05·std of
// the x–y cost matrix shared by all three problems, symmetric self-solves.
type DivergenceOptions struct {
	// Cost is the ground cost; nil means SqEuclidean{}.
	Cost Cost
	// Epsilon is the regularisation. 0 means 0.05·std(C_xy); with shared
	// epsilon (the default) the x–x and y–y problems use the x–y value.
	Epsilon float64
	// Sinkhorn holds the solver options of the x–y problem. The self
	// problems use the same options, except that the symmetric update
	// (unless NoSymmetricSinkhorn) replaces the update rule and InitF/InitG
	// are dropped (their lengths belong to the x–y problem).
	Sinkhorn SinkhornOptions
	// StaticB skips the y–y problem and uses OffsetStaticB in its place,
	// for flows where y never moves.
	StaticB bool
	// OffsetStaticB is the full OT_eps(y,y) used with StaticB. As in OTT it
	// is halved like the solved term, so pass the full cost, not half of it.
	OffsetStaticB float64
	// NoShareEpsilon gives the self problems their own epsilon (from their
	// own cost matrices when Epsilon is 0) instead of the x–y one.
	NoShareEpsilon bool
	// NoSymmetricSinkhorn solves the self problems with the x–y options
	// unchanged instead of the symmetric update.
	NoSymmetricSinkhorn bool
	// Online evaluates costs block by block instead of storing matrices.
	Online bool
}

// resolve checks the options; their zero values are resolved where they
// are used (NewPointCloud for Cost and Epsilon, Sinkhorn for Sinkhorn).
func (o DivergenceOptions) resolve() (DivergenceOptions, error) {
	if math.IsNaN(o.Epsilon) || math.IsInf(o.Epsilon, 0) || o.Epsilon < 0 {
		return o, fmt.Errorf("otkit: divergence: epsilon must be positive, or 0 for the default; have %g", o.Epsilon)
	}
	if o.StaticB && (math.IsNaN(o.OffsetStaticB) || math.IsInf(o.OffsetStaticB, 0)) {
		return o, fmt.Errorf("otkit: divergence: non-finite OffsetStaticB %g", o.OffsetStaticB)
	}
	return o, nil
}

// DivergenceResult is the Sinkhorn divergence and the solves behind it.
type DivergenceResult struct {
	// Divergence is R_xy − ½(R_xx + R_yy) + ½·eps·(Σa − Σb)².
	Divergence float64
	// XY, XX and YY are the three solves; YY is nil with StaticB.
	XY, XX, YY *SinkhornResult
	// Epsilon is the regularisation of the x–y problem.
	Epsilon float64
	// Convergence is the record of the first solve that did not converge
	// (x–y, x–x, then y–y), or of the x–y solve when all did: Converged
	// reports whether every solve that ran converged, and Iterations,
	// MaxIterations, Errors and Threshold are that one solve's.
	Convergence
}

// Divergence computes the debiased Sinkhorn divergence
//
//	S_eps(a,b) = OT_eps(a,b) − ½ OT_eps(a,a) − ½ OT_eps(b,b) + ½ eps (Σa − Σb)²
//
// between the weighted point clouds (x, a) and (y, b), with OT_eps OTT's
// reg_ot_cost (SinkhornResult.RegOTCost). Nil weights are uniform (1/n, 1/m).
//
// It follows OTT's sinkhorn_divergence: the x–x problem has weights (a, a)
// and the y–y problem (b, b); by default both use the epsilon of the x–y
// geometry, so with Epsilon = 0 all three use 0.05·std(C_xy) rather than the
// std of their own costs; and both are solved with the symmetric update
// (parallel dual updates with constant momentum 0.5, i.e. f ← ½f + ½T(f),
// and the two-marginal error), which keeps f = g and converges in fewer
// iterations than the plain alternating update.
//
// The mass term uses the x–y epsilon; it vanishes for balanced problems,
// which need Σa = Σb anyway. Like Sinkhorn, Divergence does not fail when a
// solve does not converge: it returns the result with a nil error and
// reports it in Converged; Err names the solve and its cap.
func Divergence(x, y *mat.Dense, a, b []float64, opt DivergenceOptions) (*DivergenceResult, error) {
	if x == nil || y == nil {
		return nil, errors.New("otkit: divergence: nil point cloud")
	}
	n, dx := x.Dims()
	m, dy := y.Dims()
	if dx != dy {
		return nil, fmt.Errorf("otkit: divergence: dimension mismatch: x is %d×%d, y is %d×%d", n, dx, m, dy)
	}
	opt, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	if a == nil {
		a = uniform(n)
	}
	if b == nil {
		b = uniform(m)
	}
	if len(a) != n {
		return nil, fmt.Errorf("otkit: divergence: x has %d points but a has %d weights", n, len(a))
	}
	if len(b) != m {
		return nil, fmt.Errorf("otkit: divergence: y has %d points but b has %d weights", m, len(b))
	}

	geomOpt := PointCloudOptions{Cost: opt.Cost, Epsilon: opt.Epsilon, Online: opt.Online}
	gxy, err := NewPointCloud(x, y, geomOpt)
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence: x–y geometry: %w", err)
	}
	eps := gxy.Epsilon()
	selfGeom := geomOpt
	if !opt.NoShareEpsilon {
		// OTT copies the x–y epsilon scheduler into the self geometries.
		selfGeom.Epsilon = eps
	}
	selfOpt := opt.Sinkhorn
	selfOpt.InitF, selfOpt.InitG = nil, nil
	if !opt.NoSymmetricSinkhorn {
		selfOpt.ParallelDualUpdates = true
		selfOpt.Momentum = 0.5
		selfOpt.MomentumStart = 0
		selfOpt.Anderson = 0
	}

	rxy, err := Sinkhorn(gxy, a, b, opt.Sinkhorn)
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence: x–y problem: %w", err)
	}
	gxx, err := NewPointCloud(x, nil, selfGeom)
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence: x–x geometry: %w", err)
	}
	rxx, err := Sinkhorn(gxx, a, a, selfOpt)
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence: x–x problem: %w", err)
	}
	res := &DivergenceResult{XY: rxy, XX: rxx, Epsilon: eps}
	ryy := opt.OffsetStaticB
	if !opt.StaticB {
		gyy, err := NewPointCloud(y, nil, selfGeom)
		if err != nil {
			return nil, fmt.Errorf("otkit: divergence: y–y geometry: %w", err)
		}
		res.YY, err = Sinkhorn(gyy, b, b, selfOpt)
		if err != nil {
			return nil, fmt.Errorf("otkit: divergence: y–y problem: %w", err)
		}
		ryy = res.YY.RegOTCost
	}
	res.setConvergence("divergence")
	dm := sum(a) - sum(b)
	res.Divergence = rxy.RegOTCost - 0.5*(rxx.RegOTCost+ryy) + 0.5*eps*dm*dm
	if !isFinite(res.Divergence) {
		// Each cost is finite (Sinkhorn checks), so their sum overflowed.
		return nil, numericalError("divergence: R_xy = %g, R_xx = %g, R_yy = %g sum to %g: rescale the points (or ScaleCost) so the costs are far below 1e308",
			rxy.RegOTCost, rxx.RegOTCost, ryy, res.Divergence)
	}
	return res, nil
}

// Err returns nil when every solve converged, and otherwise the error of
// the first that did not (x–y, x–x, then y–y), a *ConvergenceError naming
// that solve, its iteration cap, final error and the options that help.
func (r *DivergenceResult) Err() error {
	if r == nil {
		return fmt.Errorf("otkit: nil divergence result: %w", ErrNotConverged)
	}
	return r.Convergence.Err()
}

// setConvergence sets r.Convergence from its solves (see DivergenceResult);
// op names the caller in the messages.
func (r *DivergenceResult) setConvergence(op string) {
	pick, name := r.XY, "x–y"
	for _, s := range []struct {
		name string
		r    *SinkhornResult
	}{{"x–y", r.XY}, {"x–x", r.XX}, {"y–y", r.YY}} {
		if s.r != nil && !s.r.Converged {
			pick, name = s.r, s.name
			break
		}
	}
	c := pick.Convergence
	k := sinkhornLoop
	if c.kind != nil {
		k = c.kind
	}
	c.kind = &loopKind{op: op + ": " + name + " " + k.op, cap: k.cap, unit: k.unit, statistic: k.statistic, help: k.help}
	if c.cause != nil {
		c.cause = &opError{op + ": " + name + " problem", c.cause}
	}
	if c.Threshold == 0 {
		c.Threshold = pick.threshold()
	}
	r.Convergence = c
}

// GradX returns ∇ₓ of the divergence with the potentials held fixed (the
// envelope theorem, as OTT's default Danskin gradient):
//
//	∇_{x_i} S = ∇_{x_i} R_xy − ½ (∂₁ + ∂₂) R_xx,
//
// because the x–x geometry depends on x through both of its arguments. For
// the squared Euclidean cost this is 2Σ_j Π_ij (x_i − y_j) − 2Σ_l Q_il (x_i − x_l)
// with Π and Q the x–y and x–x couplings. The y–y term and the mass term
// (whose epsilon is a constant) do not depend on x. The cost must implement
// CostGradient.
func (r *DivergenceResult) GradX() (*mat.Dense, error) {
	if r == nil || r.XY == nil || r.XX == nil {
		return nil, errors.New("otkit: divergence gradient: incomplete result")
	}
	gxy, err := r.XY.GradX()
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence gradient: x–y term: %w", err)
	}
	g1, err := r.XX.GradX()
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence gradient: x–x term: %w", err)
	}
	g2, err := r.XX.GradY()
	if err != nil {
		return nil, fmt.Errorf("otkit: divergence gradient: x–x term: %w", err)
	}
	n, d := gxy.Dims()
	out := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		row := out.RawRowView(i)
		for k := range row {
			row[k] = gxy.At(i, k) - 0.5*(g1.At(i, k)+g2.At(i, k))
		}
	}
	return out, nil
}
