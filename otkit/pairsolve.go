package otkit

import (
	"math"
)

// pfSolver is the Sinkhorn solve of the pair fit's small K0×K1 component
// problem. It follows the same rules as Sinkhorn with the default options
// (log domain, zero start, g then f, blocks of InnerIterations, the §2.3
// error and stopping test, OTT's reg_ot_cost and Danskin weight gradients),
// and is checked against Sinkhorn in the tests. It exists for speed: the
// tutorial's balanced fit runs 600 solves that each hit the 2000-iteration
// cap, and a dense 3×3 iteration through the general solver costs several
// times more than here, where
//   - costs and potentials are kept divided by ε, so the inner loop is a
//     subtraction per entry;
//   - a log-sum-exp term more than 40 below the row maximum is not
//     exponentiated: e^{-40} ≈ 4e-18 is below half an ulp of the sum
//     (which is at least 1), so dropping it changes nothing for K ≤ 26
//     and at most a relative K·4e-18 beyond;
//   - a sum of exactly 1 (only the maximum contributes) skips the log.
//
// It handles the option subset the pair fit uses by default; pfSolverFits
// says when FitPair must fall back to Sinkhorn.
type pfSolver struct {
	k0, k1   int
	eps, tau float64
	ott      bool // OTT's unbalanced update (τ also multiplies ε log a)
	thr, pn  float64
	inner    int
	minIt    int
	maxIt    int

	cs     []float64 // C/ε, k0·k1
	csT    []float64 // (C/ε)ᵀ, k1·k0
	la, lb []float64 // log a, log b
	a, b   []float64
	fs, gs []float64 // potentials divided by ε
	row    []float64 // scratch, max(k0,k1)
	p      []float64 // coupling, k0·k1
}

// pfSolve is what the M-step needs from one solve.
type pfSolve struct {
	f, g         []float64 // potentials (not divided by ε)
	p            []float64 // coupling, k0·k1
	reg          float64   // reg_ot_cost
	gradA, gradB []float64 // ∂R/∂a, ∂R/∂b with f, g frozen
	converged    bool
	iterations   int
}

// pfSolverFits reports whether the options only use what pfSolver
// implements; otherwise FitPair calls Sinkhorn.
func pfSolverFits(o SinkhornOptions) bool {
	return !o.KernelMode && !o.ParallelDualUpdates && o.Momentum == 0 && o.MomentumStart == 0 &&
		o.Anderson == 0 && o.InitF == nil && o.InitG == nil && !o.ReferenceKernel
}

func newPFSolver(k0, k1 int, eps, tau float64, o SinkhornOptions) *pfSolver {
	s := &pfSolver{
		k0: k0, k1: k1, eps: eps, tau: tau, ott: o.OTTUnbalancedUpdate,
		thr: o.Threshold, pn: o.NormError, inner: o.InnerIterations,
		minIt: o.MinIterations, maxIt: o.MaxIterations,
		cs: make([]float64, k0*k1), csT: make([]float64, k0*k1),
		la: make([]float64, k0), lb: make([]float64, k1),
		a: make([]float64, k0), b: make([]float64, k1),
		fs: make([]float64, k0), gs: make([]float64, k1),
		row: make([]float64, max(k0, k1)),
		p:   make([]float64, k0*k1),
	}
	if s.thr == 0 {
		s.thr = 1e-3
	}
	if s.pn == 0 {
		s.pn = 1
	}
	if s.inner == 0 {
		s.inner = 10
	}
	if s.maxIt == 0 {
		s.maxIt = 2000
	}
	return s
}

// pfLSEDrop is how far below the maximum a log-sum-exp term is dropped.
const pfLSEDrop = 40

