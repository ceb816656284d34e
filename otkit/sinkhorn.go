package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
	"github.com/otlab/gootlab/otkit/internal/scaling"
)

// SinkhornOptions configures Sinkhorn. The zero value is OTT's default
// solver: log domain, threshold 1e-3 on the L1 marginal error checked every
// 10 iterations, at most 2000 iterations, balanced, no acceleration.
type SinkhornOptions struct {
	Threshold       float64 // 0 → 1e-3
	NormError       float64 // 0 → 1 (p of the Lp marginal error; +Inf allowed)
	InnerIterations int     // 0 → 10
	MinIterations   int     // 0
	MaxIterations   int     // 0 → 2000
	KernelMode      bool    // false → log domain (OTT lse_mode=True)
	TauA, TauB      float64 // 0 → 1 (balanced); must be in (0,1]

	// OTTUnbalancedUpdate selects OTT's unbalanced update, where tau also
	// multiplies eps·log a. Its fixed point is not a stationary point of the
	// RegOTCost it reports (note §4.4), so values and gradients then disagree
	// with finite differences by O((1−tau)·eps·log a). The default is the
	// consistent update f = eps·log a − tau·eps·LSE, which solves exactly the
	// problem RegOTCost is the dual of. Irrelevant when tau = 1.
	// The marginal error follows the update: its target for a relaxed side is
	// a·exp(−f/rho) with OTT's update (as OTT) and a·exp(−(f − eps log a)/rho)
	// with the consistent one, the marginal each fixed point reproduces.
	OTTUnbalancedUpdate bool
	ParallelDualUpdates bool    // update f from the old g (both sides at once)
	Momentum            float64 // 0 → off (weight 1); constant weight, or the weight before MomentumStart
	MomentumStart       int     // > 0: Lehmann's adaptive weight from this iteration on (≥ 2·inner)
	Anderson            int     // memory; 0 → off. Turns momentum off, as in OTT.
	InitF, InitG        []float64
	// ReferenceKernel runs the log-domain iterations on the plain reference
	// loops (math.Exp, two passes per row; internal/lse's Dense and Online)
	// instead of the vectorised kernels or the scaling form: the correctness
	// check every fast path is tested against (a math.Exp per term, many
	// times slower). Float32 is ignored with it.
	ReferenceKernel bool
	// Float32 evaluates costs and exponentials of the iterations in float32
	// vectors (potentials, sums and costs stay float64, and the result's
	// methods use the float64 kernels; errors about 1e-6 of the cost scale,
	// internal/lse). Ignored with
	// ReferenceKernel, for online costs other than SqEuclidean, and where
	// cost/eps would exceed 1e30. A stored problem solved in scaling form
	// (below) keeps its kernel in float32 instead (potentials within about
	// 1e-7·eps of float64 after the same iterations).
	//
	// Balanced problems with a stored cost matrix, a constant epsilon,
	// positive weights and none of the options that change the update
	// (unbalanced, momentum, Anderson, parallel updates, initial
	// potentials, KernelMode, ReferenceKernel) run in stabilised scaling
	// form (internal/scaling): the same iterates as the log domain to rounding,
	// an iteration costing one pass over a stored n×m kernel instead of
	// 2·n·m exponentials. Above 256 entries that kernel is one more n·m
	// matrix (float64, or float32 with Float32); the last one of each
	// precision is kept for the next solve of the same size (its page
	// faults cost several iterations). Above 2^29 entries the solve stays
	// in the log domain.
	Float32 bool
}

// sinkhornConfig is SinkhornOptions with defaults applied and checked.
type sinkhornConfig struct {
	SinkhornOptions
	p float64
}

