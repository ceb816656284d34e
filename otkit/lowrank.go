package otkit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// LowRankInit chooses the starting factors of LowRankSinkhorn.
type LowRankInit int

const (
	// LowRankInitAuto (the zero value) is LowRankInitKMeans for point
	// clouds and LowRankInitRank2 for a cost matrix, as OTT's default.
	LowRankInitAuto LowRankInit = iota
	// LowRankInitKMeans routes the mass through r hubs: k-means centres
	// of both clouds together (k-means++ seeded from LowRankOptions.Seed),
	// Q the entropic coupling of x with the hubs, R that of y, g uniform
	// (OTT's k-means initializer; Forrow et al. 2019's factored coupling).
	// The start is already a low-rank coupling that follows the geometry,
	// where the rank-2 start is close to the independent coupling, a
	// saddle point that mirror descent leaves only slowly. Point clouds
	// only; when the hub couplings cannot be computed the solve starts
	// from LowRankInitRank2.
	LowRankInitKMeans
	// LowRankInitRank2 is the deterministic rank-2 start of Scetbon, Cuturi
	// & Peyré (2021, §3.3): g uniform and Q, R the mixtures λ·a₁g₁ᵀ +
	// (1−λ)·a₂g₂ᵀ of two product couplings, which break the symmetry
	// between the r components (a product start a·gᵀ would keep every
	// component identical forever). Here a₁ is a weighted by the index
	// (i + 1), so that zero weights stay zero.
	LowRankInitRank2
	// LowRankInitRandom starts from Q_ik = a_i·w_ik/Σ_k w_ik (R likewise)
	// with w uniform in [1/2, 3/2) drawn from LowRankOptions.Seed, and g
	// uniform (OTT's "random" initializer, up to the distribution).
	LowRankInitRandom
)

// LowRankOptions configures LowRankSinkhorn and LowRankSinkhornCost. The
// zero value is OTT-JAX's LRSinkhorn default at rank 10: γ = 10 rescaled
// at every step (Scetbon & Cuturi 2022), no entropic term, threshold 1e-3
// on the step criterion, at most 2000 mirror-descent steps, Dykstra to an
// L1 marginal error of 1e-3 (at most 10000 iterations), g ≥ 1e-6·Σa.
type LowRankOptions struct {
	Rank int // r, the number of components; 0 → 10
	// Gamma is the mirror-descent step γ; 0 → 10. Unless FixedGamma, the
	// step actually taken is γ / max(‖∇_Q‖²∞, ‖∇_R‖²∞, ‖∇_g‖²∞), which makes
	// the step independent of the cost's units.
	Gamma      float64
	FixedGamma bool
	// Epsilon adds ε·H(Q, R, g) (entropies of the factors) to the
	// objective, as OTT's epsilon; 0 → none.
	Epsilon float64
	Init    LowRankInit
	Seed    uint64 // seed of LowRankInitRandom and LowRankInitKMeans
	// Threshold bounds the step criterion Δ_k = (KL(ξ_k‖ξ_{k−1}) +
	// KL(ξ_{k−1}‖ξ_k))/γ_k² over the three factors ξ = (Q, R, g); 0 → 1e-3.
	Threshold     float64
	MinIterations int // mirror-descent steps before convergence may be declared
	MaxIterations int // mirror-descent steps; 0 → 2000
	// MinMass is α/Σa, the lower bound on every component's mass g_k
	// relative to the total; 0 → 1e-6. Must be below 1/Rank.
	MinMass float64
	// DykstraThreshold bounds ‖Q·1 − a‖₁ + ‖R·1 − b‖₁ at the end of every
	// projection (Qᵀ1 = Rᵀ1 = g hold exactly); 0 → 1e-3 (OTT's).
	DykstraThreshold     float64
	DykstraMaxIterations int // 0 → 10000
}

