package otkit

import (
	"errors"
	"fmt"
	"math"
)

// BarycenterOptions configures Barycenter. The zero value is POT's
// ot.bregman.barycenter: uniform weights, threshold 1e-4 on the spread of the
// inputs' barycenter estimates, at most 10000 iterations.
type BarycenterOptions struct {
	// Weights are the barycentric coordinates λ_k, one per input (nil →
	// uniform). They must be non-negative with a positive sum and are
	// normalised to sum 1 (POT assumes they already do).
	Weights []float64
	// Threshold bounds the stopping statistic of the inputs normalised to
	// mass 1 (POT's assumption, where it is POT's threshold); inputs of any
	// other common mass stop at the same point.
	Threshold     float64 // 0 → 1e-4
	MaxIterations int     // 0 → 10000
	// ReferenceKernel runs the plain reference LSE loops instead of the
	// vectorised kernels (SinkhornOptions.ReferenceKernel).
	ReferenceKernel bool
}

// resolve applies POT's defaults and checks the options for k inputs; op
// names the caller in the errors. The Weights of the result are normalised.
func (o BarycenterOptions) resolve(k int, op string) (BarycenterOptions, error) {
	var err error
	if o.Weights, err = checkBarycenterWeights(o.Weights, k, op); err != nil {
		return o, err
	}
	o.Threshold, o.MaxIterations, err = resolveStopping(o.Threshold, o.MaxIterations, 1e-4, 10000, op)
	return o, err
}

// BarycenterResult is the barycenter histogram with its convergence record.
type BarycenterResult struct {
	Histogram []float64 // the barycenter, one weight per column of the geometry
	// Convergence: Iterations against BarycenterOptions.MaxIterations;
	// Errors holds the stopping statistic each time it was evaluated
	// (every 10 iterations): Σ_j std_k (P_kᵀ1)_j, the spread over the
	// inputs of their couplings' barycenter-side marginals (POT's err).
	// Converged also requires the barycenter to keep the inputs' mass.
	Convergence
	Epsilon float64
	// F, G are the potentials of the K couplings, in Sinkhorn's convention:
	// P_k = exp((F_k,i + G_k,j − C_ij)/eps). F_k,i is −Inf where input k
	// has zero weight (no mass leaves there: Sinkhorn's convention, as
	// SinkhornResult.F at zero weights); every other entry is finite.
	// G_k,j is −Inf where the barycenter is zero (it underflowed) and
	// finite elsewhere. No entry is NaN or +Inf: that is ErrNumerical.
	F, G [][]float64
}

// barycenterCheckPhase is the iteration (mod 10) after which POT's
// log-domain fixed-support barycenter evaluates its error; matching it makes
// our iterates and stopping point the same as POT's.
const barycenterCheckPhase = 1

// Barycenter computes the entropic Wasserstein barycenter
//
//	argmin_b Σ_k λ_k OT_eps(a_k, b)
//
// of the histograms a_k (each of length n, on the rows of geom) on the
// support of the columns of geom (length m; usually the same support, geom
// square), by iterative Bregman projections in the log domain (Benamou et
// al. 2015). eps is the geometry's epsilon and OT_eps uses the Gibbs kernel
// exp(−C/eps), exactly as POT's reg: ot.bregman.barycenter(A, M, reg) is
// Barycenter(NewGeometry(M, GeometryOptions{Epsilon: reg}), columns of A).
//
// Each iteration updates every input's potentials and sets the barycenter to
// the weighted geometric mean of the couplings' column marginals. The error
// is evaluated at iterations 1, 11, 21, ... (0-based), POT's schedule.
//
// Histograms must have the length of the rows, finite non-negative entries
// and all the same positive mass (normalise them first); otherwise an error.
// Converged also requires the barycenter to keep the inputs' mass. When the
// kernel underflows between the supports so that the histogram is not
// finite, the error wraps ErrNumerical.
func Barycenter(geom *Geometry, hists [][]float64, opt BarycenterOptions) (*BarycenterResult, error) {
	if geom == nil {
		return nil, errors.New("otkit: barycenter: nil geometry")
	}
	n, m := geom.Shape()
	if n == 0 || m == 0 || !(geom.eps > 0) {
		return nil, errors.New("otkit: barycenter: geometry is empty or has no epsilon (build it with NewPointCloud or NewGeometry)")
	}
	hs, mass, err := checkHistograms(hists, n, "barycenter")
	if err != nil {
		return nil, err
	}
	o, err := opt.resolve(len(hs), "barycenter")
	if err != nil {
		return nil, err
	}
	kern := float64Kernel(geom, opt.ReferenceKernel)
	return bregmanBarycenter(bregmanProblem{
		eps: geom.eps, n: n, m: m, hists: hs, lambda: o.Weights,
		rowLSE: kern.RowLSE, colLSE: kern.ColLSE,
		threshold: o.Threshold, mass: mass, maxIter: o.MaxIterations, checkPhase: barycenterCheckPhase,
		kind: barycenterLoop,
	})
}