// resolve applies OTT's defaults and checks the options for an n×m problem.
func (o SinkhornOptions) resolve(n, m int) (sinkhornConfig, error) {
	c := sinkhornConfig{SinkhornOptions: o}
	bad := func(format string, args ...any) (sinkhornConfig, error) {
		return c, fmt.Errorf("otkit: Sinkhorn options: "+format, args...)
	}
	if math.IsNaN(o.Threshold) || o.Threshold < 0 || math.IsInf(o.Threshold, 0) {
		return bad("Threshold must be positive and finite, have %g", o.Threshold)
	}
	if c.Threshold == 0 {
		c.Threshold = 1e-3
	}
	if math.IsNaN(o.NormError) || o.NormError < 0 {
		return bad("NormError must be positive, have %g", o.NormError)
	}
	c.p = o.NormError
	if c.p == 0 {
		c.p = 1
	}
	if o.InnerIterations < 0 || o.MinIterations < 0 || o.MaxIterations < 0 {
		return bad("iteration counts must not be negative (inner %d, min %d, max %d)", o.InnerIterations, o.MinIterations, o.MaxIterations)
	}
	if c.InnerIterations == 0 {
		c.InnerIterations = 10
	}
	if c.MaxIterations == 0 {
		c.MaxIterations = 2000
	}
	for _, t := range []struct {
		name string
		v    *float64
	}{{"TauA", &c.TauA}, {"TauB", &c.TauB}} {
		if *t.v == 0 {
			*t.v = 1
		}
		if !(*t.v > 0 && *t.v <= 1) {
			return bad("%s must be in (0, 1], have %g", t.name, *t.v)
		}
	}
	if math.IsNaN(o.Momentum) || o.Momentum < 0 || o.Momentum >= 2 {
		return bad("Momentum must be in (0, 2) (0 = off), have %g", o.Momentum)
	}
	if c.Momentum == 0 {
		c.Momentum = 1
	}
	if o.MomentumStart < 0 {
		return bad("MomentumStart must not be negative, have %d", o.MomentumStart)
	}
	if o.MomentumStart > 0 && o.MomentumStart < 2*c.InnerIterations {
		return bad("MomentumStart %d must be at least 2·InnerIterations = %d (Lehmann's weight needs two recorded errors)", o.MomentumStart, 2*c.InnerIterations)
	}
	if o.Anderson < 0 {
		return bad("Anderson memory must not be negative, have %d", o.Anderson)
	}
	if o.Anderson > 0 {
		c.Momentum, c.MomentumStart = 1, 0
	}
	if o.InitF != nil && len(o.InitF) != n {
		return bad("InitF has length %d, want n = %d", len(o.InitF), n)
	}
	if o.InitG != nil && len(o.InitG) != m {
		return bad("InitG has length %d, want m = %d", len(o.InitG), m)
	}
	for _, v := range [][]float64{o.InitF, o.InitG} {
		for k, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 1) {
				return bad("initial potential has the invalid entry %g at %d", x, k)
			}
		}
	}
	return c, nil
}

// SinkhornResult holds the potentials and everything OTT's SinkhornOutput
// reports. P_ij = exp((F_i + G_j − C_ij)/eps) with the target eps; it is
// never stored, methods recompute what they need from F and G.
//
// A result is valid by construction: it comes from Sinkhorn (or a solver
// built on it), which checks every input. The plain accessors (Matrix,
// PrimalCost, the marginals, GradA, GradB) trust that and do not re-check;
// the methods that take arguments (Apply, ApplyT, GradX, GradY) and
// NormalizedCoupling return an error for a nil result or one assembled by
// hand whose potentials, weights and geometry disagree.
type SinkhornResult struct {
	F, G       []float64
	RegOTCost  float64 // OTT's reg_ot_cost (§3), balanced and unbalanced
	EntRegCost float64 // RegOTCost − eps·(H(a) + H(b))
	DualCost   float64 // ⟨a, F⟩ + ⟨b, G⟩ over non-zero weights
	// Convergence is the record of the Sinkhorn loop at the target eps:
	// Iterations against SinkhornOptions.MaxIterations; Errors, the
	// marginal error every InnerIterations, has length
	// ceil(MaxIterations/InnerIterations) (+Inf = not computed before
	// MinIterations, −1 = block never ran).
	Convergence
	Epsilon    float64
	A, B       []float64
	TauA, TauB float64
	Geom       *Geometry

	kern lse.Kernel      // the solve's float64 kernel (backend.report), reused by the methods
	cfg  *sinkhornConfig // the solve's options (Check and Err read them)
}

// kernel returns the float64 LSE kernel of the solve (backend.go; the
// reference kernel for a result assembled by hand).
func (r *SinkhornResult) kernel() lse.Kernel {
	if r.kern == nil {
		return r.Geom.referenceKernel()
	}
	return r.kern
}

// massTolerance is the relative tolerance on |Σa − Σb| in a balanced
// problem. Weights normalised in float64 agree to ~1e-15; 1e-6 accepts
// weights read from float32 data while rejecting real mass mismatches, which
// a balanced problem cannot satisfy (the marginal error would stall at the
// mass gap).
const massTolerance = 1e-6

// checkWeights copies w (uniform when nil) and validates it.
func checkWeights(w []float64, k int, name string) ([]float64, float64, error) {
	if w == nil {
		return uniform(k), 1, nil
	}
	if len(w) != k {
		return nil, 0, fmt.Errorf("otkit: weights %s have length %d, want %d", name, len(w), k)
	}
	var s float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("otkit: weights %s have a non-finite entry %g at %d", name, v, i)
		}
		if v < 0 {
			return nil, 0, fmt.Errorf("otkit: weights %s have a negative entry %g at %d", name, v, i)
		}
		s += v
	}
	if !(s > 0) {
		return nil, 0, fmt.Errorf("otkit: weights %s have zero total mass", name)
	}
	if math.IsInf(s, 1) {
		return nil, 0, numericalError("weights %s sum beyond float64: rescale them (e.g. divide them by their largest entry)", name)
	}
	return append([]float64(nil), w...), s, nil
}

// rho returns eps·tau/(1−tau), +Inf when balanced.
func rho(eps, tau float64) float64 {
	if tau == 1 {
		return math.Inf(1)
	}
	return eps * tau / (1 - tau)
}