// solve runs Sinkhorn on cost c (k0·k1) with weights a, b (all positive).
func (s *pfSolver) solve(c, a, b []float64) pfSolve {
	k0, k1 := s.k0, s.k1
	inv := 1 / s.eps
	for i, v := range c {
		s.cs[i] = v * inv
	}
	copy(s.a, a)
	copy(s.b, b)
	for i, v := range a {
		s.la[i] = math.Log(v)
	}
	for j, v := range b {
		s.lb[j] = math.Log(v)
	}
	clear(s.fs)
	clear(s.gs)
	tau := s.tau
	fs, gs, la, lb, cs, csT := s.fs, s.gs, s.la, s.lb, s.cs, s.csT
	for i := 0; i < k0; i++ {
		for j := 0; j < k1; j++ {
			csT[j*k0+i] = cs[i*k1+j]
		}
	}
	// In units of ε: balanced/OTT update X = τ(log w − LSE), consistent
	// update X = log w − τ·LSE.
	wa, wt := tau, tau
	if !s.ott {
		wa = 1
	}
	// Loop control exactly as Sinkhorn's (§2.3): whole blocks of inner
	// iterations; after a block the error is computed if its last iteration
	// is ≥ MinIterations or is MaxIterations−1, else it is +Inf; before the
	// next block the loop stops once at or past MinIterations unless the
	// last error is finite and ≥ Threshold.
	nBlocks := (s.maxIt + s.inner - 1) / s.inner
	lastErr, prevErr := -1.0, 0.0
	anyNaN := false
	it, ran := 0, 0
	for it < s.maxIt {
		if it > 0 && it >= s.minIt && !(prevErr >= s.thr && !math.IsInf(prevErr, 0)) {
			break
		}
		blk := it / s.inner
		for k := 0; k < s.inner; k++ {
			// g update: LSE down each column of F − C/ε (csT holds the
			// columns contiguously), then f from the rows of G − C/ε.
			for j := 0; j < k1; j++ {
				gs[j] = wa*lb[j] - wt*pfLSE(fs, csT[j*k0:(j+1)*k0])
			}
			for i := 0; i < k0; i++ {
				fs[i] = wa*la[i] - wt*pfLSE(gs, cs[i*k1:(i+1)*k1])
			}
			it++
		}
		ran++
		e := math.Inf(1)
		if last := it - 1; last >= s.minIt || last == s.maxIt-1 {
			e = s.marginalError()
		}
		if math.IsNaN(e) {
			anyNaN = true
		}
		if blk == nBlocks-1 {
			lastErr = e
		}
		prevErr = e
	}
	out := pfSolve{
		f:          make([]float64, k0),
		g:          make([]float64, k1),
		p:          make([]float64, k0*k1),
		gradA:      make([]float64, k0),
		gradB:      make([]float64, k1),
		iterations: s.inner * ran,
		converged:  !anyNaN && (lastErr == -1 || lastErr < s.thr),
	}
	s.fillP()
	copy(out.p, s.p)
	var sumP, sa, sb float64
	for _, v := range s.p {
		sumP += v
	}
	for _, v := range a {
		sa += v
	}
	for _, v := range b {
		sb += v
	}
	eps := s.eps
	for i := range out.f {
		out.f[i] = eps * s.fs[i]
	}
	for j := range out.g {
		out.g[j] = eps * s.gs[j]
	}
	reg := eps * (sa*sb - sumP)
	if tau == 1 {
		for i, ai := range a {
			u := out.f[i] - eps*s.la[i]
			reg += ai * u
			out.gradA[i] = u - eps + eps*sb
		}
		for j, bj := range b {
			u := out.g[j] - eps*s.lb[j]
			reg += bj * u
			out.gradB[j] = u - eps + eps*sa
		}
	} else {
		rho := eps * tau / (1 - tau)
		for i, ai := range a {
			e := math.Exp(-(out.f[i] - eps*s.la[i]) / rho)
			reg += ai * rho * -math.Expm1(-(out.f[i]-eps*s.la[i])/rho)
			out.gradA[i] = rho - (rho+eps)*e + eps*sb
		}
		for j, bj := range b {
			e := math.Exp(-(out.g[j] - eps*s.lb[j]) / rho)
			reg += bj * rho * -math.Expm1(-(out.g[j]-eps*s.lb[j])/rho)
			out.gradB[j] = rho - (rho+eps)*e + eps*sa
		}
	}
	out.reg = reg
	return out
}

// pfLSE returns log Σ_i exp(h_i − c_i), dropping terms more than pfLSEDrop
// below the maximum. A non-finite result (every term −Inf, or a NaN)
// becomes 0, as OTT replaces non-finite LSE outputs.
func pfLSE(h, c []float64) float64 {
	c = c[:len(h)]
	mx := math.Inf(-1)
	for i, hi := range h {
		if v := hi - c[i]; v > mx {
			mx = v
		}
	}
	if math.IsInf(mx, 0) || math.IsNaN(mx) {
		return 0
	}
	var sum float64
	for i, hi := range h {
		if d := hi - c[i] - mx; d == 0 {
			sum++
		} else if d > -pfLSEDrop {
			sum += math.Exp(d)
		}
	}
	if sum == 1 {
		return mx
	}
	l := mx + math.Log(sum)
	if math.IsNaN(l) {
		return 0
	}
	return l
}

func (s *pfSolver) fillP() {
	k1 := s.k1
	for i := 0; i < s.k0; i++ {
		for j := 0; j < k1; j++ {
			// Below −746 math.Exp returns exactly 0; skip the call.
			if e := s.fs[i] + s.gs[j] - s.cs[i*k1+j]; e > -746 {
				s.p[i*k1+j] = math.Exp(e)
			} else {
				s.p[i*k1+j] = 0
			}
		}
	}
}

// marginalError is the §2.3 error: the column marginal only when balanced
// (the f update makes the rows exact), both marginals against their
// unbalanced targets otherwise.
func (s *pfSolver) marginalError() float64 {
	s.fillP()
	k0, k1 := s.k0, s.k1
	col := s.row[:k1]
	clear(col)
	for i := 0; i < k0; i++ {
		for j := 0; j < k1; j++ {
			col[j] += s.p[i*k1+j]
		}
	}
	if s.tau == 1 {
		return pfNorm(col, s.b, s.pn)
	}
	rho := s.tau / (1 - s.tau) // ρ/ε: potentials here are divided by ε
	var e float64
	tb := make([]float64, k1)
	for j := range tb {
		u := s.gs[j]
		if !s.ott {
			u -= s.lb[j]
		}
		tb[j] = s.b[j] * math.Exp(-u/rho)
	}
	e += pfNorm(col, tb, s.pn)
	rowS := make([]float64, k0)
	ta := make([]float64, k0)
	for i := 0; i < k0; i++ {
		for j := 0; j < k1; j++ {
			rowS[i] += s.p[i*k1+j]
		}
		u := s.fs[i]
		if !s.ott {
			u -= s.la[i]
		}
		ta[i] = s.a[i] * math.Exp(-u/rho)
	}
	e += pfNorm(rowS, ta, s.pn)
	return e
}

// pfNorm is ‖x − y‖_p (p = +Inf: the largest difference).
func pfNorm(x, y []float64, p float64) float64 {
	if math.IsInf(p, 1) {
		var mx float64
		for i := range x {
			if d := math.Abs(x[i] - y[i]); d > mx || math.IsNaN(d) {
				mx = d
			}
		}
		return mx
	}
	var s float64
	for i := range x {
		d := math.Abs(x[i] - y[i])
		switch p {
		case 1:
			s += d
		case 2:
			s += d * d
		default:
			s += math.Pow(d, p)
		}
	}
	switch p {
	case 1:
		return s
	case 2:
		return math.Sqrt(s)
	}
	return math.Pow(s, 1/p)
}
