package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// SemiRelaxedGWOptions configures SemiRelaxedGW and EntropicSemiRelaxedGW.
// The zero value is the default of both: threshold 1e-9, at most 1000
// iterations from p ⊗ uniform, and ε = 0.1 for the entropic solver
// (SemiRelaxedGW ignores Epsilon).
type SemiRelaxedGWOptions struct {
	// Epsilon is the entropic regularisation of EntropicSemiRelaxedGW, on
	// the scale of the dissimilarities squared (as GromovOptions); 0 → 0.1.
	Epsilon float64
	// Threshold stops the iteration. SemiRelaxedGW: the Frank–Wolfe gap
	// ⟨∇E(T), T − X⟩ (X the linear minimiser), a bound on E(T) − E(T*) for
	// the convexified problem, divided by (max|c1| + max|c2|)²·(Σp)².
	// EntropicSemiRelaxedGW: ‖T_t − T_{t−1}‖_F / Σp. 0 → 1e-9.
	Threshold float64
	// MaxIterations caps the outer iterations; 0 → 1000.
	MaxIterations int
	// Init is the starting plan (n×m, non-negative, rows summing to p);
	// nil → p_i/m everywhere. GW has local minima: the start matters.
	Init *mat.Dense
}

type semiRelaxedConfig struct {
	eps, thr float64
	maxIter  int
	init     *mat.Dense
}

func (o SemiRelaxedGWOptions) resolve(op string, p []float64, m int) (semiRelaxedConfig, error) {
	c := semiRelaxedConfig{eps: o.Epsilon, thr: o.Threshold, maxIter: o.MaxIterations}
	bad := func(format string, args ...any) (semiRelaxedConfig, error) {
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
	n := len(p)
	if o.Init == nil {
		c.init = mat.NewDense(n, m, nil)
		c.init.Apply(func(i, _ int, _ float64) float64 { return p[i] / float64(m) }, c.init)
		return c, nil
	}
	if r, k := o.Init.Dims(); r != n || k != m {
		return bad("Init is %d×%d, want %d×%d", r, k, n, m)
	}
	c.init = mat.DenseCopyOf(o.Init)
	rows, _ := planMarginals(c.init)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if v := c.init.At(i, j); !(v >= 0) || math.IsInf(v, 0) {
				return bad("Init[%d,%d] = %g: entries must be finite and non-negative", i, j, v)
			}
		}
		if math.Abs(rows[i]-p[i]) > 1e-9*math.Max(p[i], sum(p)/float64(n)) {
			return bad("Init's row %d sums to %g, not p[%d] = %g: the start must be feasible", i, rows[i], i, p[i])
		}
	}
	return c, nil
}

// SemiRelaxedGWResult is the plan found by SemiRelaxedGW or
// EntropicSemiRelaxedGW.
type SemiRelaxedGWResult struct {
	// Convergence: Errors holds the stopping statistic of each
	// iteration (see SemiRelaxedGWOptions.Threshold).
	Convergence
	Coupling *mat.Dense // T, n×m, with T1 = p
	// Marginal is Tᵀ1, the weights the free side ends up with: the
	// clustering or partition of the first space onto the second.
	Marginal []float64
	// Cost is the square-loss GW energy E(T) = Σ_ijkl (c1_ik − c2_jl)² T_ij T_kl
	// (the convention of GromovResult.Cost; POT's gwloss is the same).
	Cost    float64
	Epsilon float64 // 0 for SemiRelaxedGW
}

// SemiRelaxedGW computes the semi-relaxed Gromov–Wasserstein divergence of
// Vincent-Cuaz et al. (2022) between (c1, p) and c2: the square-loss GW
// energy minimised over plans whose first marginal is p (nil → uniform) and
// whose second marginal is free,
//
//	min E(T)  over T ≥ 0, T1 = p,
//
// by conditional gradient (Frank–Wolfe). Its linear step is exact and
// cheap, because the polytope {T ≥ 0, T1 = p} is a product of simplices:
// each row puts all of p_i on the column where ∇E(T) is smallest (the
// first one on ties). The step length minimises the quadratic E along the
// segment exactly (lineSearch). Each iteration costs two matrix products.
//
// c1 (n×n) and c2 (m×m) must be symmetric and finite. E is not convex: the
// result is a stationary point reached from opt.Init, certified by its
// Frank–Wolfe gap. Non-convergence returns the result and a nil error
// (res.Err()); a non-finite result is ErrNumerical.
func SemiRelaxedGW(c1, c2 *mat.Dense, p []float64, opt SemiRelaxedGWOptions) (*SemiRelaxedGWResult, error) {
	const op = "SemiRelaxedGW"
	g, p, cfg, err := semiRelaxedSetup(op, c1, c2, p, opt)
	if err != nil {
		return nil, err
	}
	res := &SemiRelaxedGWResult{Convergence: Convergence{MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: semiRelaxedGWLoop}}
	unit := g.scale * sum(p) * sum(p)
	t := cfg.init
	grad := mat.NewDense(g.n, g.m, nil)
	dir := mat.NewDense(g.n, g.m, nil)
	for it := 0; ; it++ {
		g.gradient(grad, t)
		// dir = X − T, X the vertex minimising ⟨∇E(T), X⟩.
		for i := 0; i < g.n; i++ {
			jmin := 0
			for j := 1; j < g.m; j++ {
				if grad.At(i, j) < grad.At(i, jmin) {
					jmin = j
				}
			}
			for j := 0; j < g.m; j++ {
				dir.Set(i, j, -t.At(i, j))
			}
			dir.Set(i, jmin, dir.At(i, jmin)+p[i])
		}
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
		gamma := lineSearch(g.energy(dir), slope)
		t.Add(t, scaledDense(gamma, dir))
	}
	return finishSemiRelaxed(op, g, t, res)
}

