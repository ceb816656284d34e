package otkit

import (
	"fmt"
	"math"
)

// planMassTolerance is the relative agreement Check demands between the
// plan's total mass summed entry by entry from the geometry's costs (the
// path of Matrix and PrimalCost) and TransportMass, reduced by the solve's
// LSE kernel. Both evaluate the same costs (evalRow or the stored matrix;
// the online fast kernel is used only where its different rounding is below
// 1e-12 of eps, see onlineFastRoundingOK), so they agree to ~1e-13; a larger
// gap means the two paths see different plans.
const planMassTolerance = 1e-9

// Check reports whether r satisfies the invariant of every result Sinkhorn
// returns with a nil error, and returns nil or an error wrapping
// ErrNumerical that names the first violation:
//
//   - F and G are finite at every positive weight (−Inf only at zero
//     weights, never +Inf or NaN);
//   - RegOTCost, EntRegCost, DualCost and PrimalCost are finite;
//   - every entry of the plan P_ij = exp((F_i + G_j − C_ij)/eps) is finite,
//     and its total mass, summed entry by entry from the geometry's costs
//     (the path of Matrix and PrimalCost), equals TransportMass (the row
//     marginals, from the solve's LSE kernel) and the column marginals'
//     mass to 1e-9 relative;
//   - when Converged: the last error recorded is finite and below the
//     threshold, and the marginal error recomputed from F and G is at most
//     the threshold (up to 1e-6 of it, or 1e-12 of the mass, for rounding).
//
// Sinkhorn calls it on every result before returning it; the tests and the
// fuzz targets call it on every result they get. It costs one pass over the
// plan and two LSE reductions.
func (r *SinkhornResult) Check() error {
	if err := r.checkShape("Check"); err != nil {
		return err
	}
	if v := r.violation(nil); v != "" {
		return numericalError("Sinkhorn result at eps = %g: %s", r.Epsilon, v)
	}
	return nil
}

// violation describes the first broken invariant of Check, "" if none;
// row is r.RowMarginal() if the caller has it (nil: computed here).
func (r *SinkhornResult) violation(row []float64) string {
	eps := r.Epsilon
	if !(eps > 0) || math.IsInf(1/eps, 0) {
		return fmt.Sprintf("epsilon %g is not a positive number with a finite inverse", eps)
	}
	if v := r.finiteViolation(); v != "" {
		return v
	}
	planMass, primal, bad := r.planSums()
	if bad != "" {
		return bad
	}
	if !isFinite(primal) {
		return fmt.Sprintf("PrimalCost = %g", primal)
	}
	if row == nil {
		row = r.RowMarginal()
	}
	col := r.ColMarginal()
	mass, colMass := sum(row), sum(col)
	if !isFinite(mass) || !isFinite(planMass) || !isFinite(colMass) {
		return fmt.Sprintf("plan mass %g, TransportMass %g, column marginals' mass %g", planMass, mass, colMass)
	}
	if math.Abs(planMass-mass) > planMassTolerance*math.Max(planMass, mass) {
		return fmt.Sprintf("the plan's mass from the costs (Matrix, PrimalCost) is %.17g but TransportMass is %.17g", planMass, mass)
	}
	if math.Abs(colMass-mass) > planMassTolerance*math.Max(colMass, mass) {
		return fmt.Sprintf("the row marginals of the plan sum to %.17g but its column marginals to %.17g", mass, colMass)
	}
	if !r.Converged {
		return ""
	}
	thr := r.threshold()
	last := lastRecorded(r.Errors)
	if !isFinite(last) || !(last < thr) {
		return fmt.Sprintf("Converged with the final marginal error %g (threshold %g)", last, thr)
	}
	if e := r.marginalError(row, col); !(e <= thr*(1+1e-6)+1e-12*mass) {
		return fmt.Sprintf("Converged, but the marginal error recomputed from F and G is %g (recorded %g, threshold %g)", e, last, thr)
	}
	return ""
}

// threshold is the threshold of the solve (OTT's default for a result
// assembled by hand).
func (r *SinkhornResult) threshold() float64 {
	if r.Threshold > 0 {
		return r.Threshold
	}
	return 1e-3
}

// marginalError recomputes the solve's final error (OTT §2.3) from the
// plan's row and column marginals.
func (r *SinkhornResult) marginalError(row, col []float64) float64 {
	c := sinkhornConfig{p: 1}
	c.TauA, c.TauB = r.TauA, r.TauB
	if r.cfg != nil {
		c = *r.cfg
	}
	eps := r.Epsilon
	e := lpNorm(col, marginalTarget(r.B, r.G, eps, c.TauB, c.OTTUnbalancedUpdate), c.p)
	if c.TauA == 1 && c.TauB == 1 && !c.ParallelDualUpdates {
		return e
	}
	return e + lpNorm(row, marginalTarget(r.A, r.F, eps, c.TauA, c.OTTUnbalancedUpdate), c.p)
}

