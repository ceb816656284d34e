package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PartialOptions configures PartialEMD. The zero value moves the largest
// mass possible, min(Σa, Σb), with EMD's pivot limit.
type PartialOptions struct {
	// Mass is the total mass m to move, 0 < m ≤ min(Σa, Σb); 0 → min(Σa, Σb)
	// (POT's m = None moves that much too).
	Mass float64
	// MaxIterations bounds the simplex pivots; 0 → EMD's default for the
	// extended (n+1)×(m+1) problem.
	MaxIterations int
}

// partialConfig is PartialOptions with its defaults applied and checked
// against the masses of the weights.
type partialConfig struct {
	mass    float64
	maxIter int
}

func (o PartialOptions) resolve(n, m int, sa, sb float64) (partialConfig, error) {
	c := partialConfig{maxIter: o.MaxIterations}
	var err error
	if c.mass, err = partialMass("PartialEMD", o.Mass, sa, sb); err != nil {
		return c, err
	}
	if o.MaxIterations < 0 {
		return c, fmt.Errorf("otkit: partial transport: MaxIterations must not be negative, have %d", o.MaxIterations)
	}
	if c.maxIter == 0 {
		c.maxIter = 1000*(n+m+2) + 100000 // EMD's default on the extended problem
	}
	return c, nil
}

// minNormalMass is the smallest normal float64: a smaller mass has fewer
// than 53 significant bits, and the plans' masses no relative precision.
const minNormalMass = 0x1p-1022

// partialMass resolves the Mass option of the partial solvers: 0 → min(Σa,
// Σb), otherwise a finite value in (0, min(Σa, Σb)].
func partialMass(op string, mass, sa, sb float64) (float64, error) {
	top := math.Min(sa, sb)
	if math.IsNaN(mass) || mass < 0 || math.IsInf(mass, 0) {
		return 0, fmt.Errorf("otkit: %s: Mass must be positive and finite, have %g (0 moves min(Σa, Σb) = %g)", op, mass, top)
	}
	if mass == 0 {
		mass = top
	}
	if mass > top && mass <= top*(1+1e-12) {
		// Rounding: nil weights sum to 1 up to an ulp or two, and callers
		// pass min(Σa, Σb) computed from other sums of the same weights.
		return top, nil
	}
	if mass < minNormalMass {
		return 0, fmt.Errorf("otkit: %s: Mass %g is subnormal in float64 (below %g), where masses lose their relative precision: rescale the weights", op, mass, minNormalMass)
	}
	if mass > top {
		return 0, fmt.Errorf("otkit: %s: Mass %g exceeds min(Σa, Σb) = %g; lower Mass to at most %g", op, mass, top, top)
	}
	return mass, nil
}

// PartialResult is the solution of an exact partial transport problem.
type PartialResult struct {
	// Convergence: Converged is true when the simplex proved the plan
	// optimal; Iterations counts its pivots.
	Convergence
	// Plan lists the non-zero entries of the optimal plan, sorted by (I, J).
	Plan []PlanEntry
	// Cost is Σ Mass·C_IJ over Plan (POT's partial_wasserstein2).
	Cost float64
	// Mass is the total mass of Plan: the Mass asked for (PartialEMD) or the
	// mass the price made worth moving (PartialEMDLagrange).
	Mass float64
	// A and B are the weights solved for (uniform when nil was given).
	A, B []float64
}

// Matrix returns the plan as a dense n×m matrix.
func (r *PartialResult) Matrix() *mat.Dense {
	p := mat.NewDense(len(r.A), len(r.B), nil)
	for _, e := range r.Plan {
		p.Set(e.I, e.J, p.At(e.I, e.J)+e.Mass)
	}
	return p
}

