package otkit

import (
	"fmt"
	"math"

	"github.com/otlab/gootlab/otkit/internal/lse"
	"gonum.org/v1/gonum/mat"
)

// EntropicPartialOptions configures EntropicPartial. The zero value moves
// min(Σa, Σb) and iterates until the optimality residual is 1e-9 of the
// mass, for at most 10000 iterations.
type EntropicPartialOptions struct {
	// Mass is the total mass m to move, 0 < m ≤ min(Σa, Σb); 0 → min(Σa, Σb).
	Mass float64
	// Threshold bounds the optimality residual (below) relative to m;
	// 0 → 1e-9.
	Threshold float64
	// MaxIterations caps the iterations (each updates f, g and the mass
	// multiplier once); 0 → 10000.
	MaxIterations int
}

type entropicPartialConfig struct {
	mass, thr float64
	maxIter   int
}

func (o EntropicPartialOptions) resolve(sa, sb float64) (entropicPartialConfig, error) {
	c := entropicPartialConfig{thr: o.Threshold, maxIter: o.MaxIterations}
	var err error
	if c.mass, err = partialMass("EntropicPartial", o.Mass, sa, sb); err != nil {
		return c, err
	}
	if math.IsNaN(o.Threshold) || o.Threshold < 0 || math.IsInf(o.Threshold, 0) {
		return c, fmt.Errorf("otkit: EntropicPartial: Threshold must be positive and finite, have %g", o.Threshold)
	}
	if c.thr == 0 {
		c.thr = 1e-9
	}
	if o.MaxIterations < 0 {
		return c, fmt.Errorf("otkit: EntropicPartial: MaxIterations must not be negative, have %d", o.MaxIterations)
	}
	if c.maxIter == 0 {
		c.maxIter = 10000
	}
	return c, nil
}

// EntropicPartialResult is the solution of an entropic partial transport
// problem: P_ij = exp((F_i + G_j + Shift − C_ij)/ε).
type EntropicPartialResult struct {
	// Convergence: Errors holds the optimality residual (below)
	// relative to the mass, once per iteration; Threshold is the bound it
	// had to reach.
	Convergence
	Coupling *mat.Dense // P, n×m
	Cost     float64    // ⟨P, C⟩ (POT's partial_w_dist)
	Mass     float64    // Σ P (m to the residual)
	// F ≤ 0 and G ≤ 0 are the multipliers of P1 ≤ a and Pᵀ1 ≤ b (−Inf at
	// zero weights); Shift is the multiplier of Σ P = m.
	F, G    []float64
	Shift   float64
	Epsilon float64
}

