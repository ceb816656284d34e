package otkit

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PairFitOptions configures FitPair. The zero value of each field is OTT's
// default where OTT has one.
type PairFitOptions struct {
	// WeightTransport is w_t in J = Q0 + Q1 − w_t·R; must be ≥ 0.
	WeightTransport float64
	// LearningRate of the Adam ascent; 0 means 1e-3.
	LearningRate float64
	// EMSteps is the number of penalised EM iterations (0 runs only the
	// final E-step and evaluates J).
	EMSteps int
	// MSteps is the number of Adam steps per M-step; 0 means 50.
	MSteps int
	// PointWeights0 and PointWeights1 weight the points (nil: all ones).
	PointWeights0, PointWeights1 []float64
	// Report, when set, receives one line per EM iteration in OTT's format
	// "%3d %.3f %.3f transport:%.3f objective:%.3f" (iteration, Q0, Q1, R,
	// J), computed after the E-step and before the M-step.
	Report io.Writer
	// Sinkhorn options for every component solve; TauA and TauB must be 0
	// (the pair's Tau is used). The zero value is OTT's default solver; for
	// Tau < 1 it uses the consistent update, and OTTUnbalancedUpdate gives
	// OTT's (the gradient is then the one OTT computes, which is not the
	// derivative of the reported value, note §4.4).
	Sinkhorn SinkhornOptions
}

// resolve applies OTT's defaults (LearningRate 1e-3, MSteps 50) and checks
// the options against the pair's tau and component counts.
func (o PairFitOptions) resolve(p *MixturePair) (PairFitOptions, error) {
	if err := checkPairTau(o.Sinkhorn, p.Tau); err != nil {
		return o, err
	}
	if !(o.WeightTransport >= 0) || math.IsInf(o.WeightTransport, 0) {
		return o, fmt.Errorf("otkit: FitPair: weight_transport must be finite and ≥ 0, got %v", o.WeightTransport)
	}
	lr := o.LearningRate
	if lr == 0 {
		o.LearningRate = 1e-3
	}
	if !(o.LearningRate > 0) || math.IsInf(o.LearningRate, 0) {
		return o, fmt.Errorf("otkit: FitPair: learning rate must be positive and finite, got %v", lr)
	}
	if o.EMSteps < 0 || o.MSteps < 0 {
		return o, fmt.Errorf("otkit: FitPair: negative step count (EMSteps %d, MSteps %d)", o.EMSteps, o.MSteps)
	}
	if o.MSteps == 0 {
		o.MSteps = 50
	}
	so := o.Sinkhorn
	so.TauA, so.TauB = p.Tau, p.Tau
	if _, err := so.resolve(p.GMM0.K(), p.GMM1.K()); err != nil {
		return o, fmt.Errorf("otkit: FitPair: %v", err)
	}
	return o, nil
}

// PairStep is one report line of FitPair: the values after the E-step of
// iteration Iter, before its M-step.
type PairStep struct {
	Iter                         int
	Q0, Q1, Transport, Objective float64
	// Converged tells whether the Sinkhorn solve behind Transport converged.
	Converged bool
}

// PairFitResult is what FitPair returns.
type PairFitResult struct {
	// Pair holds the fitted mixtures (new values; the input is untouched).
	Pair *MixturePair
	// Objective is J = Q0 + Q1 − w_t·R under the responsibilities of a final
	// E-step: OTT returns it as "loss", but it is the maximised objective.
	Objective float64
	// Q0, Q1 and Transport are the terms of Objective.
	Q0, Q1, Transport float64
	Steps             []PairStep
	// Solves counts the Sinkhorn solves of the fit and Unconverged those
	// that stopped at MaxIterations without reaching the threshold (OTT
	// ignores this; the balanced tutorial run never converges after its
	// first iteration: its printed coupling is a capped state).
	Solves, Unconverged int
	// Convergence: Iterations counts EM iterations against
	// PairFitOptions.EMSteps (which no threshold stops: Errors is nil).
	// Converged reports whether every component Sinkhorn solve converged;
	// when one did not, Err names the first, with its cap, and the count.
	Convergence
}