// Sinkhorn solves the entropic optimal transport problem between weights a
// (n, nil → uniform) and b (m, nil → uniform) on geom with OTT's algorithm
// (§2): alternating log-domain updates of g then f, error checked every
// InnerIterations iterations. With TauA or TauB < 1 the marginals are
// relaxed by KL penalties of strength rho = eps·tau/(1−tau); by default with
// the consistent update (see SinkhornOptions.OTTUnbalancedUpdate).
//
// Bad input (weights of the wrong length, negative or non-finite weights,
// zero total mass, unequal masses in a balanced problem — relative
// tolerance 1e-6 —, out-of-range options) is an error. Non-convergence is
// not: the result reports it in Converged and Errors, as OTT does, with a
// nil error (the package's contract, doc.go); SinkhornResult.Err turns it
// into an error naming the cap and the options that help.
//
// Every result returned with a nil error satisfies SinkhornResult.Check:
// finite potentials and costs, a plan whose mass is TransportMass, and, when
// Converged, a final marginal error below the threshold. A solve that cannot
// hold this in float64 returns an error instead: wrapping ErrNumerical
// (kernel-mode overflow or underflow, costs whose rounding is not small
// against eps) or ErrDiverged (momentum or Anderson acceleration blew up),
// with the cause and the fix in the message.
func Sinkhorn(geom *Geometry, a, b []float64, opt SinkhornOptions) (*SinkhornResult, error) {
	s, err := newCheckedSolver("Sinkhorn", geom, a, b, opt)
	if err != nil {
		return nil, err
	}
	s.run()
	r := s.result()
	if err := s.diagnose(r); err != nil {
		return nil, err
	}
	return r, nil
}

// newCheckedSolver checks the input of a Sinkhorn-type solve (Sinkhorn,
// EpsScaling, MultiscaleSinkhorn) and returns a solver ready to run on the
// geometry's own kernel; op names the caller in the errors.
func newCheckedSolver(op string, geom *Geometry, a, b []float64, opt SinkhornOptions) (*solver, error) {
	if geom == nil {
		return nil, fmt.Errorf("otkit: %s: nil geometry", op)
	}
	n, m := geom.Shape()
	if n == 0 || m == 0 || !(geom.eps > 0) {
		return nil, fmt.Errorf("otkit: %s: geometry is empty or has no epsilon (build it with NewPointCloud or NewGeometry)", op)
	}
	cfg, err := opt.resolve(n, m)
	if err != nil {
		return nil, err
	}
	a, sa, err := checkWeights(a, n, "a")
	if err != nil {
		return nil, err
	}
	b, sb, err := checkWeights(b, m, "b")
	if err != nil {
		return nil, err
	}
	if cfg.TauA == 1 && cfg.TauB == 1 && math.Abs(sa-sb) > massTolerance*math.Max(sa, sb) {
		return nil, fmt.Errorf("otkit: %s: balanced problem needs equal masses, have Σa = %g and Σb = %g (set TauA/TauB < 1 for unbalanced transport)", op, sa, sb)
	}
	return newSolver(geom, a, b, cfg), nil
}

// solver holds the state of one Sinkhorn run.
type solver struct {
	geom       *Geometry
	cfg        sinkhornConfig
	kern       lse.Kernel // the iterations' reductions (backend.iter)
	report     lse.Kernel // float64 reductions of errors and the result (backend.report)
	a, b       []float64
	logA, logB []float64 // log of weights (−Inf at zero weights)
	f, g       []float64
	bufN, bufM []float64
	gOld       []float64
	errors     []float64
	iters      int
	badBlock   int       // first block whose computed error was NaN or ±Inf; −1 if none
	kmat       []float64 // kernel mode, dense geometry: exp(−C/kEps)
	kEps       float64
	hist       *andersonHistory

	// colF caches colLSE(f) at the target eps from the last error check:
	// the next g update needs exactly that reduction when f has not changed
	// since and the schedule has reached the target, saving one LSE a block.
	colF   []float64
	colFOK bool
	colBuf []float64 // the column marginal of marginalError, reused

	sc *scaling.Form // balanced stored problems in scaling form (backend.go); nil otherwise

	rowMarginal []float64 // the result's RowMarginal, from result()
}

func newSolver(geom *Geometry, a, b []float64, cfg sinkhornConfig) *solver {
	n, m := geom.Shape()
	be := chooseBackend(geom, a, b, cfg)
	s := &solver{
		geom: geom, cfg: cfg, kern: be.iter, report: be.report, sc: be.sc, a: a, b: b,
		logA: logs(a), logB: logs(b),
		f: make([]float64, n), g: make([]float64, m),
		bufN: make([]float64, n), bufM: make([]float64, m),
		badBlock: -1,
	}
	if cfg.InitF != nil {
		copy(s.f, cfg.InitF)
	}
	if cfg.InitG != nil {
		copy(s.g, cfg.InitG)
	}
	// OTT's initializer: −Inf potentials at zero weights.
	for i, v := range a {
		if v == 0 {
			s.f[i] = math.Inf(-1)
		}
	}
	for j, v := range b {
		if v == 0 {
			s.g[j] = math.Inf(-1)
		}
	}
	if cfg.ParallelDualUpdates {
		s.gOld = make([]float64, m)
	}
	if cfg.Anderson > 0 {
		s.hist = newAndersonHistory(cfg.Anderson, n)
	}
	return s
}