// bregmanProblem is the iteration shared by the dense and the convolutional
// barycenter: only the two log-sum-exp reductions differ.
type bregmanProblem struct {
	eps            float64
	n, m           int
	hists          [][]float64
	lambda         []float64
	rowLSE, colLSE func(out, h []float64, eps float64)
	threshold      float64
	mass           float64 // the inputs' common mass; hists are normalised to 1
	maxIter        int
	checkPhase     int
	kind           *loopKind // names the loop in the result's Err
}

// barycenterLoop names Barycenter's loop in its *ConvergenceError.
var barycenterLoop = &loopKind{op: "barycenter", cap: "BarycenterOptions.MaxIterations",
	statistic: "spread of the couplings' marginals", help: "raise BarycenterOptions.MaxIterations or its Threshold, or raise epsilon"}

// bregmanBarycenter runs the log-domain iterative Bregman projections. In
// potentials (Sinkhorn's convention) iteration t does, for each input k,
//
//	f_k = eps·log a_k − rowLSE(g_k),   L_k = colLSE(f_k),
//
// then log b = Σ_k λ_k L_k / eps and g_k = eps·log b − L_k, so that every
// coupling's column marginal becomes b. Before the g update, at the check
// iterations, the error Σ_j std_k exp((g_k + L_k)_j/eps) is recorded.
func bregmanBarycenter(p bregmanProblem) (*BarycenterResult, error) {
	K := len(p.hists)
	eps := p.eps
	f := make([][]float64, K)
	g := make([][]float64, K)
	L := make([][]float64, K)
	logA := make([][]float64, K)
	for k := range p.hists {
		f[k] = make([]float64, p.n)
		g[k] = make([]float64, p.m)
		L[k] = make([]float64, p.m)
		logA[k] = logs(p.hists[k])
	}
	logBar := make([]float64, p.m)
	marg := make([]float64, K)
	res := &BarycenterResult{Epsilon: eps}
	res.MaxIterations, res.Threshold, res.kind = p.maxIter, p.mass*p.threshold, p.kind
	it := 0
	for ; it < p.maxIter; it++ {
		for j := range logBar {
			logBar[j] = 0
		}
		for k := range p.hists {
			p.rowLSE(f[k], g[k], eps)
			for i, la := range logA[k] {
				f[k][i] = eps*la - f[k][i]
			}
			p.colLSE(L[k], f[k], eps)
			for j, l := range L[k] {
				logBar[j] += p.lambda[k] * l / eps
			}
		}
		if it%10 == p.checkPhase {
			var e float64
			for j := range logBar {
				for k := range marg {
					marg[k] = math.Exp((g[k][j] + L[k][j]) / eps)
				}
				e += stdPop(marg)
			}
			res.Errors = append(res.Errors, e)
			if e < p.threshold {
				break
			}
		}
		for k := range g {
			for j, lb := range logBar {
				g[k][j] = eps*lb - L[k][j]
			}
		}
	}
	res.Iterations = min(it+1, p.maxIter)
	// The statistic compares the couplings' marginals with each other only;
	// where the kernel underflows between the supports (costs far above
	// eps) they can agree on a histogram that is no barycenter. A converged
	// barycenter of inputs of mass 1 also has mass 1, within the spread the
	// threshold allows.
	var barMass float64
	for _, lb := range logBar {
		barMass += math.Exp(lb)
	}
	massOK := math.Abs(barMass-1) <= 2*float64(K)*p.threshold
	// The iteration is scale-equivariant: inputs of mass c give c times
	// the barycenter, c times the statistic, and F shifted by eps·log c.
	// It ran on inputs of mass 1 (no subnormal marginals for tiny masses,
	// no overflow for huge ones); scale back.
	// The stopping rule is read on the statistic of the mass-1 problem, the
	// one the loop compared with the threshold.
	reached := len(res.Errors) > 0 && res.Errors[len(res.Errors)-1] < p.threshold
	res.Histogram = make([]float64, p.m)
	for j, lb := range logBar {
		res.Histogram[j] = p.mass * math.Exp(lb)
	}
	for i := range res.Errors {
		res.Errors[i] *= p.mass
	}
	shift := eps * math.Log(p.mass)
	for k := range f {
		for i := range f[k] {
			f[k][i] += shift
		}
	}
	if !allFinite(res.Histogram) || !allFinite(res.Errors) || !potentialsOK(f, p.hists) || !potentialsOK(g, nil) {
		return nil, numericalError("barycenter: the histogram or the potentials are not finite at eps = %g: the kernel exp(−C/eps) underflows between the inputs' supports (costs far above eps); raise eps or rescale the support", eps)
	}
	res.Converged = reached && massOK
	if reached && !massOK {
		res.cause = fmt.Errorf("otkit: %s: %w: the couplings' marginals agree (spread %.3g below the threshold %.3g) but the barycenter has mass %.6g instead of %.6g: the kernel exp(−C/eps) nearly underflows between the inputs' supports; raise epsilon or rescale the support",
			p.kind.op, ErrNotConverged, res.Errors[len(res.Errors)-1], res.Threshold, barMass*p.mass, p.mass)
	}
	res.F, res.G = f, g
	return res, nil
}

