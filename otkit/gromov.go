package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// GromovOptions configures EntropicGromovWasserstein. The zero value is
// POT's ot.gromov.entropic_gromov_wasserstein: epsilon 0.1, square loss,
// stop when the Frobenius change of the coupling over one outer iteration,
// evaluated every 10 iterations, is at most 1e-9; at most 1000 outer
// iterations.
type GromovOptions struct {
	// Epsilon is the regularisation of the inner solves (POT's epsilon:
	// the Gibbs kernel is exp(−∇E/Epsilon)); 0 → 0.1, POT's default. It is
	// on the scale of the dissimilarities squared (∇E is), so set it with
	// the data's scale in mind, or use NormalizeDistances.
	Epsilon       float64
	Threshold     float64 // 0 → 1e-9
	MaxIterations int     // 0 → 1000 outer iterations
	// Sinkhorn configures the inner solves. Its zero value here means
	// Threshold 1e-9 on the L2 column-marginal error and at most 1000
	// iterations (POT's inner sinkhorn); each solve starts from the
	// previous one's potentials (InitF/InitG are set by the solver).
	Sinkhorn SinkhornOptions

	// NormalizeDistances divides each dissimilarity matrix by its largest
	// entry first (as POT's examples do by hand), so that a rescaled copy
	// of a space is isometric to it and eps is on the scale of [0, 1].
	NormalizeDistances bool

	// FeatureCost, when set (n×m), makes the problem fused GW: the objective
	// is (1−Alpha)·⟨M, T⟩ + Alpha·GW(T).
	// Alpha must be in (0, 1]; 0 → 0.5 (POT's default). Alpha = 0 would be
	// plain entropic OT on M: use Sinkhorn for that.
	FeatureCost *mat.Dense
	Alpha       float64
}

// resolve applies POT's defaults and checks the options that do not depend
// on the matrices (FeatureCost's shape is checked by newGromovProblem).
func (o GromovOptions) resolve() (GromovOptions, error) {
	const op = "Gromov-Wasserstein"
	bad := func(format string, args ...any) (GromovOptions, error) {
		return o, fmt.Errorf("otkit: Gromov-Wasserstein: "+format, args...)
	}
	if o.Epsilon == 0 {
		o.Epsilon = 0.1
	}
	if !(o.Epsilon > 0) || math.IsInf(o.Epsilon, 0) {
		return bad("GromovOptions.Epsilon must be positive and finite (0 for POT's 0.1), have %g", o.Epsilon)
	}
	var err error
	if o.Threshold, o.MaxIterations, err = resolveStopping(o.Threshold, o.MaxIterations, 1e-9, 1000, op); err != nil {
		return o, err
	}
	in := &o.Sinkhorn
	if in.Threshold == 0 {
		in.Threshold = 1e-9
	}
	if in.NormError == 0 {
		in.NormError = 2
	}
	if in.MaxIterations == 0 {
		in.MaxIterations = 1000
	}
	if in.TauA != 0 && in.TauA != 1 || in.TauB != 0 && in.TauB != 1 {
		return bad("unbalanced inner solves are not supported (TauA %g, TauB %g)", in.TauA, in.TauB)
	}
	if in.InitF != nil || in.InitG != nil {
		return bad("Sinkhorn.InitF/InitG are set by the solver (warm starts); leave them nil")
	}
	if o.FeatureCost == nil {
		if o.Alpha != 0 {
			return bad("Alpha is set but FeatureCost is nil (Alpha weighs GW against a feature cost)")
		}
		o.Alpha = 1
		return o, nil
	}
	if o.Alpha == 0 {
		o.Alpha = 0.5
	}
	if !(o.Alpha > 0 && o.Alpha <= 1) {
		return bad("Alpha must be in (0, 1], have %g (for Alpha = 0, solve Sinkhorn on FeatureCost)", o.Alpha)
	}
	return o, nil
}

// GromovResult is the coupling found by EntropicGromovWasserstein.
type GromovResult struct {
	Coupling *mat.Dense // T, n×m
	// Cost is the square-loss GW objective of T,
	// Σ_ijkl (C1_ik − C2_jl)² T_ij T_kl, evaluated with T's own marginals
	// (POT's gw_dist uses a and b; they agree when the marginals are met).
	// Fused: (1−Alpha)·⟨M, T⟩ + Alpha·GW(T).
	Cost float64
	// Convergence is the record of the outer loop: Iterations counts outer
	// iterations against GromovOptions.MaxIterations; Errors holds
	// ‖T_t − T_{t−1}‖_F at outer iterations 0, 10, 20, ... Converged
	// requires the outer criterion and the last inner solve to have
	// converged; when the inner solve is the reason, Err names it.
	Convergence
	// InnerIterations is the total number of Sinkhorn iterations.
	InnerIterations int
	Epsilon         float64
	// Linear is the last inner Sinkhorn solve: its geometry's cost is the
	// linearised cost ∇E(T_{t−1}) and its coupling is T.
	Linear *SinkhornResult
}

