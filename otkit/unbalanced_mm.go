package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MarginalPenalty selects the divergence that penalises the marginals in
// UnbalancedMM.
type MarginalPenalty int

const (
	// PenaltyKL is the generalised Kullback–Leibler divergence
	// KL(x|y) = Σ x log(x/y) − x + y.
	PenaltyKL MarginalPenalty = iota
	// PenaltySquaredL2 is the squared Euclidean distance ‖x − y‖² (POT 0.8.2's
	// div='l2': no factor ½).
	PenaltySquaredL2
)

func (d MarginalPenalty) String() string {
	switch d {
	case PenaltyKL:
		return "KL"
	case PenaltySquaredL2:
		return "squared L2"
	}
	return fmt.Sprintf("MarginalPenalty(%d)", int(d))
}

// UnbalancedMMOptions configures UnbalancedMM. Rho (or RhoA and RhoB) has
// no default: the penalty is on the scale of the costs.
type UnbalancedMMOptions struct {
	// Penalty is the marginal divergence; the zero value is PenaltyKL.
	Penalty MarginalPenalty
	// RhoA and RhoB weigh the penalties of the two marginals (POT's reg_m
	// when equal). Both must be positive; set Rho to give both one value.
	Rho, RhoA, RhoB float64
	// Threshold bounds the change of the plan over 10 iterations,
	// ‖P_t − P_{t−10}‖_F / ‖P_t‖_F; 0 → 1e-9.
	Threshold float64
	// MaxIterations caps the MM iterations; 0 → 10000.
	MaxIterations int
}

type unbalancedMMConfig struct {
	div        MarginalPenalty
	rhoA, rhoB float64
	thr        float64
	maxIter    int
}

func (o UnbalancedMMOptions) resolve() (unbalancedMMConfig, error) {
	c := unbalancedMMConfig{div: o.Penalty, rhoA: o.RhoA, rhoB: o.RhoB, thr: o.Threshold, maxIter: o.MaxIterations}
	bad := func(format string, args ...any) (unbalancedMMConfig, error) {
		return c, fmt.Errorf("otkit: UnbalancedMM options: "+format, args...)
	}
	if o.Penalty != PenaltyKL && o.Penalty != PenaltySquaredL2 {
		return bad("Penalty must be PenaltyKL or PenaltySquaredL2, have %v", o.Penalty)
	}
	if c.rhoA == 0 {
		c.rhoA = o.Rho
	}
	if c.rhoB == 0 {
		c.rhoB = o.Rho
	}
	if !(c.rhoA > 0) || !(c.rhoB > 0) || math.IsInf(c.rhoA, 0) || math.IsInf(c.rhoB, 0) {
		return bad("the marginal penalties must be positive and finite, have RhoA = %g, RhoB = %g: set Rho (POT's reg_m), on the scale of the costs", c.rhoA, c.rhoB)
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
		c.maxIter = 10000
	}
	return c, nil
}

// UnbalancedMMResult is the plan found by UnbalancedMM.
type UnbalancedMMResult struct {
	// Convergence: Errors holds the relative change of the plan over
	// each block of 10 iterations.
	Convergence
	Coupling *mat.Dense
	// Cost is ⟨P, C⟩ (POT's mm_unbalanced2); Objective adds the marginal
	// penalties ρ_a·D(P1|a) + ρ_b·D(Pᵀ1|b).
	Cost, Objective float64
}

// UnbalancedMM solves unregularised unbalanced transport,
//
//	min_{P ≥ 0} ⟨P, C⟩ + ρ_a·D(P1 | a) + ρ_b·D(Pᵀ1 | b),
//
// with D the KL or squared-L2 divergence, by the majorisation–minimisation
// iteration of Chapel et al. (2021), POT's ot.unbalanced.mm_unbalanced. a
// and b (nil → uniform) need not have equal masses. From P = a bᵀ:
//
//	KL: P ← P ⊙ exp(−C/(ρ_a+ρ_b)) ⊙ (a/P1)^{ρ_a/(ρ_a+ρ_b)} (b/Pᵀ1)^{ρ_b/(ρ_a+ρ_b)}ᵀ
//	L2: P ← P ⊙ (ρ_a a_i + ρ_b b_j − C_ij/2)₊ / (ρ_a (P1)_i + ρ_b (Pᵀ1)_j)
//
// The KL step minimises the majoriser Jensen's (log-sum) inequality gives
// for each penalty; its fixed points are where the gradient
// C + ρ_a log(P1/a) + ρ_b log(Pᵀ1/b) vanishes on the support. The KL
// iteration runs on log P, so it stays finite where exp(−C/(ρ_a+ρ_b))
// underflows (POT's then stops moving the rows it zeroed). The L2 step is
// the multiplicative update of the quadratic penalty; entries with
// C_ij ≥ 2(ρ_a a_i + ρ_b b_j) are 0 at the optimum and leave at once.
//
// MM converges sublinearly: Converged means the plan changed by at most
// Threshold (relative) over 10 iterations, not a certificate.
// Non-convergence returns the result and a nil error (res.Err()).
func UnbalancedMM(cost *mat.Dense, a, b []float64, opt UnbalancedMMOptions) (*UnbalancedMMResult, error) {
	const op = "UnbalancedMM"
	c, n, m, err := checkedCosts(cost, op)
	if err != nil {
		return nil, err
	}
	a, _, err = checkWeights(a, n, "a")
	if err != nil {
		return nil, within(op, err)
	}
	b, _, err = checkWeights(b, m, "b")
	if err != nil {
		return nil, within(op, err)
	}
	cfg, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	s := &mmState{c: c, n: n, m: m, a: a, b: b, cfg: cfg, r: make([]float64, n), s: make([]float64, m)}
	res := &UnbalancedMMResult{Convergence: Convergence{
		MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: unbalancedMMLoop,
	}}
	if cfg.div == PenaltyKL {
		res.Converged, res.Iterations, res.Errors = s.runKL()
	} else {
		res.Converged, res.Iterations, res.Errors = s.runL2()
	}
	res.Coupling = mat.NewDense(n, m, s.p)
	res.Cost, res.Objective = s.objective()
	if !isFinite(res.Objective) || !finiteVec(s.p) {
		return nil, numericalError("%s: the plan or its objective is not finite (penalties ρ = %g, %g): rescale the costs or the penalties", op, cfg.rhoA, cfg.rhoB)
	}
	return res, nil
}