// PartialEMD moves the mass m = opt.Mass from the weights a (n, nil →
// uniform) to b (m, nil → uniform) at least cost: it minimises ⟨P, C⟩ over
// P ≥ 0 with P1 ≤ a, Pᵀ1 ≤ b and Σ P = m (POT's
// ot.partial.partial_wasserstein). The weights need not have equal masses.
//
// It is exact: the network simplex on an extended problem with one dummy
// point on each side. The dummy source holds Σb − m (the target mass left
// in place), the dummy target Σa − m; both are free to reach every real
// point at cost 0, so any feasible partial plan extends to a coupling of
// the extended weights with the same cost, and back. The only extended
// couplings that are not partial plans of mass m put mass δ on the
// dummy–dummy arc (the real part then moves m + δ). That arc costs
// A = 2·max|C| (1 when C = 0): trading δ on it and on any real arc (i, j)
// for the arcs (i, dummy) and (dummy, j) keeps every marginal and lowers the
// cost by δ·(A + C_ij) > 0, so no optimal extended coupling uses it.
//
// The dummies carry masses of order Σa + Σb, so the simplex resolves
// flows to about 1e-16·(Σa + Σb): weights below that (relative) can be
// misplaced, costing at most their mass times max|C|. A Mass lost in that
// rounding is ErrNumerical.
//
// Bad input (nil or non-finite costs, weights of the wrong length,
// negative or non-finite weights, zero or subnormal mass, Mass above
// min(Σa, Σb)) is an
// error naming the fix; overflow is ErrNumerical. Reaching the pivot limit
// returns a feasible plan and a nil error; res.Err() reports it.
func PartialEMD(cost *mat.Dense, a, b []float64, opt PartialOptions) (*PartialResult, error) {
	const op = "PartialEMD"
	c, n, m, err := checkedCosts(cost, op)
	if err != nil {
		return nil, err
	}
	a, sa, err := checkWeights(a, n, "a")
	if err != nil {
		return nil, within(op, err)
	}
	b, sb, err := checkWeights(b, m, "b")
	if err != nil {
		return nil, within(op, err)
	}
	cfg, err := opt.resolve(n, m, sa, sb)
	if err != nil {
		return nil, err
	}
	var cmax float64
	for _, v := range c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	dd := 2 * cmax
	if dd == 0 {
		dd = 1
	}
	ext := extendCosts(c, n, m, func(v float64) float64 { return v }, dd)
	// mass ≤ min(sa, sb), so both dummy weights are ≥ 0 in floating point.
	ea := append(append([]float64(nil), a...), sb-cfg.mass)
	eb := append(append([]float64(nil), b...), sa-cfg.mass)
	res, err := solveExtended(op, ext, n, m, ea, eb, cfg.maxIter, c)
	if err != nil {
		return nil, err
	}
	// The dummies hold Σb − m and Σa − m: a mass below the rounding of
	// those sums is lost in them, and the plan moves the wrong amount.
	if math.Abs(res.Mass-cfg.mass) > 1e-9*cfg.mass {
		return nil, numericalError("%s: Mass %g is below the float64 resolution of Σa + Σb = %g (the plan moves %g): rescale the weights so that Mass is not negligible against them", op, cfg.mass, sa+sb, res.Mass)
	}
	res.A, res.B = a, b
	return res, nil
}

// PartialLagrangeOptions configures PartialEMDLagrange.
type PartialLagrangeOptions struct {
	// Price is λ, what moving one unit of mass earns (equivalently the
	// penalty, per unit, for mass left unmoved on both sides together). A
	// pair (i, j) is worth transporting only when C_ij < λ. There is no
	// default: λ = 0 is a valid problem (only negative costs are moved).
	Price float64
	// MaxIterations bounds the simplex pivots; 0 → EMD's default for the
	// extended problem.
	MaxIterations int
}

func (o PartialLagrangeOptions) resolve(n, m int) (int, error) {
	if math.IsNaN(o.Price) || math.IsInf(o.Price, 0) {
		return 0, fmt.Errorf("otkit: PartialEMDLagrange: Price must be finite, have %g", o.Price)
	}
	if o.MaxIterations < 0 {
		return 0, fmt.Errorf("otkit: PartialEMDLagrange: MaxIterations must not be negative, have %d", o.MaxIterations)
	}
	if o.MaxIterations == 0 {
		return 1000*(n+m+2) + 100000, nil
	}
	return o.MaxIterations, nil
}