// EntropicGromovWasserstein matches the metric-measure spaces (c1, a) and
// (c2, b), c1 n×n and c2 m×m symmetric dissimilarity matrices (spaces of any
// dimensions), by minimising the square-loss GW energy
//
//	E(T) = Σ_ijkl (c1_ik − c2_jl)² T_ij T_kl
//
// over couplings of a and b with entropic mirror descent (Peyré, Cuturi and
// Solomon 2016), as POT does: starting from T = a bᵀ, each outer step solves
// the entropic OT problem whose cost is the gradient
//
//	∇E(T) = 2·(c1² a 1ᵀ + 1 (c2² b)ᵀ − 2·c1 T c2)
//
// (constant row and column terms included, as in POT) with regularisation
// opt.Epsilon — POT's epsilon, the Gibbs kernel is exp(−∇E/eps) — by
// otkit's Sinkhorn. a and b: nil → uniform; equal masses.
//
// GW has local minima; the iteration is deterministic from a bᵀ, so it
// finds the same stationary point as POT from the same start. When every
// point of a space has the same weighted mean dissimilarity to the others
// (the corners of a square, a regular polygon, uniform weights) the
// gradient at a bᵀ has no structure and a bᵀ is itself stationary: the
// result is the independent coupling. Break the symmetry with a feature
// cost or with weights.
//
// Converged requires the outer criterion and the last inner Sinkhorn solve
// to have converged. Inner solves slow down sharply when eps is small
// against the range of the linearised cost; NormalizeDistances puts the
// dissimilarities in [0, 1]; there eps = 0.02 matched a 12-point cloud to
// its rotated copy in 1000-iteration inner solves, eps = 0.005 did not.
//
// Non-convergence is reported as for every solver (doc.go): the result with
// a nil error, Converged false and Err naming the loop; a cost or coupling
// that is not finite is an error wrapping ErrNumerical.
func EntropicGromovWasserstein(c1, c2 *mat.Dense, a, b []float64, opt GromovOptions) (*GromovResult, error) {
	p, err := newGromovProblem(c1, c2, a, b, opt)
	if err != nil {
		return nil, err
	}
	return p.solve()
}

// EntropicGromovWassersteinPoints is EntropicGromovWasserstein between two
// point clouds x (n×d1) and y (m×d2), of any dimensions, with the
// dissimilarities cost(x_i, x_k) and cost(y_j, y_l) (nil cost →
// SqEuclidean, like POT's ot.dist and OTT's PointCloud).
func EntropicGromovWassersteinPoints(x, y *mat.Dense, cost Cost, a, b []float64, opt GromovOptions) (*GromovResult, error) {
	c1, err := selfCostMatrix(x, cost, "x")
	if err != nil {
		return nil, err
	}
	c2, err := selfCostMatrix(y, cost, "y")
	if err != nil {
		return nil, err
	}
	return EntropicGromovWasserstein(c1, c2, a, b, opt)
}

func selfCostMatrix(x *mat.Dense, cost Cost, name string) (*mat.Dense, error) {
	g, err := NewPointCloud(x, nil, PointCloudOptions{Cost: cost, Epsilon: 1})
	if err != nil {
		return nil, fmt.Errorf("otkit: Gromov-Wasserstein: %s: %s", name, trimPrefix(err))
	}
	return g.CostMatrix(), nil
}

// gromovProblem holds the checked input of one solve.
type gromovProblem struct {
	c1, c2     *mat.Dense
	a, b       []float64
	eps        float64
	thr        float64
	maxIter    int
	inner      SinkhornOptions
	m          *mat.Dense // feature cost, nil for pure GW
	alpha      float64
	constC     *mat.Dense // c1² a 1ᵀ + 1 (c2² b)ᵀ
	c1sq, c2sq *mat.Dense
}

func newGromovProblem(c1, c2 *mat.Dense, a, b []float64, opt GromovOptions) (*gromovProblem, error) {
	const op = "Gromov-Wasserstein"
	bad := func(format string, args ...any) (*gromovProblem, error) {
		return nil, fmt.Errorf("otkit: Gromov-Wasserstein: "+format, args...)
	}
	if err := checkSymmetric(c1, "c1"); err != nil {
		return nil, err
	}
	if err := checkSymmetric(c2, "c2"); err != nil {
		return nil, err
	}
	n, _ := c1.Dims()
	m, _ := c2.Dims()
	if opt.NormalizeDistances {
		var err error
		if c1, err = normalizeByMax(c1, "c1"); err != nil {
			return nil, err
		}
		if c2, err = normalizeByMax(c2, "c2"); err != nil {
			return nil, err
		}
	}
	o, err := opt.resolve()
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
	if math.Abs(sa-sb) > massTolerance*math.Max(sa, sb) {
		return bad("a and b need equal masses, have %g and %g", sa, sb)
	}
	p := &gromovProblem{c1: c1, c2: c2, a: a, b: b, eps: o.Epsilon, thr: o.Threshold, maxIter: o.MaxIterations, inner: o.Sinkhorn, alpha: o.Alpha}
	if o.FeatureCost != nil {
		fr, fc := o.FeatureCost.Dims()
		if fr != n || fc != m {
			return bad("FeatureCost is %d×%d, want %d×%d", fr, fc, n, m)
		}
		if err := checkFinite(o.FeatureCost, "FeatureCost"); err != nil {
			return nil, err
		}
		p.m = o.FeatureCost
	}
	p.c1sq = squareEntries(c1)
	p.c2sq = squareEntries(c2)
	r := make([]float64, n)
	s := make([]float64, m)
	mulVec(r, p.c1sq, a)
	mulVec(s, p.c2sq, b)
	p.constC = mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			p.constC.Set(i, j, r[i]+s[j])
		}
	}
	if err := p.checkRange(sa); err != nil {
		return nil, err
	}
	return p, nil
}

