package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MixturePair is two Gaussian mixtures coupled by entropic optimal transport
// between their components, as OTT's GaussianMixturePair: the cost between
// component k of GMM0 and component l of GMM1 is the Bures (squared
// 2-Wasserstein) distance between the two Gaussians, and the coupling is the
// Sinkhorn solution between the component weights with regularisation
// Epsilon. Tau = 1 gives the balanced MW2 problem; Tau < 1 relaxes both
// marginals with KL penalties of strength Rho (the unbalanced UW2). With
// LockGMM1, FitPair fits GMM0 only and keeps GMM1 as given.
//
// The mixtures are held by pointer and not copied; FitPair never modifies
// them and returns a new pair.
type MixturePair struct {
	GMM0, GMM1 *GaussianMixture
	Epsilon    float64
	Tau        float64
	LockGMM1   bool
}

// MixturePairOptions configures NewMixturePair. The zero value is OTT's
// GaussianMixturePair default: epsilon 1e-2, tau 1 (balanced), both
// mixtures fitted.
type MixturePairOptions struct {
	// Epsilon is the regularisation of the transport between components,
	// on the scale of the Bures costs (squared distances); 0 → 1e-2.
	Epsilon float64
	// Tau in (0, 1] relaxes both marginals (the unbalanced UW2); 0 → 1.
	Tau float64
	// LockGMM1 keeps GMM1 as given in FitPair.
	LockGMM1 bool
}

// resolve applies OTT's defaults and checks the options.
func (o MixturePairOptions) resolve() (MixturePairOptions, error) {
	if o.Epsilon == 0 {
		o.Epsilon = 1e-2
	}
	if o.Tau == 0 {
		o.Tau = 1
	}
	if !(o.Epsilon > 0) || math.IsInf(o.Epsilon, 0) {
		return o, fmt.Errorf("otkit: mixture pair: MixturePairOptions.Epsilon must be positive and finite (0 for OTT's 1e-2), got %v", o.Epsilon)
	}
	if !(o.Tau > 0 && o.Tau <= 1) {
		return o, fmt.Errorf("otkit: mixture pair: MixturePairOptions.Tau must be in (0,1] (0 for the balanced 1), got %v", o.Tau)
	}
	return o, nil
}

// NewMixturePair checks its arguments and returns the pair, with OTT's
// defaults for the zero fields of opt.
func NewMixturePair(gmm0, gmm1 *GaussianMixture, opt MixturePairOptions) (*MixturePair, error) {
	o, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	p := &MixturePair{GMM0: gmm0, GMM1: gmm1, Epsilon: o.Epsilon, Tau: o.Tau, LockGMM1: o.LockGMM1}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *MixturePair) validate() error {
	if p == nil {
		return fmt.Errorf("otkit: mixture pair is nil")
	}
	if p.GMM0 == nil || p.GMM1 == nil {
		return fmt.Errorf("otkit: mixture pair: gmm0 or gmm1 is nil")
	}
	if err := p.GMM0.Validate(); err != nil {
		return fmt.Errorf("otkit: mixture pair: gmm0: %v", err)
	}
	if err := p.GMM1.Validate(); err != nil {
		return fmt.Errorf("otkit: mixture pair: gmm1: %v", err)
	}
	if _, err := packMixture(p.GMM0); err != nil {
		return fmt.Errorf("otkit: mixture pair: gmm0: %v", err)
	}
	if _, err := packMixture(p.GMM1); err != nil {
		return fmt.Errorf("otkit: mixture pair: gmm1: %v", err)
	}
	if d0, d1 := p.GMM0.Dim(), p.GMM1.Dim(); d0 != d1 {
		return fmt.Errorf("otkit: mixture pair: gmm0 has dimension %d, gmm1 has %d", d0, d1)
	}
	if !(p.Epsilon > 0) || math.IsInf(p.Epsilon, 0) {
		return fmt.Errorf("otkit: mixture pair: epsilon must be positive and finite, got %v", p.Epsilon)
	}
	if !(p.Tau > 0 && p.Tau <= 1) {
		return fmt.Errorf("otkit: mixture pair: tau must be in (0,1], got %v", p.Tau)
	}
	return nil
}