// mmState holds one UnbalancedMM solve. KL keeps L = log P and writes P
// only when a check needs it; L2 works on P directly.
type mmState struct {
	c    []float64
	n, m int
	a, b []float64
	cfg  unbalancedMMConfig
	p, l []float64 // P and log P (KL), n×m row-major
	r, s []float64 // row and column sums (KL: their logs)
}

// mmBlock is the number of iterations between two checks of the change.
const mmBlock = 10

// runKL runs the KL iteration on P itself while every row and column sum
// stays positive (no exponential per entry per iteration: the kernel
// exp(−C/(ρ_a+ρ_b)) is computed once), and restarts in the log domain
// (runKLLog) when one underflows to 0 or a scaling is not finite: there
// the linear iteration would stop moving that row for good.
func (st *mmState) runKL() (bool, int, []float64) {
	if ok, conv, it, errs := st.runKLLinear(); ok {
		return conv, it, errs
	}
	return st.runKLLog()
}

func (st *mmState) runKLLinear() (ok, converged bool, iters int, errs []float64) {
	n, m := st.n, st.m
	rs := st.cfg.rhoA + st.cfg.rhoB
	alpha, beta := st.cfg.rhoA/rs, st.cfg.rhoB/rs
	st.p = make([]float64, n*m)
	kern := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			st.p[i*m+j] = st.a[i] * st.b[j]
			kern[i*m+j] = math.Exp(-st.c[i*m+j] / rs)
		}
	}
	prev := append([]float64(nil), st.p...)
	x, y := make([]float64, n), make([]float64, m)
	for it := 1; ; it++ {
		st.sums()
		if !mmScalings(x, st.a, st.r, alpha) || !mmScalings(y, st.b, st.s, beta) {
			return false, false, 0, nil
		}
		for i := 0; i < n; i++ {
			row, kr := st.p[i*m:(i+1)*m], kern[i*m:(i+1)*m]
			for j := range row {
				row[j] *= kr[j] * x[i] * y[j]
			}
		}
		if it%mmBlock == 0 || it == st.cfg.maxIter {
			e := relChange(st.p, prev)
			errs = append(errs, e)
			copy(prev, st.p)
			if math.IsNaN(e) {
				return false, false, 0, nil
			}
			if e <= st.cfg.thr || it >= st.cfg.maxIter {
				return true, e <= st.cfg.thr, it, errs
			}
		}
	}
}

// mmScalings sets dst = (w/sums)^e, 0 at zero weights; false when a
// positive weight's sum is 0 or a scaling is not finite.
func mmScalings(dst, w, sums []float64, e float64) bool {
	for k, v := range w {
		if v == 0 {
			dst[k] = 0
			continue
		}
		if !(sums[k] > 0) {
			return false
		}
		dst[k] = math.Pow(v/sums[k], e)
		if !isFinite(dst[k]) || dst[k] == 0 {
			return false
		}
	}
	return true
}