// resolve applies the defaults and checks the options.
func (o LowRankOptions) resolve() (LowRankOptions, error) {
	bad := func(format string, args ...any) (LowRankOptions, error) {
		return o, fmt.Errorf("otkit: low-rank Sinkhorn options: "+format, args...)
	}
	if o.Rank < 0 {
		return bad("Rank must be positive (0 means 10), have %d", o.Rank)
	}
	if o.Rank == 0 {
		o.Rank = 10
	}
	for _, f := range []struct {
		name string
		v    *float64
		def  float64
	}{{"Gamma", &o.Gamma, 10}, {"Threshold", &o.Threshold, 1e-3}, {"MinMass", &o.MinMass, 1e-6}, {"DykstraThreshold", &o.DykstraThreshold, 1e-3}} {
		if math.IsNaN(*f.v) || *f.v < 0 || math.IsInf(*f.v, 0) {
			return bad("%s must be positive and finite (0 means %g), have %g", f.name, f.def, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if math.IsNaN(o.Epsilon) || o.Epsilon < 0 || math.IsInf(o.Epsilon, 0) {
		return bad("Epsilon must be zero or positive and finite, have %g", o.Epsilon)
	}
	if o.MinMass*float64(o.Rank) >= 1 {
		return bad("MinMass %g leaves no room for %d components of mass at least MinMass each: use MinMass < 1/Rank", o.MinMass, o.Rank)
	}
	if o.MinIterations < 0 || o.MaxIterations < 0 || o.DykstraMaxIterations < 0 {
		return bad("iteration counts must not be negative (min %d, max %d, Dykstra %d)", o.MinIterations, o.MaxIterations, o.DykstraMaxIterations)
	}
	if o.MaxIterations == 0 {
		o.MaxIterations = 2000
	}
	if o.DykstraMaxIterations == 0 {
		o.DykstraMaxIterations = 10000
	}
	if o.Init < LowRankInitAuto || o.Init > LowRankInitRandom {
		return bad("unknown Init %d (LowRankInitAuto, LowRankInitKMeans, LowRankInitRank2 or LowRankInitRandom)", int(o.Init))
	}
	return o, nil
}

// lowRankLoop names the mirror-descent loop in the messages of Err.
var lowRankLoop = &loopKind{op: "low-rank Sinkhorn", cap: "LowRankOptions.MaxIterations", unit: "mirror-descent steps",
	statistic: "step criterion", help: "raise LowRankOptions.MaxIterations or Threshold (it is in squared cost units), or take longer steps (Gamma)"}

// LowRankResult is a low-rank coupling P = Q·diag(1/g)·Rᵀ: Q (n×r) has
// marginals a and g, R (m×r) has b and g, so P has a and b; P is never
// stored (Matrix builds it).
type LowRankResult struct {
	Q, R *mat.Dense
	G    []float64
	// Cost is the transport cost ⟨C, P⟩ of the returned factors.
	Cost float64
	// Costs is the objective's trace: ⟨C, P_k⟩ of the factors each
	// mirror-descent step started from (Costs[0] is the start's), then the
	// final Cost.
	Costs []float64
	// Convergence: Iterations counts mirror-descent steps against
	// LowRankOptions.MaxIterations; Errors holds the step criterion after
	// every step, Threshold is LowRankOptions.Threshold.
	Convergence
	// Gamma is the step of the last mirror-descent iteration.
	Gamma float64
	// DykstraIterations counts the projection iterations of the solve;
	// DykstraCapped the projections that stopped at DykstraMaxIterations
	// (their row marginals may miss DykstraThreshold).
	DykstraIterations, DykstraCapped int
	A, B                             []float64 // the weights solved for (B rescaled to Σa)
}

// Matrix builds the n×m coupling Q·diag(1/g)·Rᵀ (n·m values).
func (r *LowRankResult) Matrix() *mat.Dense {
	n, k := r.Q.Dims()
	m, _ := r.R.Dims()
	qs := mat.NewDense(n, k, nil)
	qs.Apply(func(_, j int, v float64) float64 { return v / r.G[j] }, r.Q)
	p := mat.NewDense(n, m, nil)
	p.Mul(qs, r.R.T())
	return p
}

// LowRankSinkhorn solves the transport problem between the rows of x (n×d,
// weights a, nil → uniform) and y (m×d, b) for the squared Euclidean cost
// ‖x − y‖² over couplings of nonnegative rank at most opt.Rank, by the
// mirror descent with LR-Dykstra projections of Scetbon, Cuturi & Peyré
// (2021). The cost is used in factored form: memory and time per step are
// O((n+m)·(d+r)·r), never n·m.
//
// Bad input (empty or non-finite points, dimensions that differ, weights
// of the wrong length, negative or non-finite weights, unequal masses
// beyond a relative 1e-6, bad options) is an error naming it. A result
// that is not finite is an error wrapping ErrNumerical. Non-convergence is
// not an error: the result says so (res.Err()).
func LowRankSinkhorn(x, y *mat.Dense, a, b []float64, opt LowRankOptions) (*LowRankResult, error) {
	xs, n, d, err := flatPoints(x, "x")
	if err != nil {
		return nil, within("LowRankSinkhorn", err)
	}
	ys, m, dy := xs, n, d
	if y != nil {
		if ys, m, dy, err = flatPoints(y, "y"); err != nil {
			return nil, within("LowRankSinkhorn", err)
		}
	}
	if dy != d {
		return nil, fmt.Errorf("otkit: LowRankSinkhorn: dimension mismatch: x has %d columns, y has %d", d, dy)
	}
	return solveLowRank("LowRankSinkhorn", newSqEuclidFactors(xs, ys, n, m, d), &lrPoints{xs, ys, d}, a, b, opt)
}

// LowRankSinkhornCost is LowRankSinkhorn for a stored n×m cost matrix
// (copied; costs must be finite). A step costs O(n·m·r).
func LowRankSinkhornCost(cost *mat.Dense, a, b []float64, opt LowRankOptions) (*LowRankResult, error) {
	cs, n, m, err := flatPoints(cost, "cost matrix")
	if err != nil {
		return nil, within("LowRankSinkhornCost", err)
	}
	if opt.Init == LowRankInitKMeans {
		return nil, errors.New("otkit: LowRankSinkhornCost: LowRankInitKMeans needs point clouds (use LowRankSinkhorn, or LowRankInitRank2 / LowRankInitRandom)")
	}
	return solveLowRank("LowRankSinkhornCost", &denseCost{n: n, m: m, c: cs}, nil, a, b, opt)
}

// lrState is the iterate (Q, R, g) of a solve and its work space.
type lrState struct {
	op         string
	o          LowRankOptions
	cost       lrCost
	n, m, r    int
	a, b       []float64
	q, rr, g   []float64 // current factors
	oq, or, og []float64 // previous factors (the step criterion)
	cq, cr     []float64 // C·R and Cᵀ·Q
	omega      []float64 // diag(Qᵀ·C·R)
	dys        *lrDykstra
	mass       float64 // Σa of the caller: the state runs at mass 1, results are scaled by it
}

// lrPoints are the clouds of a point-cloud solve (flat row-major), for the
// k-means start.
type lrPoints struct {
	x, y []float64
	d    int
}

func solveLowRank(op string, cost lrCost, pts *lrPoints, a, b []float64, opt LowRankOptions) (*LowRankResult, error) {
	o, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	n, m := cost.shape()
	a, sa, err := checkWeights(a, n, "a")
	if err != nil {
		return nil, within(op, err)
	}
	b, sb, err := checkWeights(b, m, "b")
	if err != nil {
		return nil, within(op, err)
	}
	if sa < 0x1p-1022 {
		// The factors scale with the mass: below the smallest normal
		// float64 they would keep only the few digits of subnormal numbers.
		return nil, fmt.Errorf("otkit: %s: the weights' total mass Σa = %g is below the smallest normal float64 (2.2e-308): rescale the weights", op, sa)
	}
	if math.Abs(sa-sb) > massTolerance*math.Max(sa, sb) {
		return nil, fmt.Errorf("otkit: %s: the low-rank problem is balanced and needs equal masses, have Σa = %g and Σb = %g (normalise both weight vectors)", op, sa, sb)
	}
	for j := range b {
		b[j] *= sa / sb
	}
	// The solve runs on weights of mass 1 (OTT's setting) and scales back:
	// with a small total mass the products Q·(C·R) of the objective and the
	// gradient of g would otherwise fall into subnormal numbers and lose
	// their digits (found by FuzzLowRank at Σa = 4e-76). The problem is the
	// same: both marginals, the lower bound α and the projection's tolerance
	// scale with the mass.
	na, nb := make([]float64, n), make([]float64, m)
	for i, v := range a {
		na[i] = v / sa
	}
	for j, v := range b {
		nb[j] = v / sa
	}
	s := newLRState(op, cost, pts, na, nb, 1, o)
	s.mass = sa
	res, err := s.run()
	if err != nil {
		return nil, err
	}
	res.A, res.B = a, b
	return res, nil
}

func newLRState(op string, cost lrCost, pts *lrPoints, a, b []float64, mass float64, o LowRankOptions) *lrState {
	n, m := cost.shape()
	r := o.Rank
	s := &lrState{
		op: op, o: o, cost: cost, n: n, m: m, r: r, a: a, b: b,
		q: make([]float64, n*r), rr: make([]float64, m*r), g: make([]float64, r),
		oq: make([]float64, n*r), or: make([]float64, m*r), og: make([]float64, r),
		cq: make([]float64, n*r), cr: make([]float64, m*r), omega: make([]float64, r),
	}
	s.dys = &lrDykstra{r: r, lalpha: math.Log(o.MinMass * mass), tol: o.DykstraThreshold * mass,
		maxIter: o.DykstraMaxIterations, fq: newLRFactor(a, r), fr: newLRFactor(b, r)}
	for k := range s.g {
		s.g[k] = mass / float64(r)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x10e7a2))
	init := o.Init
	if init == LowRankInitAuto {
		init = LowRankInitRank2
		if pts != nil {
			init = LowRankInitKMeans
		}
	}
	if init == LowRankInitKMeans {
		z := kmeansHubs(pts.x, pts.y, a, b, pts.d, r, rng)
		if hubFactor(s.q, pts.x, a, z, s.g, pts.d) && hubFactor(s.rr, pts.y, b, z, s.g, pts.d) {
			return s
		}
		init = LowRankInitRank2
	}
	switch init {
	case LowRankInitRank2:
		rank2Factor(s.q, a, s.g)
		rank2Factor(s.rr, b, s.g)
	case LowRankInitRandom:
		randomFactor(s.q, a, r, rng)
		randomFactor(s.rr, b, r, rng)
	}
	return s
}

// rank2Factor writes λ·w₁g₁ᵀ + (1−λ)·w₂g₂ᵀ into q (len(w)×len(g)), with
// w₁ ∝ w_i·(i+1), g₁ ∝ (k+1), w₂, g₂ the complements that keep the
// marginals w and g, and λ half the largest value keeping w₂, g₂ ≥ 0.
func rank2Factor(q, w, g []float64) {
	tilt := func(v []float64) ([]float64, float64) {
		t := make([]float64, len(v))
		var s, mass float64
		for i, x := range v {
			t[i] = x * float64(i+1)
			s += t[i]
			mass += x
		}
		for i := range t {
			t[i] *= mass / s
		}
		// w − λ·t ≥ 0 needs λ ≤ w_i/t_i = s/(mass·(i+1)) for every i.
		return t, s / (mass * float64(len(v)))
	}
	w1, lw := tilt(w)
	g1, lg := tilt(g)
	lambda := 0.5 * math.Min(1, math.Min(lw, lg))
	var mass float64
	for _, x := range w {
		mass += x
	}
	r := len(g)
	for i, wi := range w {
		w2 := (wi - lambda*w1[i]) / (1 - lambda)
		for k, gk := range g {
			g2 := (gk - lambda*g1[k]) / (1 - lambda)
			q[i*r+k] = (lambda*w1[i]*g1[k] + (1-lambda)*w2*g2) / mass
		}
	}
}

// randomFactor writes q_ik = w_i·u_ik/Σ_k u_ik, u uniform in [1/2, 3/2).
func randomFactor(q, w []float64, r int, rng *rand.Rand) {
	for i, wi := range w {
		row := q[i*r : (i+1)*r]
		var s float64
		for k := range row {
			row[k] = 0.5 + rng.Float64()
			s += row[k]
		}
		for k := range row {
			row[k] *= wi / s
		}
	}
}

// objective computes C·R, Cᵀ·Q and ω = diag(Qᵀ·C·R) at the current factors
// and returns ⟨C, P⟩ = Σ_k ω_k/g_k.
func (s *lrState) objective() float64 {
	s.cost.apply(s.cq, s.rr, s.r)
	s.cost.applyT(s.cr, s.q, s.r)
	w := gramDiag(s.q, s.cq, s.r, s.n)
	copy(s.omega, w)
	var c float64
	for k, om := range s.omega {
		c += om / s.g[k]
	}
	return c
}

// gramDiag returns diag(Uᵀ·V) for U, V rows×r, in fixed row blocks.
func gramDiag(u, v []float64, r, rows int) []float64 {
	nb := (rows + lrBlockRows - 1) / lrBlockRows
	parts := make([]float64, nb*r)
	forRowBlocks(rows, rows*r, func(b, lo, hi int) {
		acc := parts[b*r : (b+1)*r]
		for i := lo; i < hi; i++ {
			for k := 0; k < r; k++ {
				acc[k] += u[i*r+k] * v[i*r+k]
			}
		}
	})
	out := make([]float64, r)
	for b := 0; b < nb; b++ {
		for k := range out {
			out[k] += parts[b*r+k]
		}
	}
	return out
}

var errLRNumerical = errors.New("not finite")

// run iterates mirror-descent steps until the criterion holds twice below
// the threshold, or once below it and decreasing (OTT's rule: a criterion
// that only just dipped below after rising is not trusted), or the cap.
func (s *lrState) run() (*LowRankResult, error) {
	o := s.o
	res := &LowRankResult{}
	res.Convergence = Convergence{MaxIterations: o.MaxIterations, Threshold: o.Threshold, kind: lowRankLoop}
	for it := 0; it < o.MaxIterations; it++ {
		// Costs and the criterion are linear in the mass: reported (and
		// compared with the threshold) at the caller's.
		c := s.objective() * s.mass
		res.Costs = append(res.Costs, c)
		if !isFinite(c) {
			return nil, numericalError("%s: the transport cost of step %d is %g: rescale the costs", s.op, it, c)
		}
		gamma, err := s.step()
		if err != nil {
			return nil, numericalError("%s: step %d (γ = %g): the projection lost its marginals or its factors are not finite: rescale the costs towards 1 (the rescaled step γ·∇ grows as the costs shrink) or set FixedGamma with a smaller Gamma", s.op, it, gamma)
		}
		res.Gamma = gamma
		delta := s.criterion(gamma) * s.mass
		res.Errors = append(res.Errors, delta)
		res.Iterations = it + 1
		if !isFinite(delta) {
			return nil, numericalError("%s: step %d: the step criterion is %g", s.op, it, delta)
		}
		if it+1 >= o.MinIterations && delta < o.Threshold && it > 0 {
			prev := res.Errors[it-1]
			if prev < o.Threshold || delta < prev {
				res.Converged = true
				break
			}
		}
	}
	res.Cost = s.objective() * s.mass
	res.Costs = append(res.Costs, res.Cost)
	for _, f := range [][]float64{s.q, s.rr, s.g} {
		for i := range f {
			f[i] *= s.mass
		}
	}
	if !isFinite(res.Cost) || !finiteVec(s.q) || !finiteVec(s.rr) {
		return nil, numericalError("%s: the final transport cost (%g) or factors are not finite at the mass Σa = %g: rescale the costs or the weights", s.op, res.Cost, s.mass)
	}
	res.Q = mat.NewDense(s.n, s.r, s.q)
	res.R = mat.NewDense(s.m, s.r, s.rr)
	res.G = s.g
	res.DykstraIterations, res.DykstraCapped = s.dys.itersSum, s.dys.capped
	return res, nil
}

// step takes one mirror-descent step from the factors whose C·R, Cᵀ·Q and
// ω objective() just computed, and returns the γ it used.
func (s *lrState) step() (float64, error) {
	o, r := s.o, s.r
	eps := o.Epsilon
	// ∇_Q = C·R/g + ε·log Q (in cq), ∇_R = Cᵀ·Q/g + ε·log R (in cr),
	// ∇_g = −ω/g² + ε·log g.
	gradG := make([]float64, r)
	for k := range gradG {
		gradG[k] = -s.omega[k] / (s.g[k] * s.g[k])
		if eps > 0 {
			gradG[k] += eps * math.Log(s.g[k])
		}
	}
	nq := gradient(s.cq, s.q, s.g, eps, r)
	nr := gradient(s.cr, s.rr, s.g, eps, r)
	gamma := o.Gamma
	if !o.FixedGamma {
		var ng float64
		for _, v := range gradG {
			ng = math.Max(ng, math.Abs(v))
		}
		if top := math.Max(nq*nq, math.Max(nr*nr, ng*ng)); top > 0 {
			gamma /= top
		}
	}
	// log ξ = log(factor) − γ·∇, written into the Dykstra kernels.
	logKernel(s.dys.fq.k, s.q, s.cq, gamma)
	logKernel(s.dys.fr.k, s.rr, s.cr, gamma)
	lxi3 := make([]float64, r)
	for k := range lxi3 {
		lxi3[k] = math.Log(s.g[k]) - gamma*gradG[k]
	}
	copy(s.oq, s.q)
	copy(s.or, s.rr)
	copy(s.og, s.g)
	if !s.dys.project(lxi3, s.q, s.rr, s.g) {
		return gamma, errLRNumerical
	}
	return gamma, nil
}

// gradient turns cx = C·F into ∇ = C·F/g + ε·log F in place and returns
// its largest magnitude (zero entries of F, rows of zero weight, have
// log F = −∞ and are left out: their kernel entry is zero whatever ∇).
func gradient(cx, f, g []float64, eps float64, r int) float64 {
	var top float64
	for i, v := range cx {
		k := i % r
		v /= g[k]
		if eps > 0 && f[i] > 0 {
			v += eps * math.Log(f[i])
		}
		cx[i] = v
		if f[i] > 0 {
			top = math.Max(top, math.Abs(v))
		}
	}
	return top
}

// logKernel writes dst = log f − γ·grad (−∞ where f = 0).
func logKernel(dst, f, grad []float64, gamma float64) {
	forRowBlocks(len(f), len(f)*8, func(_, lo, hi int) {
		// forRowBlocks counts rows; f is split by entries here, which is
		// the same loop with rows of one entry.
		for i := lo; i < hi; i++ {
			dst[i] = math.Log(f[i]) - gamma*grad[i]
		}
	})
}

// criterion is Δ = (KL(new‖old) + KL(old‖new))/γ² over Q, R and g, where
// KL(p‖q) + KL(q‖p) = Σ (p − q)·(log p − log q).
func (s *lrState) criterion(gamma float64) float64 {
	var d float64
	for _, pair := range [][2][]float64{{s.q, s.oq}, {s.rr, s.or}, {s.g, s.og}} {
		d += symKL(pair[0], pair[1])
	}
	return d / (gamma * gamma)
}

// symKL is Σ (p − q)·(log p − log q) in fixed blocks added in order. An
// entry that is zero in one of p, q (an underflowed kernel entry; zero
// weights are zero in both) is left out: its log ratio is infinite while
// the mass it moves is below the smallest float64.
func symKL(p, q []float64) float64 {
	nb := (len(p) + lrBlockRows - 1) / lrBlockRows
	parts := make([]float64, nb)
	forRowBlocks(len(p), 8*len(p), func(b, lo, hi int) {
		var d float64
		for i := lo; i < hi; i++ {
			if p[i] != q[i] && p[i] > 0 && q[i] > 0 {
				d += (p[i] - q[i]) * (math.Log(p[i]) - math.Log(q[i]))
			}
		}
		parts[b] = d
	})
	var d float64
	for _, v := range parts {
		d += v
	}
	return d
}