// Err returns nil when r converged and otherwise a *ConvergenceError
// (wrapping ErrNotConverged) naming the iteration cap, the final marginal
// error, the threshold and the options that help.
func (r *SinkhornResult) Err() error {
	if r == nil {
		return fmt.Errorf("otkit: nil Sinkhorn result: %w", ErrNotConverged)
	}
	err := r.Convergence.Err()
	if e, ok := err.(*ConvergenceError); ok {
		if r.kind == nil {
			// Assembled by hand: name the solver and OTT's defaults.
			e.Op, e.Cap, e.Help, e.Threshold = sinkhornLoop.op, sinkhornLoop.cap, sinkhornLoop.help, r.threshold()
		}
		if math.IsInf(e.FinalError, 1) && r.cfg != nil && r.Iterations <= r.cfg.MinIterations {
			e.FinalError = math.NaN() // +Inf: not computed before MinIterations
		}
	}
	return err
}

// sinkhornLoop names the Sinkhorn loop in its *ConvergenceError.
var sinkhornLoop = &loopKind{op: "Sinkhorn", cap: "SinkhornOptions.MaxIterations", help: sinkhornHelp}

// diagnose returns nil when the solve's result r satisfies Check and no
// computed error was NaN or ±Inf, and otherwise the error Sinkhorn returns,
// naming the cause and the fix: kernel-mode overflow or underflow, a
// diverged acceleration, or costs whose rounding is not small against eps.
func (s *solver) diagnose(r *SinkhornResult) error {
	v := r.violation(s.rowMarginal)
	if v == "" && s.badBlock < 0 {
		return nil
	}
	c := s.cfg
	it := r.Iterations
	if s.badBlock >= 0 {
		it = (s.badBlock + 1) * c.InnerIterations
		if v == "" {
			v = fmt.Sprintf("the marginal error is %g", s.errors[s.badBlock])
		}
	}
	eps := s.geom.eps
	cmax := s.geom.maxAbsCost()
	switch {
	case c.KernelMode:
		return numericalError("kernel mode overflows or underflows at eps = %g for costs up to %.3g (exp(−C/eps) is 0 beyond C ≈ 708·eps = %.3g; at iteration %d: %s): use the log domain (KernelMode false) or Epsilon ≥ %.3g",
			eps, cmax, 708*eps, it, v, cmax/700)
	case c.Anderson > 0:
		return divergedError("Anderson acceleration (memory %d) diverged at iteration %d (%s): use a smaller Anderson memory, none, or an epsilon schedule (PointCloudOptions.Schedule)",
			c.Anderson, it, v)
	case c.Momentum != 1 || c.MomentumStart > 0:
		what := fmt.Sprintf("momentum %g", c.Momentum)
		if c.MomentumStart > 0 {
			what = fmt.Sprintf("adaptive momentum from iteration %d", c.MomentumStart)
		}
		return divergedError("%s diverged at iteration %d (%s): use Momentum ≤ 1 (no over-relaxation), a later MomentumStart, or an epsilon schedule (PointCloudOptions.Schedule)",
			what, it, v)
	}
	size := math.Max(cmax, maxAbsFinite(r.F, r.G))
	ulp := 4 * 0x1p-52 * size
	return numericalError("the solve at eps = %g is not finite or not self-consistent at iteration %d (%s): costs and potentials up to %.3g carry rounding errors of about %.3g, which is not small against eps; use Epsilon ≥ %.3g or rescale the data (ScaleCost or ScaleCostRule)",
		eps, it, v, size, ulp, 1e10*ulp)
}

// maxAbsFinite returns the largest finite |v| over the slices.
func maxAbsFinite(vs ...[]float64) float64 {
	var mx float64
	for _, s := range vs {
		for _, v := range s {
			if isFinite(v) {
				mx = math.Max(mx, math.Abs(v))
			}
		}
	}
	return mx
}

// finiteViolation describes a non-finite potential (at positive weight) or
// cost of a truncated result, "" when there is none. It is the part of
// Check that does not visit the n·m plan, which MultiscaleSinkhorn runs alone
// (its truncated plan is never summed in full).
func (r *SinkhornResult) finiteViolation() string {
	for _, p := range []struct {
		name   string
		pot, w []float64
	}{{"F", r.F, r.A}, {"G", r.G, r.B}} {
		for k, v := range p.pot {
			if math.IsNaN(v) || math.IsInf(v, 1) || (math.IsInf(v, -1) && p.w[k] > 0) {
				return fmt.Sprintf("potential %s[%d] = %g (weight %g)", p.name, k, v, p.w[k])
			}
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"RegOTCost", r.RegOTCost}, {"EntRegCost", r.EntRegCost}, {"DualCost", r.DualCost}} {
		if !isFinite(c.v) {
			return fmt.Sprintf("%s = %g", c.name, c.v)
		}
	}
	return ""
}