// EntropicSemiRelaxedGW is SemiRelaxedGW with entropic regularisation,
//
//	min F(T) = E(T) + ε Σ T_ij (log T_ij − 1)  over T ≥ 0, T1 = p,
//
// ε = opt.Epsilon (0 → 0.1). It runs mirror descent in the KL geometry
// with step η: in each row,
//
//	log T_{t+1} = (1 − ηε) log T_t − η ∇E(T_t) + const,
//
// the constant making the row sum p_i (a log-sum-exp, so no ε is too
// small to compute). η = 1/ε is the projected-gradient step of entropic GW
// (Peyré et al. 2016, POT's and otkit's EntropicGromovWasserstein): the
// closed-form minimiser of the linearisation plus entropy, a row-wise
// softmax of −∇E(T_t)/ε, because only the row constraint is left. That step
// oscillates between vertices once ε is small against the dissimilarities
// (measured: 2-cycles for ε ≤ 0.03 on unit-scale spaces), so a step that
// raises F is halved until F decreases, and η doubles back towards 1/ε
// after each accepted step. The fixed points do not depend on η:
// T_ij ∝ exp(−∇E(T)_ij/ε). With the second marginal forced to the
// result's Marginal they are fixed points of EntropicGromovWasserstein too
// (its Sinkhorn step then needs no column scaling). The first step is the
// full step from opt.Init, so a start with zeros is fine.
func EntropicSemiRelaxedGW(c1, c2 *mat.Dense, p []float64, opt SemiRelaxedGWOptions) (*SemiRelaxedGWResult, error) {
	const op = "EntropicSemiRelaxedGW"
	g, p, cfg, err := semiRelaxedSetup(op, c1, c2, p, opt)
	if err != nil {
		return nil, err
	}
	res := &SemiRelaxedGWResult{Epsilon: cfg.eps, Convergence: Convergence{MaxIterations: cfg.maxIter, Threshold: cfg.thr, kind: entropicSemiRelaxedGWLoop}}
	md := newMirrorDescent(g, p, cfg.eps, cfg.init)
	mass := sum(p)
	for it := 1; ; it++ {
		change := md.step(it == 1) / mass
		res.Errors = append(res.Errors, change)
		res.Iterations = it
		if change <= cfg.thr || math.IsNaN(change) {
			res.Converged = change <= cfg.thr
			break
		}
		if it == cfg.maxIter {
			break
		}
	}
	return finishSemiRelaxed(op, g, md.t, res)
}

// mirrorDescent is the state of EntropicSemiRelaxedGW: the plan, its log,
// its gradient and regularised objective, and the current step.
type mirrorDescent struct {
	g          *gwPair
	p          []float64
	eps, eta   float64
	t, logT    *mat.Dense
	grad       *mat.Dense
	f          float64 // F(t)
	cand, logC *mat.Dense
	candGrad   *mat.Dense
}

func newMirrorDescent(g *gwPair, p []float64, eps float64, init *mat.Dense) *mirrorDescent {
	md := &mirrorDescent{g: g, p: p, eps: eps, eta: 1 / eps, t: init,
		logT: mat.NewDense(g.n, g.m, nil), grad: mat.NewDense(g.n, g.m, nil),
		cand: mat.NewDense(g.n, g.m, nil), logC: mat.NewDense(g.n, g.m, nil), candGrad: mat.NewDense(g.n, g.m, nil)}
	md.logT.Apply(func(i, j int, v float64) float64 { return math.Log(v) }, init)
	md.f = g.energyGradient(md.grad, init) + eps*negEntropy(init)
	return md
}