// Rho returns the strength of the unbalanced marginal penalties,
// ρ = ε·τ/(1−τ); it is +Inf for the balanced pair (τ = 1).
func (p *MixturePair) Rho() float64 {
	if p.Tau == 1 {
		return math.Inf(1)
	}
	return p.Epsilon * p.Tau / (1 - p.Tau)
}

// CostMatrix returns the K0×K1 matrix of Bures costs W2²(N0k, N1l) =
// ‖μ0k−μ1l‖² + tr Σ0k + tr Σ1l − 2 tr(Σ0k^{1/2} Σ1l Σ0k^{1/2})^{1/2}, the
// cost OTT builds from a Bures point cloud. Square roots come from exact
// symmetric eigendecompositions (OTT's ten Newton–Schulz steps agree to
// float32 precision on well-conditioned covariances, note §1.2).
func (p *MixturePair) CostMatrix() (*mat.Dense, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	m0, m1, err := flatMixtures(p)
	if err != nil {
		return nil, err
	}
	b := newBuresCost(m0.lay.k, m1.lay.k, m0.lay.d)
	if err := b.compute(m0, m1, false); err != nil {
		return nil, fmt.Errorf("otkit: mixture pair cost: %v", err)
	}
	return mat.NewDense(m0.lay.k, m1.lay.k, b.cost), nil
}

// Sinkhorn solves the entropic transport problem between the component
// weights of GMM0 (a) and GMM1 (b) for the given cost matrix (normally
// CostMatrix), on a cost-matrix Geometry with the pair's Epsilon and
// TauA = TauB = Tau; the other options are passed through, and their zero
// value is OTT's default Sinkhorn (2000 iterations at most, threshold 1e-3).
// As in OTT, a non-converged solve is returned with Converged = false and a
// nil error. For Tau < 1 the default update is the consistent one (note
// §4.4); set opt.OTTUnbalancedUpdate for OTT's numbers.
func (p *MixturePair) Sinkhorn(cost *mat.Dense, opt SinkhornOptions) (*SinkhornResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if cost == nil {
		return nil, fmt.Errorf("otkit: mixture pair Sinkhorn: cost matrix is nil")
	}
	k0, k1 := p.GMM0.K(), p.GMM1.K()
	if r, c := cost.Dims(); r != k0 || c != k1 {
		return nil, fmt.Errorf("otkit: mixture pair Sinkhorn: cost is %d×%d, want %d×%d (gmm0 × gmm1 components)", r, c, k0, k1)
	}
	if err := checkPairTau(opt, p.Tau); err != nil {
		return nil, err
	}
	opt.TauA, opt.TauB = p.Tau, p.Tau
	geom, err := NewGeometry(cost, GeometryOptions{Epsilon: p.Epsilon})
	if err != nil {
		return nil, fmt.Errorf("otkit: mixture pair Sinkhorn: %v", err)
	}
	return Sinkhorn(geom, componentWeights(p.GMM0), componentWeights(p.GMM1), opt)
}

// checkPairTau refuses Sinkhorn options whose TauA/TauB contradict the pair's
// Tau (zero means "the pair's").
func checkPairTau(opt SinkhornOptions, tau float64) error {
	if (opt.TauA != 0 && opt.TauA != tau) || (opt.TauB != 0 && opt.TauB != tau) {
		return fmt.Errorf("otkit: mixture pair: Sinkhorn options set TauA=%v, TauB=%v but the pair's tau is %v (leave them 0)", opt.TauA, opt.TauB, tau)
	}
	return nil
}