func logs(w []float64) []float64 {
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = math.Log(v)
	}
	return out
}

// run executes OTT's loop control (§2.3): blocks of InnerIterations
// iterations; the error is recorded after each block (or +Inf before
// MinIterations); the loop continues while below MaxIterations and either
// below MinIterations or the last error is finite and ≥ Threshold. A block
// whose error was not computed (+Inf, it ended before MinIterations) does
// not stop the loop: OTT exits there and counts the exit as convergence
// [QUIRK, dropped: an error that was never computed proves nothing].
// A computed error that is NaN or ±Inf stops it (recorded in badBlock).
func (s *solver) run() {
	c := s.cfg
	inner := c.InnerIterations
	nBlocks := (c.MaxIterations + inner - 1) / inner
	s.errors = make([]float64, nBlocks)
	for k := range s.errors {
		s.errors[k] = -1
	}
	if s.sc != nil && s.sc.Streamed() {
		s.sc.EnterCold()
	}
	it := 0
	for it < c.MaxIterations {
		if it > 0 && it >= c.MinIterations {
			last := s.errors[it/inner-1]
			notComputed := math.IsInf(last, 1) && it-1 < c.MinIterations
			if !notComputed && !(isFinite(last) && last >= c.Threshold) {
				break
			}
		}
		blk := it / inner
		k := 0
		if s.sc != nil && s.sc.On() {
			// The block's scaling iterations in one call; an iteration it
			// cannot run goes through iterate as before.
			k = s.sc.Steps(inner)
			it += k
		}
		for ; k < inner; k++ {
			s.iterate(it)
			it++
		}
		last := it - 1
		if last >= c.MinIterations || last == c.MaxIterations-1 {
			s.errors[blk] = s.marginalError()
			if !isFinite(s.errors[blk]) && s.badBlock < 0 {
				s.badBlock = blk
			}
		} else {
			s.errors[blk] = math.Inf(1)
		}
	}
	if s.sc != nil && s.sc.On() {
		s.sc.Sync(s.f, s.g)
	}
	if s.sc != nil {
		s.sc.Done()
	}
	ran := 0
	for _, e := range s.errors {
		if e != -1 {
			ran++
		}
	}
	s.iters = inner * ran
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// momentumWeight returns the blend weight w at iteration t: the constant
// Momentum, or from MomentumStart on Lehmann's 2/(1+sqrt(1−r^{1/inner})) with
// r = min(e_{s−1}/e_{s−2}, 0.99) from the two errors recorded before the
// start. If those errors are not finite positive numbers (blocks before
// MinIterations) the constant weight stays in use.
func (s *solver) momentumWeight(t int) float64 {
	c := s.cfg
	if c.MomentumStart == 0 || t < c.MomentumStart {
		return c.Momentum
	}
	idx := c.MomentumStart / c.InnerIterations
	e1, e2 := s.errors[idx-1], s.errors[idx-2]
	if !(isFinite(e1) && isFinite(e2) && e1 >= 0 && e2 > 0) {
		return c.Momentum
	}
	r := math.Min(e1/e2, 0.99)
	return 2 / (1 + math.Sqrt(1-math.Pow(r, 1/float64(c.InnerIterations))))
}

// scaledIterate runs the next iteration in scaling form when it is on and
// reports whether it did. On a failed step it writes the potentials back
// into s.f, s.g and turns the form off, so the caller redoes the iteration
// in the log domain.
func (s *solver) scaledIterate() bool {
	if !s.sc.On() {
		return false
	}
	if s.sc.Step() {
		return true
	}
	s.sc.Sync(s.f, s.g)
	s.sc.Leave()
	return false
}

// iterate performs iteration t: g update, then f update (§2.2).
func (s *solver) iterate(t int) {
	if s.sc != nil && s.scaledIterate() {
		return
	}
	c := s.cfg
	eps := s.geom.epsAt(t)
	w := s.momentumWeight(t)
	if s.hist != nil {
		s.hist.pre(t, s.f)
	}
	if s.gOld != nil {
		copy(s.gOld, s.g)
	}
	// g from f.
	if s.colFOK && s.hist == nil && eps == s.geom.eps {
		copy(s.bufM, s.colF)
		zeroNonFinite(s.bufM)
	} else {
		s.reduce(false, s.bufM, s.f, eps)
	}
	s.colFOK = false
	s.update(s.g, s.bufM, s.logB, eps, c.TauB, w)
	// f from the new g (old g when parallel).
	src := s.g
	if s.gOld != nil {
		src = s.gOld
	}
	s.reduce(true, s.bufN, src, eps)
	s.update(s.f, s.bufN, s.logA, eps, c.TauA, w)
	if s.hist != nil {
		s.hist.post(s.f)
	}
	if s.sc != nil && t == 0 {
		s.sc.Enter(s.f, s.g)
	}
}

// reduce computes out = eps·log Σ exp((h − C)/eps) along rows (row=true,
// out of length n) or columns, in the log domain through the LSE kernel or,
// in kernel mode, as a plain product with the Gibbs kernel K = exp(−C/eps)
// and the scaling exp(h/eps), which can overflow or underflow exactly as
// OTT's kernel mode does. Non-finite log-domain outputs become 0 (OTT).
func (s *solver) reduce(row bool, out, h []float64, eps float64) {
	if s.cfg.KernelMode {
		s.kernelApply(row, out, h, eps)
		return
	}
	if row {
		s.kern.RowLSE(out, h, eps)
	} else {
		s.kern.ColLSE(out, h, eps)
	}
	zeroNonFinite(out)
}

func zeroNonFinite(v []float64) {
	for k, x := range v {
		if !isFinite(x) {
			v[k] = 0
		}
	}
}

// update writes the new potential pot_k = blend of the old value and
// tau·(eps·log w_k − lse_k) (OTT) or eps·log w_k − tau·lse_k (consistent).
// The blend is (1−w)·old + w·new after replacing a non-finite old value by 0;
// in kernel mode that is OTT's geometric blend of the scalings.
func (s *solver) update(pot, lse, logW []float64, eps, tau, w float64) {
	ott := s.cfg.OTTUnbalancedUpdate
	for k, l := range lse {
		var nv float64
		if math.IsInf(logW[k], -1) {
			pot[k] = logW[k] // zero weight: the potential stays −Inf
			continue
		}
		if ott {
			nv = tau * (eps*logW[k] - l)
		} else {
			nv = eps*logW[k] - tau*l
		}
		if w == 1 {
			pot[k] = nv
			continue
		}
		old := pot[k]
		if !isFinite(old) {
			old = 0
		}
		pot[k] = (1-w)*old + w*nv
	}
}

// kernelApply is the kernel-mode counterpart of the LSE: with u = exp(h/eps)
// it returns eps·log(K u) (rows) or eps·log(Kᵀu) (columns).
func (s *solver) kernelApply(row bool, out, h []float64, eps float64) {
	geom := s.geom
	n, m := geom.Shape()
	u := make([]float64, len(h))
	for k, v := range h {
		u[k] = math.Exp(v / eps)
	}
	var krow func(i int) []float64
	if geom.cost != nil {
		if s.kmat == nil || s.kEps != eps {
			if s.kmat == nil {
				s.kmat = make([]float64, n*m)
			}
			for k, cv := range geom.cost {
				s.kmat[k] = math.Exp(-cv / eps)
			}
			s.kEps = eps
		}
		krow = func(i int) []float64 { return s.kmat[i*m : (i+1)*m] }
	} else {
		buf := make([]float64, m)
		krow = func(i int) []float64 {
			geom.evalRow(buf, i)
			for j, cv := range buf {
				buf[j] = math.Exp(-cv / eps)
			}
			return buf
		}
	}
	if row {
		for i := 0; i < n; i++ {
			var sum float64
			for j, kv := range krow(i) {
				sum += kv * u[j]
			}
			out[i] = eps * math.Log(sum)
		}
		return
	}
	for j := range out {
		out[j] = 0
	}
	for i := 0; i < n; i++ {
		ui := u[i]
		for j, kv := range krow(i) {
			out[j] += ui * kv
		}
	}
	for j, v := range out {
		out[j] = eps * math.Log(v)
	}
}

// marginals returns P·1 and Pᵀ·1 at the target eps, from the log domain.
func marginals(kern lse.Kernel, f, g []float64, eps float64, rows bool) []float64 {
	if rows {
		out := make([]float64, len(f))
		kern.RowLSE(out, g, eps)
		for i, v := range out {
			out[i] = math.Exp((f[i] + v) / eps)
		}
		return out
	}
	out := make([]float64, len(g))
	kern.ColLSE(out, f, eps)
	for j, v := range out {
		out[j] = math.Exp((g[j] + v) / eps)
	}
	return out
}

// marginalTarget is the marginal the fixed point of the update reproduces:
// w where tau = 1; w·exp(−f/rho) for OTT's update (§2.3); and
// w·exp(−(f − eps·log w)/rho) for the consistent update, whose fixed point
// is the stationarity condition of RegOTCost. Zero weights give 0.
func marginalTarget(w, pot []float64, eps, tau float64, ott bool) []float64 {
	if tau == 1 {
		return w
	}
	r := rho(eps, tau)
	out := make([]float64, len(w))
	for k, v := range w {
		if v == 0 {
			continue
		}
		x := pot[k]
		if !ott {
			x -= eps * math.Log(v)
		}
		out[k] = v * math.Exp(-x/r)
	}
	return out
}

func lpNorm(a, b []float64, p float64) float64 {
	if math.IsInf(p, 1) {
		var mx float64
		for k := range a {
			d := math.Abs(a[k] - b[k])
			if d > mx || math.IsNaN(d) {
				mx = d
			}
		}
		return mx
	}
	var s float64
	for k := range a {
		d := math.Abs(a[k] - b[k])
		if p == 1 {
			s += d
		} else {
			s += math.Pow(d, p)
		}
	}
	if p == 1 {
		return s
	}
	return math.Pow(s, 1/p)
}

// marginalError is OTT's solution error (§2.3) at the target eps: the column
// marginal only when balanced and sequential (the f update makes the rows
// exact), both marginals against their targets otherwise.
func (s *solver) marginalError() float64 {
	c := s.cfg
	if s.sc != nil && s.sc.On() {
		e := lpNorm(s.sc.ColMarginal(), s.b, c.p)
		if s.sc.Streamed() && e < c.Threshold {
			// About to stop: the streamed K̃ is rounded (to float32, or to
			// float64 entries whose product with u and v differs from
			// exp(F + G − C) in the last bits), so the error that counts is
			// that of the potentials the result reports, in the log domain.
			s.sc.Sync(s.f, s.g)
			e = s.logMarginalError()
		}
		// The iterations go on from the scaling form's state, so no column
		// reduction of this f may be reused by a later log-domain update.
		s.colFOK = false
		return e
	}
	return s.logMarginalError()
}

// logMarginalError is marginalError in the log domain, from s.f and s.g.
func (s *solver) logMarginalError() float64 {
	c := s.cfg
	eps := s.geom.eps
	k := s.report // a Float32 solve's errors in float64, as its result reports them
	if s.colF == nil {
		s.colF = make([]float64, len(s.g))
	}
	k.ColLSE(s.colF, s.f, eps)
	s.colFOK = !c.KernelMode
	if s.colBuf == nil {
		s.colBuf = make([]float64, len(s.g))
	}
	col := s.colBuf
	for j, v := range s.colF {
		col[j] = math.Exp((s.g[j] + v) / eps)
	}
	ott := c.OTTUnbalancedUpdate
	e := lpNorm(col, marginalTarget(s.b, s.g, eps, c.TauB, ott), c.p)
	if c.TauA == 1 && c.TauB == 1 && !c.ParallelDualUpdates {
		return e
	}
	row := marginals(k, s.f, s.g, eps, true)
	return e + lpNorm(row, marginalTarget(s.a, s.f, eps, c.TauA, ott), c.p)
}

func (s *solver) result() *SinkhornResult {
	c := s.cfg
	eps := s.geom.eps
	r := &SinkhornResult{
		F: s.f, G: s.g, Epsilon: eps,
		A: s.a, B: s.b, TauA: c.TauA, TauB: c.TauB, Geom: s.geom,
		kern: s.report, cfg: &s.cfg,
	}
	r.Convergence = Convergence{
		Converged: converged(s.errors, c.Threshold), Iterations: s.iters, MaxIterations: c.MaxIterations,
		Errors: s.errors, Threshold: c.Threshold, kind: sinkhornLoop,
	}
	// The row marginals give RegOTCost its mass; the self-check (diagnose)
	// reuses them rather than reducing the plan's rows a second time.
	s.rowMarginal = r.RowMarginal()
	r.RegOTCost = r.regCost(sum(s.rowMarginal))
	r.EntRegCost = r.RegOTCost - eps*(entropy(s.a)+entropy(s.b))
	for i, v := range s.a {
		if v > 0 {
			r.DualCost += v * s.f[i]
		}
	}
	for j, v := range s.b {
		if v > 0 {
			r.DualCost += v * s.g[j]
		}
	}
	return r
}

// converged applies OTT's rule where the error is finite: no NaN among the
// errors and the last recorded error (entries −1 never ran) below the
// threshold. OTT reads the last entry, −1 after any early exit, so it counts
// an exit on a +Inf error as convergence [QUIRK, dropped]: a ±Inf or NaN
// error is never converged.
func converged(errs []float64, threshold float64) bool {
	for _, e := range errs {
		if math.IsNaN(e) {
			return false
		}
	}
	last := lastRecorded(errs)
	return isFinite(last) && last < threshold
}

func entropy(w []float64) float64 {
	var h float64
	for _, v := range w {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

// uniform returns k weights 1/k.
func uniform(k int) []float64 {
	out := make([]float64, k)
	for i := range out {
		out[i] = 1 / float64(k)
	}
	return out
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// regCost evaluates OTT's reg_ot_cost (§3) from the final potentials:
//
//	R = D_a + D_b + eps·(Σa·Σb − ΣP),
//	D_a = Σ a_i (f_i − eps log a_i)                      (tau_a = 1),
//	D_a = Σ a_i rho_a (1 − exp(−(f_i − eps log a_i)/rho_a))  (tau_a < 1).
//
// R is the dual objective of the primal problem
//
//	min_P ⟨P, C⟩ + eps·KL(P | a bᵀ) + rho_a·KL(P1 | a) + rho_b·KL(Pᵀ1 | b)
//
// (generalised KL, the marginal terms absent when tau = 1) written in OTT's
// variables f = f' + eps log a, where f' is the usual dual variable of the
// a bᵀ-referenced problem. Setting ∂R/∂f_i = a_i e^{−(f_i − eps log a_i)/rho}
// − (P1)_i to zero with (P1)_i = e^{f_i/eps} e^{L_i/eps}, L_i = eps LSE_j
// (g_j − C_ij)/eps, and multiplying the logarithm by eps gives
//
//	eps log a_i − (eps/rho)(f_i − eps log a_i) = f_i + L_i,
//
// and with eps/rho = (1−tau)/tau, f_i = eps log a_i − tau L_i: exactly the
// consistent update. So at its fixed point R is stationary in (f, g), equals
// the primal value, and its partial derivatives (gradient.go) are the true
// derivatives of the solved value (envelope theorem). OTT's update
// f_i = tau(eps log a_i − L_i) is a fixed point of a different problem
// (reference 1 1ᵀ), so with OTTUnbalancedUpdate R is OTT's number but not an
// optimum, and the Danskin gradient is OTT's, not the derivative.
func (r *SinkhornResult) regCost(total float64) float64 {
	eps := r.Epsilon
	d := func(w, pot []float64, tau, rh float64) float64 {
		var s float64
		for k, v := range w {
			if v == 0 {
				continue
			}
			x := pot[k] - eps*math.Log(v)
			if tau == 1 {
				s += v * x
			} else {
				s += v * rh * (-math.Expm1(-x / rh))
			}
		}
		return s
	}
	return d(r.A, r.F, r.TauA, rho(r.Epsilon, r.TauA)) + d(r.B, r.G, r.TauB, rho(r.Epsilon, r.TauB)) + eps*(sum(r.A)*sum(r.B)-total)
}

// RowMarginal returns P·1 (length n).
func (r *SinkhornResult) RowMarginal() []float64 {
	return marginals(r.kernel(), r.F, r.G, r.Epsilon, true)
}

// ColMarginal returns Pᵀ·1 (length m).
func (r *SinkhornResult) ColMarginal() []float64 {
	return marginals(r.kernel(), r.F, r.G, r.Epsilon, false)
}

// TransportMass returns ΣP.
func (r *SinkhornResult) TransportMass() float64 { return sum(r.RowMarginal()) }

// Matrix returns the coupling P_ij = exp((F_i + G_j − C_ij)/eps) at the
// target eps as a new n×m matrix.
func (r *SinkhornResult) Matrix() *mat.Dense {
	n, m := r.Geom.Shape()
	out := mat.NewDense(n, m, nil)
	raw := out.RawMatrix()
	r.eachCouplingRow(func(i int, p []float64) { copy(raw.Data[i*raw.Stride:i*raw.Stride+m], p) })
	return out
}

// eachCouplingRow calls fn with every row of P (the slice is reused).
func (r *SinkhornResult) eachCouplingRow(fn func(i int, p []float64)) {
	_, m := r.Geom.Shape()
	p := make([]float64, m)
	inv := 1 / r.Epsilon
	r.Geom.eachRow(func(i int, row []float64) {
		fi := r.F[i]
		for j, cv := range row {
			p[j] = math.Exp((fi + r.G[j] - cv) * inv)
		}
		fn(i, p)
	})
}

// PrimalCost returns ⟨P, C⟩ without storing P.
func (r *SinkhornResult) PrimalCost() float64 {
	var s float64
	inv := 1 / r.Epsilon
	r.Geom.eachRow(func(i int, row []float64) {
		fi := r.F[i]
		if math.IsInf(fi, -1) {
			return
		}
		for j, cv := range row {
			if math.IsInf(r.G[j], -1) {
				continue
			}
			s += math.Exp((fi+r.G[j]-cv)*inv) * cv
		}
	})
	return s
}

// Apply returns P·v (v of length m, result of length n), computed in the
// log domain: v is split into its positive and negative parts, each reduced
// with the LSE kernel, so P is never formed and large potentials do not
// overflow.
func (r *SinkhornResult) Apply(v []float64) ([]float64, error) {
	if err := r.checkShape("Apply"); err != nil {
		return nil, err
	}
	n, m := r.Geom.Shape()
	if len(v) != m {
		return nil, fmt.Errorf("otkit: Apply: vector has length %d, want m = %d", len(v), m)
	}
	return r.applySigned(v, r.G, r.F, n, true)
}

// ApplyT returns Pᵀ·v (v of length n, result of length m), like Apply.
func (r *SinkhornResult) ApplyT(v []float64) ([]float64, error) {
	if err := r.checkShape("ApplyT"); err != nil {
		return nil, err
	}
	n, m := r.Geom.Shape()
	if len(v) != n {
		return nil, fmt.Errorf("otkit: ApplyT: vector has length %d, want n = %d", len(v), n)
	}
	return r.applySigned(v, r.F, r.G, m, false)
}

// checkShape reports a nil or hand-assembled result whose geometry or
// potentials are missing or do not match, which the checked methods would
// otherwise turn into a nil dereference or an index out of range.
func (r *SinkhornResult) checkShape(op string) error {
	if r == nil {
		return fmt.Errorf("otkit: %s: nil Sinkhorn result", op)
	}
	if r.Geom == nil {
		return fmt.Errorf("otkit: %s: Sinkhorn result has no geometry", op)
	}
	n, m := r.Geom.Shape()
	if len(r.F) != n || len(r.G) != m {
		return fmt.Errorf("otkit: %s: potentials have lengths %d and %d, geometry is %d×%d", op, len(r.F), len(r.G), n, m)
	}
	if len(r.A) != n || len(r.B) != m {
		return fmt.Errorf("otkit: %s: marginals have lengths %d and %d, geometry is %d×%d", op, len(r.A), len(r.B), n, m)
	}
	return nil
}

// applySigned computes out_k = Σ_l exp((outPot_k + inPot_l − C)/eps) v_l as
// exp((outPot + LSE(inPot + eps log v⁺))/eps) − (same for v⁻).
func (r *SinkhornResult) applySigned(v, inPot, outPot []float64, k int, rows bool) ([]float64, error) {
	eps := r.Epsilon
	pos := make([]float64, len(v))
	neg := make([]float64, len(v))
	for l, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("otkit: Apply: vector has a non-finite entry %g at %d", x, l)
		}
		pos[l], neg[l] = math.Inf(-1), math.Inf(-1)
		switch {
		case x > 0:
			pos[l] = inPot[l] + eps*math.Log(x)
		case x < 0:
			neg[l] = inPot[l] + eps*math.Log(-x)
		}
	}
	lp := make([]float64, k)
	ln := make([]float64, k)
	if rows {
		r.kernel().RowLSE(lp, pos, eps)
		r.kernel().RowLSE(ln, neg, eps)
	} else {
		r.kernel().ColLSE(lp, pos, eps)
		r.kernel().ColLSE(ln, neg, eps)
	}
	out := make([]float64, k)
	for i := range out {
		out[i] = math.Exp((outPot[i]+lp[i])/eps) - math.Exp((outPot[i]+ln[i])/eps)
	}
	return out, nil
}

// andersonHistory implements OTT's Anderson acceleration of the f iterates:
// it keeps the last mem pairs (f_k, F(f_k)) of an iteration's input and
// output potential, and from iteration mem+1 on replaces the input f by
// Σ_k w_k F(f_k), where w solves (RᵀR/‖RᵀR‖_F + 1e-2·I) w = 1 normalised to
// sum 1, R holding the residuals F(f_k) − f_k. Entries that are −Inf (zero
// weights) are left out of the residuals and keep their value.
type andersonHistory struct {
	mem     int
	in, out [][]float64
	cur     []float64
}

func newAndersonHistory(mem, n int) *andersonHistory {
	return &andersonHistory{mem: mem, cur: make([]float64, n)}
}

func (h *andersonHistory) pre(t int, f []float64) {
	if t > h.mem && len(h.out) == h.mem {
		h.extrapolate(f)
	}
	copy(h.cur, f)
}

func (h *andersonHistory) post(f []float64) {
	in, out := append([]float64(nil), h.cur...), append([]float64(nil), f...)
	if len(h.in) == h.mem {
		in, out = h.in[0][:0], h.out[0][:0] // recycle the oldest pair
		in = append(in, h.cur...)
		out = append(out, f...)
		h.in, h.out = h.in[1:], h.out[1:]
	}
	h.in = append(h.in, in)
	h.out = append(h.out, out)
}

func (h *andersonHistory) extrapolate(f []float64) {
	k := h.mem
	n := len(f)
	mask := make([]bool, n)
	for i := 0; i < n; i++ {
		ok := true
		for l := 0; l < k; l++ {
			if !isFinite(h.in[l][i]) || !isFinite(h.out[l][i]) {
				ok = false
				break
			}
		}
		mask[i] = ok
	}
	gram := mat.NewDense(k, k, nil)
	var fro float64
	for p := 0; p < k; p++ {
		for q := 0; q <= p; q++ {
			var s float64
			for i := 0; i < n; i++ {
				if mask[i] {
					s += (h.out[p][i] - h.in[p][i]) * (h.out[q][i] - h.in[q][i])
				}
			}
			gram.Set(p, q, s)
			gram.Set(q, p, s)
			if p == q {
				fro += s * s
			} else {
				fro += 2 * s * s
			}
		}
	}
	fro = math.Sqrt(fro)
	if !(fro > 0) || math.IsInf(fro, 0) {
		return // residuals vanish: already at the fixed point
	}
	gram.Scale(1/fro, gram)
	for p := 0; p < k; p++ {
		gram.Set(p, p, gram.At(p, p)+1e-2)
	}
	ones := mat.NewVecDense(k, nil)
	for p := 0; p < k; p++ {
		ones.SetVec(p, 1)
	}
	var w mat.VecDense
	if err := w.SolveVec(gram, ones); err != nil {
		return
	}
	ws := 0.0
	for p := 0; p < k; p++ {
		ws += w.AtVec(p)
	}
	if !(ws != 0) || !isFinite(ws) {
		return
	}
	for i := 0; i < n; i++ {
		if !mask[i] {
			continue
		}
		var s float64
		for p := 0; p < k; p++ {
			s += w.AtVec(p) / ws * h.out[p][i]
		}
		f[i] = s
	}
}