// runKLLog is the KL iteration on L = log P.
func (st *mmState) runKLLog() (bool, int, []float64) {
	n, m := st.n, st.m
	st.l = make([]float64, n*m)
	st.p = make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			st.l[i*m+j] = math.Log(st.a[i]) + math.Log(st.b[j]) // −Inf at zero weights
		}
	}
	st.expInto(st.p)
	rs := st.cfg.rhoA + st.cfg.rhoB
	alpha, beta := st.cfg.rhoA/rs, st.cfg.rhoB/rs
	prev := append([]float64(nil), st.p...)
	var errs []float64
	for it := 1; ; it++ {
		st.logSums()
		for i := 0; i < n; i++ {
			du := alpha * (math.Log(st.a[i]) - st.r[i])
			row := st.l[i*m : (i+1)*m]
			for j := range row {
				if math.IsInf(row[j], -1) {
					continue // a zero weight's row or column stays empty
				}
				row[j] += du + beta*(math.Log(st.b[j])-st.s[j]) - st.c[i*m+j]/rs
			}
		}
		if it%mmBlock == 0 || it == st.cfg.maxIter {
			st.expInto(st.p)
			e := relChange(st.p, prev)
			errs = append(errs, e)
			copy(prev, st.p)
			if e <= st.cfg.thr || math.IsNaN(e) {
				return e <= st.cfg.thr, it, errs
			}
			if it >= st.cfg.maxIter {
				return false, it, errs
			}
		}
	}
}

// logSums sets r = log P1 and s = log Pᵀ1 from L by log-sum-exp.
func (st *mmState) logSums() {
	n, m := st.n, st.m
	colMax := make([]float64, m)
	for j := range colMax {
		colMax[j] = math.Inf(-1)
	}
	for i := 0; i < n; i++ {
		row := st.l[i*m : (i+1)*m]
		mx := math.Inf(-1)
		for j, v := range row {
			mx = math.Max(mx, v)
			colMax[j] = math.Max(colMax[j], v)
		}
		var sum float64
		if !math.IsInf(mx, -1) {
			for _, v := range row {
				sum += math.Exp(v - mx)
			}
		}
		st.r[i] = mx + math.Log(sum)
	}
	for j := range st.s {
		st.s[j] = 0
	}
	for i := 0; i < n; i++ {
		for j, v := range st.l[i*m : (i+1)*m] {
			if !math.IsInf(colMax[j], -1) {
				st.s[j] += math.Exp(v - colMax[j])
			}
		}
	}
	for j := range st.s {
		st.s[j] = colMax[j] + math.Log(st.s[j])
	}
}

func (st *mmState) expInto(p []float64) {
	for k, v := range st.l {
		p[k] = math.Exp(v)
	}
}

func (st *mmState) runL2() (bool, int, []float64) {
	n, m := st.n, st.m
	ra, rb := st.cfg.rhoA, st.cfg.rhoB
	st.p = make([]float64, n*m)
	kern := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			st.p[i*m+j] = st.a[i] * st.b[j]
			kern[i*m+j] = math.Max(0, ra*st.a[i]+rb*st.b[j]-st.c[i*m+j]/2)
		}
	}
	prev := append([]float64(nil), st.p...)
	var errs []float64
	for it := 1; ; it++ {
		st.sums()
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				k := i*m + j
				if st.p[k] != 0 {
					st.p[k] *= kern[k] / (ra*st.r[i] + rb*st.s[j])
				}
			}
		}
		if it%mmBlock == 0 || it == st.cfg.maxIter {
			e := relChange(st.p, prev)
			errs = append(errs, e)
			copy(prev, st.p)
			if e <= st.cfg.thr || math.IsNaN(e) {
				return e <= st.cfg.thr, it, errs
			}
			if it >= st.cfg.maxIter {
				return false, it, errs
			}
		}
	}
}

// sums sets r = P1 and s = Pᵀ1.
func (st *mmState) sums() {
	for j := range st.s {
		st.s[j] = 0
	}
	for i := 0; i < st.n; i++ {
		var ri float64
		for j, v := range st.p[i*st.m : (i+1)*st.m] {
			ri += v
			st.s[j] += v
		}
		st.r[i] = ri
	}
}

// relChange is ‖p − q‖_F / ‖p‖_F (0 when both are 0).
func relChange(p, q []float64) float64 {
	var d, s float64
	for k, v := range p {
		d += (v - q[k]) * (v - q[k])
		s += v * v
	}
	if s == 0 {
		return math.Sqrt(d)
	}
	return math.Sqrt(d / s)
}

// objective returns ⟨P, C⟩ and the penalised objective of the final plan.
func (st *mmState) objective() (float64, float64) {
	st.sums()
	var cost float64
	for k, v := range st.p {
		cost += v * st.c[k]
	}
	return cost, cost + st.cfg.rhoA*penaltyValue(st.cfg.div, st.r, st.a) + st.cfg.rhoB*penaltyValue(st.cfg.div, st.s, st.b)
}

// divergence is D(x|y) for the marginal penalties (0·log 0 = 0).
func penaltyValue(d MarginalPenalty, x, y []float64) float64 {
	var s float64
	for k, v := range x {
		switch d {
		case PenaltyKL:
			if v > 0 {
				s += v * math.Log(v/y[k])
			}
			s += y[k] - v
		default:
			s += (v - y[k]) * (v - y[k])
		}
	}
	return s
}

var unbalancedMMLoop = &loopKind{op: "UnbalancedMM", cap: "UnbalancedMMOptions.MaxIterations", unit: "iterations",
	statistic: "relative change of the plan over 10 iterations", help: "raise UnbalancedMMOptions.MaxIterations (MM converges sublinearly)"}