// EntropicPartial solves entropic partial transport on geom (ε is the
// geometry's; its costs as stored or evaluated, after any ScaleCost):
//
//	min ⟨P, C⟩ + ε Σ P_ij (log P_ij − 1)  over P ≥ 0, P1 ≤ a, Pᵀ1 ≤ b, Σ P = m,
//
// the problem of POT's ot.partial.entropic_partial_wasserstein (Benamou et
// al. 2015) with reg = ε; a, b: nil → uniform, masses need not agree.
//
// POT runs Dykstra's projections on the kernel exp(−C/ε), which underflows
// to 0 once C/ε passes about 745 and then divides 0 by 0. Here the same
// problem is solved in the log domain as exact block-coordinate ascent on
// its concave dual
//
//	max_{f ≤ 0, g ≤ 0, t} ⟨f, a⟩ + ⟨g, b⟩ + t·m − ε Σ exp((f_i + g_j + t − C_ij)/ε),
//
// whose blocks have closed-form maximisers,
//
//	f_i = min(0, ε log a_i − t − ε LSE_j((g_j − C_ij)/ε)),  g likewise,
//	t = ε log m − ε LSE_ij((f_i + g_j − C_ij)/ε),
//
// so every number stays a log-sum-exp of finite values at any ε > 0.
// (These are Dykstra's iterates written in the dual: the min with 0 is the
// correction that lets a multiplier grow back.) The stopping residual is the
// L1 violation of the KKT conditions: Σ_i |P1 − a|_i over rows with
// F_i < 0, plus Σ_i max(0, (P1 − a)_i) over the others, the same for the
// columns, divided by m (Σ P = m holds exactly after each t update).
//
// Non-convergence returns the result and a nil error (res.Err() reports
// it); a non-finite plan, cost or multiplier is ErrNumerical.
func EntropicPartial(geom *Geometry, a, b []float64, opt EntropicPartialOptions) (*EntropicPartialResult, error) {
	const op = "EntropicPartial"
	if geom == nil {
		return nil, fmt.Errorf("otkit: %s: nil geometry (build one with NewGeometry or NewPointCloud)", op)
	}
	n, m := geom.Shape()
	a, sa, err := checkWeights(a, n, "a")
	if err != nil {
		return nil, within(op, err)
	}
	b, sb, err := checkWeights(b, m, "b")
	if err != nil {
		return nil, within(op, err)
	}
	cfg, err := opt.resolve(sa, sb)
	if err != nil {
		return nil, err
	}
	// The reductions are Sinkhorn's row and column log-sum-exps: the same
	// (vectorised) kernel serves them.
	s := newPartialDual(geom.allCosts(), n, m, geom.Epsilon(), a, b, cfg.mass, float64Kernel(geom, false))
	res := &EntropicPartialResult{Epsilon: s.eps, Convergence: Convergence{
		MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: entropicPartialLoop,
	}}
	res.Converged, res.Iterations, res.Errors = s.run(cfg.thr, cfg.maxIter)
	res.F, res.G, res.Shift = s.f, s.g, s.t
	res.Coupling, res.Cost, res.Mass = s.plan()
	if !isFinite(res.Cost) || !isFinite(res.Mass) || !isFinite(res.Shift) || !finiteOrNegInf(res.F) || !finiteOrNegInf(res.G) {
		return nil, numericalError("%s: the plan or its multipliers are not finite (ε = %g, costs up to %g): rescale the costs", op, s.eps, geom.maxAbsCost())
	}
	// Σ P = m holds after every shift update up to the rounding of the
	// exponents (about 1e-16·max|C|/ε relative) or the underflow of
	// subnormal masses; beyond 1e-6 the plan is not the one asked for.
	if math.Abs(res.Mass-cfg.mass) > 1e-6*cfg.mass {
		return nil, numericalError("%s: the plan moves %g instead of Mass %g: the exponents (costs up to %g over ε = %g) or the masses (subnormal below 2.2e-308) exceed float64's resolution; rescale the costs or the weights", op, res.Mass, cfg.mass, geom.maxAbsCost(), s.eps)
	}
	return res, nil
}

// finiteOrNegInf reports whether every entry is finite or −Inf (the
// multiplier of a zero weight).
func finiteOrNegInf(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 1) {
			return false
		}
	}
	return true
}

// partialDual is the state of the dual ascent of EntropicPartial.
type partialDual struct {
	c          []float64 // n×m costs, row-major
	n, m       int
	eps        float64
	a, b       []float64
	la, lb     []float64 // ε log a, ε log b (−Inf at zero weights)
	mass, lm   float64   // m and ε log m
	f, g       []float64
	t          float64
	row, col   []float64 // ε·LSE_j((g_j − C_ij)/ε), ε·LSE_i((f_i − C_ij)/ε)
	colMax     []float64
	colResidue float64    // the columns' KKT residual after the last t update
	kern       lse.Kernel // nil → the plain loops below (the reference)
}

func newPartialDual(c []float64, n, m int, eps float64, a, b []float64, mass float64, kern lse.Kernel) *partialDual {
	s := &partialDual{c: c, n: n, m: m, eps: eps, a: a, b: b, mass: mass, lm: eps * math.Log(mass), kern: kern,
		f: make([]float64, n), g: make([]float64, m), la: make([]float64, n), lb: make([]float64, m),
		row: make([]float64, n), col: make([]float64, m), colMax: make([]float64, m)}
	for i, v := range a {
		s.la[i] = eps * math.Log(v)
	}
	for j, v := range b {
		s.lb[j] = eps * math.Log(v)
	}
	// Start from f = g = 0 and the t that gives the kernel mass m (POT's
	// first step, K·m/ΣK).
	s.columns()
	s.updateShift()
	return s
}

// run iterates until the residual is at most thr·m or maxIter iterations
// have run; the state then holds the last iterate, whose residual is the
// last entry of the trace.
func (s *partialDual) run(thr float64, maxIter int) (bool, int, []float64) {
	var errs []float64
	for it := 0; ; it++ {
		// The rows' LSE at the current (g, t) gives both the residual of
		// the current state and the f update: one pass over C.
		s.rows()
		e := (s.rowResidue() + s.colResidue) / s.mass
		errs = append(errs, e)
		if e <= thr {
			return true, it, errs
		}
		if it == maxIter || math.IsNaN(e) {
			return false, it, errs
		}
		for i := range s.f {
			s.f[i] = math.Min(0, s.la[i]-s.t-s.row[i])
		}
		s.columns()
		for j := range s.g {
			s.g[j] = math.Min(0, s.lb[j]-s.t-s.col[j])
		}
		s.updateShift()
	}
}