// step makes one accepted step (the full step when first) and returns
// ‖T_{t+1} − T_t‖_F.
func (md *mirrorDescent) step(first bool) float64 {
	for halvings := 0; ; halvings++ {
		keep := 1 - md.eta*md.eps
		for i := 0; i < md.g.n; i++ {
			lc, lt, gr := md.logC.RawRowView(i), md.logT.RawRowView(i), md.grad.RawRowView(i)
			for j := range lc {
				lc[j] = -md.eta * gr[j]
				if keep != 0 { // keep = 0 (η = 1/ε) must not meet log 0 = −Inf
					lc[j] += keep * lt[j]
				}
			}
			normalizeLogRow(lc, md.cand.RawRowView(i), md.p[i])
		}
		fc := md.g.energyGradient(md.candGrad, md.cand) + md.eps*negEntropy(md.cand)
		// Accept a decrease (to rounding), the first step, or a step too
		// small to matter.
		if first || fc <= md.f+1e-13*math.Abs(md.f) || halvings == 60 {
			var d mat.Dense
			d.Sub(md.cand, md.t)
			md.t, md.cand = md.cand, md.t
			md.logT, md.logC = md.logC, md.logT
			md.grad, md.candGrad = md.candGrad, md.grad
			md.f = fc
			md.eta = math.Min(2*md.eta, 1/md.eps)
			return mat.Norm(&d, 2)
		}
		md.eta /= 2
	}
}

// normalizeLogRow shifts the log-plan row lc so that its exponentials sum
// to w, and writes them into dst (w = 0 gives a zero row). The sum is
// taken in linear space after subtracting the maximum, so the row sums to
// w to rounding even when the logs are so large that adding a shift to
// them would round by more than 1.
func normalizeLogRow(lc, dst []float64, w float64) {
	if w == 0 {
		for j := range dst {
			dst[j], lc[j] = 0, math.Inf(-1)
		}
		return
	}
	mx := math.Inf(-1)
	for _, v := range lc {
		mx = math.Max(mx, v)
	}
	var s float64
	for j, v := range lc {
		dst[j] = math.Exp(v - mx)
		s += dst[j]
	}
	shift := math.Log(w / s)
	for j := range lc {
		dst[j] *= w / s
		lc[j] = lc[j] - mx + shift
	}
}

// negEntropy is Σ T (log T − 1) with 0 log 0 = 0.
func negEntropy(t *mat.Dense) float64 {
	var s float64
	for _, v := range t.RawMatrix().Data {
		if v > 0 {
			s += v * (math.Log(v) - 1)
		}
	}
	return s
}

// rowSoftmin writes w·exp(−x/ε)/Σ exp(−x/ε) into dst (w = 0 gives 0).
func rowSoftmin(dst, x []float64, eps, w float64) {
	mn := math.Inf(1)
	for _, v := range x {
		mn = math.Min(mn, v)
	}
	var s float64
	for j, v := range x {
		dst[j] = math.Exp((mn - v) / eps)
		s += dst[j]
	}
	for j := range dst {
		dst[j] *= w / s
	}
}

func semiRelaxedSetup(op string, c1, c2 *mat.Dense, p []float64, opt SemiRelaxedGWOptions) (*gwPair, []float64, semiRelaxedConfig, error) {
	g, err := newGWPair(c1, c2)
	if err != nil {
		return nil, nil, semiRelaxedConfig{}, within(op, err)
	}
	p, _, err = checkWeights(p, g.n, "p")
	if err != nil {
		return nil, nil, semiRelaxedConfig{}, within(op, err)
	}
	cfg, err := opt.resolve(op, p, g.m)
	return g, p, cfg, err
}

func finishSemiRelaxed(op string, g *gwPair, t *mat.Dense, res *SemiRelaxedGWResult) (*SemiRelaxedGWResult, error) {
	res.Coupling = t
	_, res.Marginal = planMarginals(t)
	res.Cost = g.energy(t)
	if !isFinite(res.Cost) || !finiteVec(t.RawMatrix().Data) {
		return nil, numericalError("%s: the plan or its energy is not finite (dissimilarities up to %g): rescale them", op, math.Sqrt(g.scale))
	}
	return res, nil
}

// scaledDense returns γ·d.
func scaledDense(gamma float64, d *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Scale(gamma, d)
	return &out
}

// The loops of the solvers above, for the messages of Err.
var semiRelaxedGWLoop = &loopKind{op: "SemiRelaxedGW", cap: "SemiRelaxedGWOptions.MaxIterations", unit: "iterations", statistic: "relative Frank–Wolfe gap", help: "raise SemiRelaxedGWOptions.MaxIterations (conditional gradient converges sublinearly near non-vertex stationary points)"}
var entropicSemiRelaxedGWLoop = &loopKind{op: "EntropicSemiRelaxedGW", cap: "SemiRelaxedGWOptions.MaxIterations", unit: "iterations", statistic: "relative change of the plan", help: "raise SemiRelaxedGWOptions.MaxIterations or Epsilon"}