// solve runs the mirror-descent iterations.
func (p *gromovProblem) solve() (*GromovResult, error) {
	n, _ := p.c1.Dims()
	m, _ := p.c2.Dims()
	t := mat.NewDense(n, m, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			t.Set(i, j, p.a[i]*p.b[j])
		}
	}
	res := &GromovResult{Epsilon: p.eps}
	res.MaxIterations, res.Threshold, res.kind = p.maxIter, p.thr, gromovLoop
	grad := mat.NewDense(n, m, nil)
	var last *SinkhornResult
	it := 0
	for change := math.Inf(1); change > p.thr && it < p.maxIter; it++ {
		p.gradient(grad, t)
		geom, gerr := NewGeometry(grad, GeometryOptions{Epsilon: p.eps})
		if gerr != nil {
			return nil, fmt.Errorf("otkit: Gromov-Wasserstein: linearised cost at iteration %d: %s", it, trimPrefix(gerr))
		}
		opt := p.inner
		if last != nil {
			opt.InitF, opt.InitG = last.F, last.G
		}
		sr, serr := Sinkhorn(geom, p.a, p.b, opt)
		if serr != nil {
			return nil, serr
		}
		res.InnerIterations += sr.Iterations
		last = sr
		next := sr.Matrix()
		if it%10 == 0 {
			var d mat.Dense
			d.Sub(next, t)
			change = mat.Norm(&d, 2)
			res.Errors = append(res.Errors, change)
		}
		t = next
	}
	res.Iterations = it
	res.Coupling = t
	res.Linear = last
	res.Cost = p.objective(t)
	if !isFinite(res.Cost) || !isFinite(mat.Sum(t)) {
		return nil, numericalError("Gromov-Wasserstein: the objective (%g) or the coupling is not finite after %d outer iterations: the squared dissimilarities overflow float64; rescale them (NormalizeDistances)", res.Cost, it)
	}
	outer := len(res.Errors) > 0 && res.Errors[len(res.Errors)-1] <= p.thr
	res.Converged = outer && last.Converged
	if outer && !last.Converged {
		res.cause = within(fmt.Sprintf("Gromov-Wasserstein: outer iteration %d: inner", it-1), last.Err())
	}
	return res, nil
}

// gromovLoop names the outer loop of EntropicGromovWasserstein in its *ConvergenceError.
var gromovLoop = &loopKind{op: "Gromov-Wasserstein", cap: "GromovOptions.MaxIterations", unit: "outer iterations",
	statistic: "coupling change", help: "raise GromovOptions.MaxIterations or its Threshold, or raise Epsilon"}

// gradient writes ∇ of the (fused) objective at t into dst:
// Alpha·2·(constC − 2·c1 t c2) + (1−Alpha)·M.
func (p *gromovProblem) gradient(dst, t *mat.Dense) {
	var ct mat.Dense
	ct.Mul(p.c1, t)
	dst.Mul(&ct, p.c2)
	dst.Scale(-2, dst)
	dst.Add(dst, p.constC)
	dst.Scale(2*p.alpha, dst)
	if p.m != nil && p.alpha < 1 {
		var fm mat.Dense
		fm.Scale(1-p.alpha, p.m)
		dst.Add(dst, &fm)
	}
}

// objective is Alpha·E(t) + (1−Alpha)·⟨M, t⟩ with E written through t's own
// marginals r = t1, s = tᵀ1 (c1, c2 symmetric):
// E = rᵀ c1² r + sᵀ c2² s − 2⟨c1 t c2, t⟩.
func (p *gromovProblem) objective(t *mat.Dense) float64 {
	n, m := t.Dims()
	r := make([]float64, n)
	s := make([]float64, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			r[i] += t.At(i, j)
			s[j] += t.At(i, j)
		}
	}
	var ct, ctc mat.Dense
	ct.Mul(p.c1, t)
	ctc.Mul(&ct, p.c2)
	e := quadForm(p.c1sq, r) + quadForm(p.c2sq, s) - 2*mat.Sum(elemMul(&ctc, t))
	val := p.alpha * e
	if p.m != nil && p.alpha < 1 {
		val += (1 - p.alpha) * mat.Sum(elemMul(p.m, t))
	}
	return val
}
