package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PartialGWOptions configures PartialGW and EntropicPartialGW. The zero
// value moves min(Σp, Σq), stops at a relative 1e-9, runs at most 1000
// outer iterations and, for the entropic solver, uses ε = 0.1.
type PartialGWOptions struct {
	// Mass is the total mass m to match, 0 < m ≤ min(Σp, Σq); 0 → min.
	Mass float64
	// Epsilon is the entropic regularisation of EntropicPartialGW (on the
	// scale of the dissimilarities squared); 0 → 0.1. PartialGW ignores it.
	Epsilon float64
	// Threshold stops the iteration. PartialGW: the Frank–Wolfe gap divided
	// by (max|c1| + max|c2|)²·m². EntropicPartialGW: ‖T_t − T_{t−1}‖_F / m.
	// 0 → 1e-9.
	Threshold float64
	// MaxIterations caps the outer iterations; 0 → 1000.
	MaxIterations int
	// Inner configures the inner entropic partial solves of
	// EntropicPartialGW (its Mass is set by the solver); zero → its defaults.
	Inner EntropicPartialOptions
}

type partialGWConfig struct {
	mass, eps, thr float64
	maxIter        int
	inner          EntropicPartialOptions
}

func (o PartialGWOptions) resolve(op string, sp, sq float64) (partialGWConfig, error) {
	c := partialGWConfig{eps: o.Epsilon, thr: o.Threshold, maxIter: o.MaxIterations, inner: o.Inner}
	var err error
	if c.mass, err = partialMass(op, o.Mass, sp, sq); err != nil {
		return c, err
	}
	bad := func(format string, args ...any) (partialGWConfig, error) {
		return c, fmt.Errorf("otkit: %s options: "+format, append([]any{op}, args...)...)
	}
	if math.IsNaN(o.Epsilon) || o.Epsilon < 0 || math.IsInf(o.Epsilon, 0) {
		return bad("Epsilon must be positive and finite, have %g", o.Epsilon)
	}
	if c.eps == 0 {
		c.eps = 0.1
	}
	if math.IsNaN(o.Threshold) || o.Threshold < 0 || math.IsInf(o.Threshold, 0) {
		return bad("Threshold must be positive and finite, have %g", o.Threshold)
	}
	if c.thr == 0 {
		c.thr = 1e-9
	}
	if o.MaxIterations < 0 {
		return bad("MaxIterations must not be negative, have %d", o.MaxIterations)
	}
	if c.maxIter == 0 {
		c.maxIter = 1000
	}
	if o.Inner.Mass != 0 {
		return bad("Inner.Mass is set by the solver (use Mass)")
	}
	c.inner.Mass = c.mass
	return c, nil
}

// PartialGWResult is the plan found by PartialGW or EntropicPartialGW.
type PartialGWResult struct {
	// Convergence: Errors holds the stopping statistic of each outer
	// iteration (see PartialGWOptions.Threshold).
	Convergence
	Coupling *mat.Dense // T, n×m: T1 ≤ p, Tᵀ1 ≤ q, Σ T = Mass
	// Cost is the GW energy E(T) = Σ_ijkl (c1_ik − c2_jl)² T_ij T_kl over the
	// matched mass (GromovResult's convention); POT's partial_gw_dist is
	// E(T)/2.
	Cost    float64
	Mass    float64
	Epsilon float64 // 0 for PartialGW
}

// PartialGW matches the mass m = opt.Mass of (c1, p) with (c2, q) (nil →
// uniform; masses need not agree), minimising the square-loss GW energy
// over partial plans,
//
//	min E(T)  over T ≥ 0, T1 ≤ p, Tᵀ1 ≤ q, Σ T = m,
//
// the problem of POT's ot.partial.partial_gromov_wasserstein (Chapel et al.
// 2020), by conditional gradient: the linear step is an exact partial
// transport (PartialEMD) with cost ∇E(T), the step length minimises the
// quadratic E on the segment exactly (lineSearch). It starts from the
// feasible plan p qᵀ·m/(Σp Σq). (POT starts from p qᵀ, of mass Σp Σq, and
// takes twice the exact step; its result can differ.) The stopping
// statistic is the Frank–Wolfe gap, a certificate of stationarity.
//
// E is not convex: the result is a stationary point. Non-convergence
// returns the result and a nil error (res.Err()); a non-finite result is
// ErrNumerical.
func PartialGW(c1, c2 *mat.Dense, p, q []float64, opt PartialGWOptions) (*PartialGWResult, error) {
	const op = "PartialGW"
	g, p, q, cfg, err := partialGWSetup(op, c1, c2, p, q, opt)
	if err != nil {
		return nil, err
	}
	res := &PartialGWResult{Mass: cfg.mass, Convergence: Convergence{MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: partialGWLoop}}
	t := partialStart(p, q, cfg.mass)
	unit := g.scale * cfg.mass * cfg.mass
	grad := mat.NewDense(g.n, g.m, nil)
	for it := 0; ; it++ {
		g.gradient(grad, t)
		lin, err := PartialEMD(grad, p, q, PartialOptions{Mass: cfg.mass})
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: linear step %d: %s", op, it, trimPrefix(err))
		}
		dir := lin.Matrix()
		dir.Sub(dir, t)
		slope := frobeniusDot(grad, dir)
		gap := -slope / unit
		res.Errors = append(res.Errors, gap)
		res.Iterations = it
		if gap <= cfg.thr || math.IsNaN(gap) {
			res.Converged = gap <= cfg.thr
			break
		}
		if it == cfg.maxIter {
			break
		}
		t.Add(t, scaledDense(lineSearch(g.energy(dir), slope), dir))
	}
	return finishPartialGW(op, g, t, res)
}