// NormalizedCoupling returns the coupling of r divided by its total mass,
// P/ΣP, as OTT's get_normalized_sinkhorn_coupling: for an unbalanced pair it
// shows where mass goes regardless of how much the marginals were
// reweighted. A nil or malformed result, or a plan whose total mass is zero
// or not finite (nothing to normalise by), is an error.
func NormalizedCoupling(r *SinkhornResult) (*mat.Dense, error) {
	if err := r.checkShape("NormalizedCoupling"); err != nil {
		return nil, err
	}
	p := r.Matrix()
	s := mat.Sum(p)
	if !(s > 0) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("otkit: NormalizedCoupling: total mass is %v, cannot normalise", s)
	}
	p.Scale(1/s, p)
	return p, nil
}

// componentWeights returns softmax([Logits, 0]), the component weights.
func componentWeights(m *GaussianMixture) []float64 {
	k := m.K()
	pi, lp := make([]float64, k), make([]float64, k)
	softmaxLogits(pi, lp, m.Logits)
	return pi
}

// packMixture copies a mixture's parameters into the flat layout of paramLayout,
// checking shapes and finiteness.
func packMixture(m *GaussianMixture) ([]float64, error) {
	k := len(m.Loc)
	if k < 1 {
		return nil, fmt.Errorf("no components")
	}
	d := len(m.Loc[0])
	if d < 1 {
		return nil, fmt.Errorf("component 0 has an empty mean")
	}
	lay := paramLayout{k, d}
	if len(m.Scale) != k {
		return nil, fmt.Errorf("%d means but %d scale vectors", k, len(m.Scale))
	}
	if len(m.Logits) != k-1 {
		return nil, fmt.Errorf("%d components need %d logits, have %d", k, k-1, len(m.Logits))
	}
	th := make([]float64, lay.size())
	loc, sc := lay.loc(th), lay.scale(th)
	nt := lay.nTri()
	for c := 0; c < k; c++ {
		if len(m.Loc[c]) != d {
			return nil, fmt.Errorf("component %d mean has length %d, want %d", c, len(m.Loc[c]), d)
		}
		if len(m.Scale[c]) != nt {
			return nil, fmt.Errorf("component %d scale has length %d, want %d", c, len(m.Scale[c]), nt)
		}
		copy(loc[c*d:], m.Loc[c])
		copy(sc[c*nt:], m.Scale[c])
	}
	copy(lay.logits(th), m.Logits)
	for i, v := range th {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("non-finite parameter %v at packed index %d", v, i)
		}
	}
	return th, nil
}

// unpackMixture writes the flat parameters back into a copy of the template
// mixture.
func unpackMixture(th []float64, template *GaussianMixture) *GaussianMixture {
	m := template.Clone()
	lay := paramLayout{len(m.Loc), len(m.Loc[0])}
	loc, sc := lay.loc(th), lay.scale(th)
	d, nt := lay.d, lay.nTri()
	for c := range m.Loc {
		copy(m.Loc[c], loc[c*d:(c+1)*d])
		copy(m.Scale[c], sc[c*nt:(c+1)*nt])
	}
	copy(m.Logits, lay.logits(th))
	return m
}

// flatMixtures derives the flat working form of both mixtures of a validated pair.
func flatMixtures(p *MixturePair) (*flatMixture, *flatMixture, error) {
	th0, _ := packMixture(p.GMM0)
	th1, _ := packMixture(p.GMM1)
	m0 := newFlatMixture(paramLayout{p.GMM0.K(), p.GMM0.Dim()})
	m1 := newFlatMixture(paramLayout{p.GMM1.K(), p.GMM1.Dim()})
	if err := m0.set(th0); err != nil {
		return nil, nil, fmt.Errorf("otkit: gmm0: %v", err)
	}
	if err := m1.set(th1); err != nil {
		return nil, nil, fmt.Errorf("otkit: gmm1: %v", err)
	}
	return m0, m1, nil
}