// stdPop is the population standard deviation (numpy's default ddof = 0).
func stdPop(v []float64) float64 {
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (x - mean) * (x - mean)
	}
	return math.Sqrt(s / float64(len(v)))
}

// potentialsOK reports whether no potential is NaN or +Inf and, when
// weights are given, every potential at a positive weight is finite.
func potentialsOK(pots, weights [][]float64) bool {
	for k, pot := range pots {
		for i, v := range pot {
			if math.IsNaN(v) || math.IsInf(v, 1) || (weights != nil && weights[k][i] > 0 && math.IsInf(v, -1)) {
				return false
			}
		}
	}
	return true
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if !isFinite(x) {
			return false
		}
	}
	return true
}

// checkHistograms validates input histograms of length n, which must all
// carry the same positive mass (a balanced barycenter has no solution
// otherwise). It returns copies normalised to mass 1 and the common mass.
func checkHistograms(hists [][]float64, n int, op string) ([][]float64, float64, error) {
	if len(hists) == 0 {
		return nil, 0, fmt.Errorf("otkit: %s: no input histograms", op)
	}
	out := make([][]float64, len(hists))
	var mass0 float64
	for k, h := range hists {
		if len(h) != n {
			return nil, 0, fmt.Errorf("otkit: %s: histogram %d has length %d, the support has %d points (mismatched supports)", op, k, len(h), n)
		}
		c, s, err := checkWeights(h, n, fmt.Sprintf("of histogram %d", k))
		if err != nil {
			return nil, 0, within(op, err)
		}
		if k == 0 {
			mass0 = s
		} else if math.Abs(s-mass0) > massTolerance*math.Max(s, mass0) {
			return nil, 0, fmt.Errorf("otkit: %s: histogram %d has mass %g, histogram 0 has %g; divide each by its sum", op, k, s, mass0)
		}
		for i := range c {
			c[i] /= s
		}
		out[k] = c
	}
	return out, mass0, nil
}

// checkBarycenterWeights returns the barycentric coordinates normalised to
// sum 1 (uniform when nil).
func checkBarycenterWeights(w []float64, k int, op string) ([]float64, error) {
	c, s, err := checkWeights(w, k, "λ (one per input)")
	if err != nil {
		return nil, within(op, err)
	}
	for i := range c {
		c[i] /= s
	}
	return c, nil
}

// resolveStopping applies defaults to a threshold and an iteration cap.
func resolveStopping(thr float64, maxIter int, defThr float64, defMax int, op string) (float64, int, error) {
	if math.IsNaN(thr) || thr < 0 || math.IsInf(thr, 0) {
		return 0, 0, fmt.Errorf("otkit: %s options: Threshold must be positive and finite, have %g", op, thr)
	}
	if maxIter < 0 {
		return 0, 0, fmt.Errorf("otkit: %s options: MaxIterations must not be negative, have %d", op, maxIter)
	}
	if thr == 0 {
		thr = defThr
	}
	if maxIter == 0 {
		maxIter = defMax
	}
	return thr, maxIter, nil
}