// EntropicPartialGW is the entropic version, POT's
// ot.partial.entropic_partial_gromov_wasserstein: from the same start, each
// outer step replaces T by the entropic partial plan (EntropicPartial, log
// domain) for the cost ∇E(T) at ε = opt.Epsilon (0 → 0.1), the
// projected-gradient scheme of entropic GW. POT's step uses the gradient of
// E/2, so its reg is ε/2 here. Like entropic GW it can cycle when ε is
// small against the range of ∇E; the result then reports non-convergence.
func EntropicPartialGW(c1, c2 *mat.Dense, p, q []float64, opt PartialGWOptions) (*PartialGWResult, error) {
	const op = "EntropicPartialGW"
	g, p, q, cfg, err := partialGWSetup(op, c1, c2, p, q, opt)
	if err != nil {
		return nil, err
	}
	res := &PartialGWResult{Mass: cfg.mass, Epsilon: cfg.eps, Convergence: Convergence{MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: entropicPartialGWLoop}}
	t := partialStart(p, q, cfg.mass)
	grad := mat.NewDense(g.n, g.m, nil)
	for it := 1; ; it++ {
		g.gradient(grad, t)
		geom, err := NewGeometry(grad, GeometryOptions{Epsilon: cfg.eps})
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: linearised cost at iteration %d: %s", op, it, trimPrefix(err))
		}
		inner, err := EntropicPartial(geom, p, q, cfg.inner)
		if err != nil {
			return nil, fmt.Errorf("otkit: %s: iteration %d: %s", op, it, trimPrefix(err))
		}
		var d mat.Dense
		d.Sub(inner.Coupling, t)
		change := mat.Norm(&d, 2) / cfg.mass
		t = inner.Coupling
		res.Errors = append(res.Errors, change)
		res.Iterations = it
		if change <= cfg.thr && inner.Converged {
			res.Converged = true
			break
		}
		if it == cfg.maxIter || math.IsNaN(change) {
			break
		}
	}
	return finishPartialGW(op, g, t, res)
}

// partialStart is p qᵀ·m/(Σp Σq): rows p_i·m/Σp ≤ p_i, columns likewise,
// total m.
func partialStart(p, q []float64, mass float64) *mat.Dense {
	f := mass / (sum(p) * sum(q))
	t := mat.NewDense(len(p), len(q), nil)
	t.Apply(func(i, j int, _ float64) float64 { return p[i] * q[j] * f }, t)
	return t
}

func partialGWSetup(op string, c1, c2 *mat.Dense, p, q []float64, opt PartialGWOptions) (*gwPair, []float64, []float64, partialGWConfig, error) {
	g, err := newGWPair(c1, c2)
	if err != nil {
		return nil, nil, nil, partialGWConfig{}, within(op, err)
	}
	p, sp, err := checkWeights(p, g.n, "p")
	if err != nil {
		return nil, nil, nil, partialGWConfig{}, within(op, err)
	}
	q, sq, err := checkWeights(q, g.m, "q")
	if err != nil {
		return nil, nil, nil, partialGWConfig{}, within(op, err)
	}
	cfg, err := opt.resolve(op, sp, sq)
	return g, p, q, cfg, err
}

func finishPartialGW(op string, g *gwPair, t *mat.Dense, res *PartialGWResult) (*PartialGWResult, error) {
	res.Coupling = t
	res.Cost = g.energy(t)
	if !isFinite(res.Cost) || !finiteVec(t.RawMatrix().Data) {
		return nil, numericalError("%s: the plan or its energy is not finite (dissimilarities up to %g): rescale them", op, math.Sqrt(g.scale))
	}
	return res, nil
}

// The loops of the solvers above, for the messages of Err.
var partialGWLoop = &loopKind{op: "PartialGW", cap: "PartialGWOptions.MaxIterations", unit: "outer iterations", statistic: "relative Frank–Wolfe gap", help: "raise PartialGWOptions.MaxIterations"}
var entropicPartialGWLoop = &loopKind{op: "EntropicPartialGW", cap: "PartialGWOptions.MaxIterations", unit: "outer iterations", statistic: "relative change of the plan", help: "raise PartialGWOptions.MaxIterations or Epsilon"}