// PartialEMDLagrange solves the Lagrangian form of partial transport,
//
//	min ⟨P, C − λ⟩  over P ≥ 0, P1 ≤ a, Pᵀ1 ≤ b,
//
// with λ = opt.Price: the mass moved is not fixed but whatever is worth
// moving at that price (POT's ot.partial.partial_wasserstein_lagrange with
// reg_m = λ, without its requirement Σa, Σb ≤ 1). Cost reports ⟨P, C⟩ and
// Mass the mass moved; the objective is Cost − λ·Mass. The mass moved grows
// with λ (from 0 below min C to min(Σa, Σb) above max C).
//
// The extended problem adds a dummy source of mass Σb and a dummy target of
// mass Σa, with cost 0 on every dummy arc and C − λ on the real ones. A
// plan P extends uniquely (a − P1 to the dummy target, b − Pᵀ1 from the
// dummy source, Σ P on the dummy–dummy arc) with cost ⟨P, C − λ⟩, and every
// coupling of the extended weights restricts to a feasible P, so no
// large constant is needed.
func PartialEMDLagrange(cost *mat.Dense, a, b []float64, opt PartialLagrangeOptions) (*PartialResult, error) {
	const op = "PartialEMDLagrange"
	c, n, m, err := checkedCosts(cost, op)
	if err != nil {
		return nil, err
	}
	a, sa, err := checkWeights(a, n, "a")
	if err != nil {
		return nil, within(op, err)
	}
	b, sb, err := checkWeights(b, m, "b")
	if err != nil {
		return nil, within(op, err)
	}
	maxIter, err := opt.resolve(n, m)
	if err != nil {
		return nil, err
	}
	lambda := opt.Price
	ext := extendCosts(c, n, m, func(v float64) float64 { return v - lambda }, 0)
	ea := append(append([]float64(nil), a...), sb)
	eb := append(append([]float64(nil), b...), sa)
	res, err := solveExtended(op, ext, n, m, ea, eb, maxIter, c)
	if err != nil {
		return nil, err
	}
	res.A, res.B = a, b
	return res, nil
}

// partialCaps names the option that caps the pivots of each exact solver.
var partialCaps = map[string]string{
	"PartialEMD":         "PartialOptions.MaxIterations",
	"PartialEMDLagrange": "PartialLagrangeOptions.MaxIterations",
}

// checkedCosts returns the n×m costs as a row-major slice (a copy), or an
// error for a nil, empty or non-finite matrix.
func checkedCosts(cost *mat.Dense, op string) ([]float64, int, int, error) {
	if cost == nil || cost.IsEmpty() {
		return nil, 0, 0, fmt.Errorf("otkit: %s: empty or nil cost matrix", op)
	}
	n, m := cost.Dims()
	c := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := cost.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, 0, fmt.Errorf("otkit: %s: cost is not finite (%g) at [%d,%d]", op, v, i, j)
			}
			c[i*m+j] = v
		}
	}
	return c, n, m, nil
}

// extendCosts builds the (n+1)×(m+1) costs of an extended problem: real
// arcs real(C_ij), arcs to or from a dummy 0, the dummy–dummy arc dd.
func extendCosts(c []float64, n, m int, real func(float64) float64, dd float64) []float64 {
	ext := make([]float64, (n+1)*(m+1))
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			ext[i*(m+1)+j] = real(c[i*m+j])
		}
	}
	ext[(n+1)*(m+1)-1] = dd
	return ext
}

// solveExtended runs EMD on the extended problem and keeps its real part.
// c holds the original costs, for the reported Cost.
func solveExtended(op string, ext []float64, n, m int, ea, eb []float64, maxIter int, c []float64) (*PartialResult, error) {
	er, err := EMD(mat.NewDense(n+1, m+1, ext), ea, eb, EMDOptions{MaxIterations: maxIter})
	if err != nil {
		if errors.Is(err, ErrNumerical) {
			return nil, within(op, err)
		}
		return nil, fmt.Errorf("otkit: %s: extended problem: %s", op, trimPrefix(err))
	}
	res := &PartialResult{Convergence: Convergence{
		Converged: er.Optimal(), Iterations: er.Iterations, MaxIterations: maxIter,
		kind: &loopKind{op: op, cap: partialCaps[op], unit: "pivots",
			help: "raise " + partialCaps[op] + " (simplex pivots); the plan returned is feasible"},
	}}
	for _, e := range er.Plan {
		if e.I < n && e.J < m {
			res.Plan = append(res.Plan, e)
			res.Cost += e.Mass * c[e.I*m+e.J]
			res.Mass += e.Mass
		}
	}
	if !isFinite(res.Cost) {
		return nil, numericalError("%s: the cost of the plan (%g) is not finite in float64: rescale the costs", op, res.Cost)
	}
	return res, nil
}