// FitPair fits the two mixtures of p to the points x0 and x1 (rows are
// points) by penalised EM, as OTT's fit_gmm_pair: each iteration computes
// the responsibilities (E-step), then takes MSteps Adam ascent steps (Adam
// restarted each iteration) on the means, Cholesky parameters and logits of
// both mixtures (of GMM0 only when p.LockGMM1) to increase
//
//	J = Q0 + Q1 − w_t · R,
//
// where Q_j is the expected complete-data log-likelihood per unit weight and
// R the reg_ot_cost of the pair's Sinkhorn between the component weights.
//
// The gradients are closed-form (note §8.3–8.4): Q depends on the data only
// through per-component sufficient statistics gathered in the E-step, and R
// is differentiated by the envelope theorem through the coupling and the
// Bures derivatives. An Adam step therefore costs O(K0·K1·d³) plus the
// small Sinkhorn solve, whatever the number of points; an E-step costs
// O(N·K·d²). Results do not depend on GOMAXPROCS.
//
// A parameter that becomes NaN or a covariance that stops being positive
// definite is an error naming gmm0 or gmm1.
func FitPair(p *MixturePair, x0, x1 *mat.Dense, opt PairFitOptions) (*PairFitResult, error) {
	f, err := newPairFit(p, x0, x1, opt)
	if err != nil {
		return nil, err
	}
	return f.run()
}

// pairFit is the state of one FitPair run.
type pairFit struct {
	p          *MixturePair
	opt        PairFitOptions
	lay0, lay1 paramLayout
	th0, th1   []float64 // packed parameters
	x0, x1     []float64 // flat points
	w0, w1     []float64 // point weights (nil: ones)
	wt0, wt1   float64   // total weights
	m0, m1     *flatMixture
	bures      *buresCost
	gr0, gr1   *mixtureGrad
	g0, g1     []float64 // packed gradients
	st0, st1   *eStepStats
	lr         float64
	mSteps     int
	solves     int
	unconv     int
	it         int   // the EM iteration running (EMSteps for the final E-step)
	firstCap   error // Err of the first component solve that did not converge
}

// pairEval is one evaluation of J and its parts.
type pairEval struct {
	q0, q1, r, j float64
	converged    bool
}

func newPairFit(p *MixturePair, x0, x1 *mat.Dense, opt PairFitOptions) (*pairFit, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	opt, err := opt.resolve(p)
	if err != nil {
		return nil, err
	}
	f := &pairFit{p: p, opt: opt, lr: opt.LearningRate, mSteps: opt.MSteps}
	f.th0, _ = packMixture(p.GMM0)
	f.th1, _ = packMixture(p.GMM1)
	f.lay0 = paramLayout{p.GMM0.K(), p.GMM0.Dim()}
	f.lay1 = paramLayout{p.GMM1.K(), p.GMM1.Dim()}
	d := f.lay0.d
	if f.x0, err = pairFlatPoints(x0, d, "x0"); err != nil {
		return nil, err
	}
	if f.x1, err = pairFlatPoints(x1, d, "x1"); err != nil {
		return nil, err
	}
	if f.w0, f.wt0, err = pairPointWeights(opt.PointWeights0, len(f.x0)/d, "PointWeights0"); err != nil {
		return nil, err
	}
	if f.w1, f.wt1, err = pairPointWeights(opt.PointWeights1, len(f.x1)/d, "PointWeights1"); err != nil {
		return nil, err
	}
	f.m0, f.m1 = newFlatMixture(f.lay0), newFlatMixture(f.lay1)
	f.bures = newBuresCost(f.lay0.k, f.lay1.k, d)
	f.gr0, f.gr1 = newMixtureGrad(f.lay0), newMixtureGrad(f.lay1)
	f.g0, f.g1 = make([]float64, f.lay0.size()), make([]float64, f.lay1.size())
	return f, nil
}

// pairFlatPoints copies the n×d points into a flat row-major slice, checking
// the shape and finiteness.
func pairFlatPoints(x *mat.Dense, d int, name string) ([]float64, error) {
	if x == nil {
		return nil, fmt.Errorf("otkit: FitPair: %s is nil", name)
	}
	n, c := x.Dims()
	if c != d {
		return nil, fmt.Errorf("otkit: FitPair: %s has %d columns, the mixtures have dimension %d", name, c, d)
	}
	if n < 1 {
		return nil, fmt.Errorf("otkit: FitPair: %s has no points", name)
	}
	out := make([]float64, n*d)
	raw := x.RawMatrix()
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("otkit: FitPair: %s[%d,%d] is %v", name, i, j, v)
			}
		}
		copy(out[i*d:], row)
	}
	return out, nil
}

// pairPointWeights checks optional point weights and returns them with their
// total (n for nil).
func pairPointWeights(w []float64, n int, name string) ([]float64, float64, error) {
	if w == nil {
		return nil, float64(n), nil
	}
	if len(w) != n {
		return nil, 0, fmt.Errorf("otkit: FitPair: %s has length %d, want %d (one per point)", name, len(w), n)
	}
	var s float64
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("otkit: FitPair: %s[%d] = %v, want finite and ≥ 0", name, i, v)
		}
		s += v
	}
	if !(s > 0) {
		return nil, 0, fmt.Errorf("otkit: FitPair: %s sum to 0", name)
	}
	return w, s, nil
}

