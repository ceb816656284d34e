package otkit

import (
	"math"
)

// pfSolver is the Sinkhorn solve of the pair fit's small K0×K1 component
// problem. It follows the same rules as Sinkhorn with the default options
// (zero start, g then f, blocks of InnerIterations, the §2.3 error and
// stopping test, OTT's reg_ot_cost and Danskin weight gradients) and is
// checked against Sinkhorn in the tests (same iteration counts and flags,
// potentials to 1e-10). It exists for speed: the tutorial's balanced fit
// runs 600 solves that each hit the 2000-iteration cap (note §9.1), and the
// general solver spends most of a 3×3 iteration on exponentials and
// bookkeeping. Here
//   - balanced iterations run in stabilised scaling form (scaleIter): the
//     same iterates as the log domain with a multiply-add per entry and no
//     exp or log;
//   - unbalanced iterations stay in the log domain with costs and
//     potentials divided by ε, and a log-sum-exp term more than 40 below
//     the maximum is not exponentiated: e^{-40} ≈ 4e-18 is below half an
//     ulp of the sum (which is at least 1), so dropping it changes nothing
//     for K ≤ 26 and at most a relative K·4e-18 beyond.
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

	// Scaling form of the balanced iteration (see scaleIter): absorbed
	// potentials F̃, G̃ (units of ε), scalings u, v and the stabilised kernel
	// K̃_ij = exp(F̃_i + G̃_j − C_ij/ε).
	ft, gt, u, v, un, vn []float64
	kt                   []float64
	// Counters for the tests: absorptions and returns to the log domain;
	// failScaleAt > 0 makes the scaling step at that iteration report a
	// failure (tests of the fallback).
	nAbsorb, nFallback int
	failScaleAt        int
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
		ft:  make([]float64, k0), gt: make([]float64, k1),
		u: make([]float64, k0), v: make([]float64, k1),
		un: make([]float64, k0), vn: make([]float64, k1),
		kt: make([]float64, k0*k1),
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
	scaling := false
	for it < s.maxIt {
		if it > 0 && it >= s.minIt && !(prevErr >= s.thr && !math.IsInf(prevErr, 0)) {
			break
		}
		blk := it / s.inner
		for k := 0; k < s.inner; k++ {
			if scaling {
				if it+1 != s.failScaleAt && s.scaleIter() {
					it++
					continue
				}
				// A scaling sum under- or overflowed: redo this iteration,
				// and the rest of the solve, in the log domain.
				s.syncPotentials()
				scaling = false
				s.nFallback++
			}
			// g update: LSE down each column of F − C/ε (csT holds the
			// columns contiguously), then f from the rows of G − C/ε.
			for j := 0; j < k1; j++ {
				gs[j] = wa*lb[j] - wt*pfLSE(fs, csT[j*k0:(j+1)*k0])
			}
			for i := 0; i < k0; i++ {
				fs[i] = wa*la[i] - wt*pfLSE(gs, cs[i*k1:(i+1)*k1])
			}
			it++
			if it == 1 && tau == 1 {
				s.enterScaling()
				scaling = true
			}
		}
		ran++
		e := math.Inf(1)
		if last := it - 1; last >= s.minIt || last == s.maxIt-1 {
			if scaling {
				e = s.scaledColError()
			} else {
				e = s.marginalError()
			}
		}
		if math.IsNaN(e) {
			anyNaN = true
		}
		if blk == nBlocks-1 {
			lastErr = e
		}
		prevErr = e
	}
	if scaling {
		s.syncPotentials()
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

// Balanced iterations in scaling form. With f = ε(F̃ + log u) and
// g = ε(G̃ + log v), the log-domain updates
//
//	g_j = ε log b_j − ε LSE_i (f_i − C_ij)/ε,  f_i = ε log a_i − ε LSE_j (g_j − C_ij)/ε
//
// are exactly v_j = b_j / Σ_i K̃_ij u_i and u_i = a_i / Σ_j K̃_ij v_j with the
// stabilised kernel K̃_ij = exp(F̃_i + G̃_j − C_ij/ε) (Schmitzer's
// absorption): the same iterates, without an exp or a log per entry. When a
// scaling leaves [1e-50, 1e50] it is absorbed into F̃, G̃ and K̃ is
// recomputed; an entry of K̃ that underflowed then stays below 1e-270 of
// the sums it would enter. If a sum is zero or not finite the solve returns
// to the log domain. The first iteration always runs in the log domain, so
// K̃ starts as the current coupling, whose rows carry the weights.

const pfScaleMax = 1e50

// enterScaling starts the scaling form from the current potentials.
func (s *pfSolver) enterScaling() {
	copy(s.ft, s.fs)
	copy(s.gt, s.gs)
	s.absorbKernel()
}

// absorbKernel sets u = v = 1 and K̃ from F̃, G̃.
func (s *pfSolver) absorbKernel() {
	k1 := s.k1
	for i := range s.u {
		s.u[i] = 1
	}
	for j := range s.v {
		s.v[j] = 1
	}
	for i := 0; i < s.k0; i++ {
		for j := 0; j < k1; j++ {
			if e := s.ft[i] + s.gt[j] - s.cs[i*k1+j]; e > -746 {
				s.kt[i*k1+j] = math.Exp(e)
			} else {
				s.kt[i*k1+j] = 0
			}
		}
	}
}

// syncPotentials writes F = F̃ + log u and G = G̃ + log v.
func (s *pfSolver) syncPotentials() {
	for i, x := range s.u {
		s.fs[i] = s.ft[i] + math.Log(x)
	}
	for j, x := range s.v {
		s.gs[j] = s.gt[j] + math.Log(x)
	}
}

// scaledColError is the balanced §2.3 error ‖Pᵀ1 − b‖_p with
// P_ij = u_i K̃_ij v_j, without leaving the scaling form.
func (s *pfSolver) scaledColError() float64 {
	k0, k1 := s.k0, s.k1
	col := s.row[:k1]
	for j := 0; j < k1; j++ {
		var sum float64
		for i := 0; i < k0; i++ {
			sum += s.u[i] * s.kt[i*k1+j]
		}
		col[j] = sum * s.v[j]
	}
	return pfNorm(col, s.b, s.pn)
}

// scaleIter performs one balanced iteration (v then u) in scaling form and
// reports false, changing nothing, if a sum is zero or not finite.
func (s *pfSolver) scaleIter() bool {
	k0, k1 := s.k0, s.k1
	kt, u, vn, un := s.kt, s.u, s.vn, s.un
	for j := 0; j < k1; j++ {
		var sum float64
		for i := 0; i < k0; i++ {
			sum += kt[i*k1+j] * u[i]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		vn[j] = s.b[j] / sum
	}
	for i := 0; i < k0; i++ {
		row := kt[i*k1 : (i+1)*k1]
		var sum float64
		for j, kij := range row {
			sum += kij * vn[j]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		un[i] = s.a[i] / sum
	}
	absorb := false
	for j, x := range vn {
		s.v[j] = x
		absorb = absorb || x > pfScaleMax || x < 1/pfScaleMax
	}
	for i, x := range un {
		u[i] = x
		absorb = absorb || x > pfScaleMax || x < 1/pfScaleMax
	}
	if absorb {
		s.nAbsorb++
		s.syncPotentials()
		copy(s.ft, s.fs)
		copy(s.gt, s.gs)
		s.absorbKernel()
	}
	return true
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
			sum += expNeg(d)
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