// rows sets row_i = ε·LSE_j((g_j − C_ij)/ε).
func (s *partialDual) rows() {
	if s.kern != nil {
		s.kern.RowLSE(s.row, s.g, s.eps)
		return
	}
	inv := 1 / s.eps
	for i := 0; i < s.n; i++ {
		ci := s.c[i*s.m : (i+1)*s.m]
		mx := math.Inf(-1)
		for j, v := range ci {
			mx = math.Max(mx, s.g[j]-v)
		}
		var sum float64
		for j, v := range ci {
			sum += math.Exp((s.g[j] - v - mx) * inv)
		}
		s.row[i] = mx + s.eps*math.Log(sum)
	}
}

// columns sets col_j = ε·LSE_i((f_i − C_ij)/ε), reading C row by row.
func (s *partialDual) columns() {
	if s.kern != nil {
		s.kern.ColLSE(s.col, s.f, s.eps)
		return
	}
	inv := 1 / s.eps
	for j := range s.colMax {
		s.colMax[j] = math.Inf(-1)
		s.col[j] = 0
	}
	for i := 0; i < s.n; i++ {
		if math.IsInf(s.f[i], -1) {
			continue
		}
		for j, v := range s.c[i*s.m : (i+1)*s.m] {
			s.colMax[j] = math.Max(s.colMax[j], s.f[i]-v)
		}
	}
	for i := 0; i < s.n; i++ {
		if math.IsInf(s.f[i], -1) {
			continue
		}
		for j, v := range s.c[i*s.m : (i+1)*s.m] {
			s.col[j] += math.Exp((s.f[i] - v - s.colMax[j]) * inv)
		}
	}
	for j := range s.col {
		s.col[j] = s.colMax[j] + s.eps*math.Log(s.col[j])
	}
}

// updateShift sets t so that Σ P = m, from the columns' LSE (no pass over
// C), and records the columns' residual at the new t.
func (s *partialDual) updateShift() {
	mx := math.Inf(-1)
	for j, v := range s.col {
		mx = math.Max(mx, s.g[j]+v)
	}
	var sum float64
	for j, v := range s.col {
		sum += math.Exp((s.g[j] + v - mx) / s.eps)
	}
	s.t = s.lm - (mx + s.eps*math.Log(sum))
	s.colResidue = 0
	for j, v := range s.col {
		s.colResidue += kktResidue(math.Exp((s.g[j]+s.t+v)/s.eps), s.b[j], s.g[j])
	}
}

// rowResidue is the rows' KKT residual of the current state.
func (s *partialDual) rowResidue() float64 {
	var r float64
	for i, v := range s.row {
		r += kktResidue(math.Exp((s.f[i]+s.t+v)/s.eps), s.a[i], s.f[i])
	}
	return r
}

// kktResidue is the violation of the conditions on one marginal entry:
// sum ≤ w always, and sum = w where the multiplier is active (mult < 0).
func kktResidue(sum, w, mult float64) float64 {
	if mult < 0 {
		return math.Abs(sum - w)
	}
	return math.Max(0, sum-w)
}

// plan assembles P, ⟨P, C⟩ and Σ P from the potentials.
func (s *partialDual) plan() (*mat.Dense, float64, float64) {
	p := mat.NewDense(s.n, s.m, nil)
	raw := p.RawMatrix().Data
	var cost, mass float64
	for i := 0; i < s.n; i++ {
		for j := 0; j < s.m; j++ {
			k := i*s.m + j
			v := math.Exp((s.f[i] + s.g[j] + s.t - s.c[k]) / s.eps)
			raw[k] = v
			cost += v * s.c[k]
			mass += v
		}
	}
	return p, cost, mass
}

var entropicPartialLoop = &loopKind{op: "EntropicPartial", cap: "EntropicPartialOptions.MaxIterations", unit: "iterations",
	statistic: "relative KKT residual", help: "raise EntropicPartialOptions.MaxIterations or epsilon (the iterations needed grow like 1/ε)"}