// eStep recomputes the statistics of gmm0 and, unless locked (or first),
// of gmm1, from the current parameters.
func (f *pairFit) eStep(both bool) error {
	if err := f.m0.set(f.th0); err != nil {
		return fmt.Errorf("otkit: FitPair: gmm0: %v", err)
	}
	st, err := pairEStep(f.m0, f.x0, f.w0, f.wt0, false)
	if err != nil {
		return fmt.Errorf("otkit: FitPair: gmm0 E-step: %v", err)
	}
	f.st0 = st
	if !both {
		return nil
	}
	if err := f.m1.set(f.th1); err != nil {
		return fmt.Errorf("otkit: FitPair: gmm1: %v", err)
	}
	if st, err = pairEStep(f.m1, f.x1, f.w1, f.wt1, false); err != nil {
		return fmt.Errorf("otkit: FitPair: gmm1 E-step: %v", err)
	}
	f.st1 = st
	return nil
}

// eval computes J at the current parameters under the current statistics
// and, with grad, its gradient into f.g0 (and f.g1 unless locked).
func (f *pairFit) eval(grad bool) (pairEval, error) {
	var ev pairEval
	if err := f.m0.set(f.th0); err != nil {
		return ev, fmt.Errorf("otkit: FitPair: gmm0: %v", err)
	}
	if err := f.m1.set(f.th1); err != nil {
		return ev, fmt.Errorf("otkit: FitPair: gmm1: %v", err)
	}
	if err := f.bures.compute(f.m0, f.m1, grad); err != nil {
		return ev, fmt.Errorf("otkit: FitPair: %v", err)
	}
	var gr0, gr1 *mixtureGrad
	if grad {
		f.gr0.reset()
		f.gr1.reset()
		gr0 = f.gr0
		if !f.p.LockGMM1 {
			gr1 = f.gr1
		}
	}
	ev.q0 = expectedLogLik(f.m0, f.st0, gr0)
	ev.q1 = expectedLogLik(f.m1, f.st1, gr1)
	for _, q := range []struct {
		name string
		v    float64
	}{{"Q0 (gmm0)", ev.q0}, {"Q1 (gmm1)", ev.q1}} {
		if !isFinite(q.v) {
			return ev, numericalError("FitPair: the expected log-likelihood %s is %g: the points' squared distances to the components overflow float64; rescale the points (and the mixtures) to moderate coordinates", q.name, q.v)
		}
	}
	sol, err := f.solve()
	if err != nil {
		return ev, err
	}
	ev.r, ev.converged = sol.reg, sol.converged
	w := f.opt.WeightTransport
	ev.j = ev.q0 + ev.q1 - w*ev.r
	if !isFinite(ev.j) {
		return ev, numericalError("FitPair: J = Q0 + Q1 − w·R = %g + %g − %g·%g overflows float64; rescale the points or lower WeightTransport", ev.q0, ev.q1, w, ev.r)
	}
	if !grad {
		return ev, nil
	}
	addTransportGrad(gr0, gr1, f.bures, f.m0, f.m1, sol.p, w)
	addWeightGrad(gr0, f.m0.pi, sol.gradA, w)
	chainToParams(f.g0, f.lay0, f.m0, gr0)
	if gr1 != nil {
		addWeightGrad(gr1, f.m1.pi, sol.gradB, w)
		chainToParams(f.g1, f.lay1, f.m1, gr1)
	}
	return ev, nil
}

// componentSolve is what the M-step needs from one component solve.
type componentSolve struct {
	f, g         []float64 // potentials
	p            []float64 // coupling, k0·k1
	reg          float64   // reg_ot_cost
	gradA, gradB []float64 // ∂R/∂a, ∂R/∂b with f, g frozen
	converged    bool
	iterations   int
}

// solve runs the component Sinkhorn on the current cost and weights. The
// balanced default runs in the solver's scaling form (internal/scaling), which is
// what keeps the tutorial's 600 capped solves cheap.
func (f *pairFit) solve() (componentSolve, error) {
	f.solves++
	k0, k1 := f.lay0.k, f.lay1.k
	opt := f.opt.Sinkhorn
	opt.TauA, opt.TauB = f.p.Tau, f.p.Tau
	geom, err := NewGeometry(mat.NewDense(k0, k1, append([]float64(nil), f.bures.cost...)), GeometryOptions{Epsilon: f.p.Epsilon})
	if err != nil {
		return componentSolve{}, fmt.Errorf("otkit: FitPair: component geometry: %v", err)
	}
	r, err := Sinkhorn(geom, append([]float64(nil), f.m0.pi...), append([]float64(nil), f.m1.pi...), opt)
	if err != nil {
		return componentSolve{}, fmt.Errorf("otkit: FitPair: component Sinkhorn: %w", err)
	}
	if !r.Converged {
		f.unconv++
		if f.firstCap == nil {
			f.firstCap = r.Err()
			if f.it == f.opt.EMSteps {
				f.firstCap = within("FitPair: final E-step: component", f.firstCap)
			} else {
				f.firstCap = within(fmt.Sprintf("FitPair: EM iteration %d: component", f.it), f.firstCap)
			}
		}
	}
	pm := r.Matrix()
	s := componentSolve{
		f: r.F, g: r.G, reg: r.RegOTCost, gradA: r.GradA(), gradB: r.GradB(),
		converged: r.Converged, iterations: r.Iterations,
		p: make([]float64, k0*k1),
	}
	for i := 0; i < k0; i++ {
		for j := 0; j < k1; j++ {
			s.p[i*k1+j] = pm.At(i, j)
		}
	}
	return s, nil
}

func (f *pairFit) run() (*PairFitResult, error) {
	locked := f.p.LockGMM1
	if locked {
		// gmm1 does not move: its responsibilities are computed once.
		if err := f.eStep(true); err != nil {
			return nil, err
		}
	}
	n0 := len(f.th0)
	var adam adamState
	adam.lr = f.lr
	theta := make([]float64, 0, len(f.th0)+len(f.th1))
	grad := make([]float64, 0, cap(theta))
	res := &PairFitResult{}
	for it := 0; it < f.opt.EMSteps; it++ {
		f.it = it
		if err := f.eStep(!locked); err != nil {
			return nil, err
		}
		ev, err := f.eval(true)
		if err != nil {
			return nil, err
		}
		res.Steps = append(res.Steps, PairStep{Iter: it, Q0: ev.q0, Q1: ev.q1, Transport: ev.r, Objective: ev.j, Converged: ev.converged})
		if f.opt.Report != nil {
			fmt.Fprintf(f.opt.Report, "%3d %.3f %.3f transport:%.3f objective:%.3f\n", it, ev.q0, ev.q1, ev.r, ev.j)
		}
		// M-step: Adam restarted, ascent on one concatenated vector.
		theta = append(theta[:0], f.th0...)
		if !locked {
			theta = append(theta, f.th1...)
		}
		adam.reset(len(theta))
		for s := 0; s < f.mSteps; s++ {
			if s > 0 {
				if _, err := f.eval(true); err != nil {
					return nil, fmt.Errorf("%v (EM iteration %d, M-step %d)", err, it, s)
				}
			}
			grad = append(grad[:0], f.g0...)
			if !locked {
				grad = append(grad, f.g1...)
			}
			adam.ascend(theta, grad)
			if i := firstNonFinite(theta[:n0]); i >= 0 {
				return nil, fmt.Errorf("otkit: FitPair: NaN in gmm0 (parameter %d) after M-step %d of EM iteration %d", i, s, it)
			}
			if !locked {
				if i := firstNonFinite(theta[n0:]); i >= 0 {
					return nil, fmt.Errorf("otkit: FitPair: NaN in gmm1 (parameter %d) after M-step %d of EM iteration %d", i, s, it)
				}
			}
			copy(f.th0, theta[:n0])
			if !locked {
				copy(f.th1, theta[n0:])
			}
		}
	}
	f.it = f.opt.EMSteps
	if err := f.eStep(!locked); err != nil {
		return nil, err
	}
	ev, err := f.eval(false)
	if err != nil {
		return nil, err
	}
	res.Objective, res.Q0, res.Q1, res.Transport = ev.j, ev.q0, ev.q1, ev.r
	gmm1 := f.p.GMM1.Clone()
	if !locked {
		gmm1 = unpackMixture(f.th1, f.p.GMM1)
	}
	res.Pair = &MixturePair{
		GMM0: unpackMixture(f.th0, f.p.GMM0), GMM1: gmm1,
		Epsilon: f.p.Epsilon, Tau: f.p.Tau, LockGMM1: locked,
	}
	res.Solves, res.Unconverged = f.solves, f.unconv
	res.Convergence = Convergence{Converged: f.unconv == 0, Iterations: f.opt.EMSteps, MaxIterations: f.opt.EMSteps}
	if f.firstCap != nil {
		res.cause = fmt.Errorf("%w (%d of %d component solves stopped at their cap)", f.firstCap, f.unconv, f.solves)
	}
	return res, nil
}

// firstNonFinite returns the index of the first NaN or ±Inf, or −1.
func firstNonFinite(v []float64) int {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i
		}
	}
	return -1
}
