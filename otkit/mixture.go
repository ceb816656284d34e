package otkit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// GaussianMixture is a mixture of K Gaussians in OTT-JAX's parameterisation:
// every component is a Gaussian (mean and Cholesky parameters) and the
// component weights are softmax([Logits, 0]), K−1 free logits measured
// against the last component. All parameters are unconstrained, which is what
// the penalised pair fit's gradient steps need.
//
// Because the fields are exported, a value may be malformed. Validate checks
// it; every method that computes from the parameters (Covariances, Sample,
// LogProb, ConditionalLogProb, LogComponentPosterior, Permute) validates
// first and returns its error. The plain reads K, Dim, Weights, LogWeights,
// Means, Components and Clone do not validate, but they never panic: on a
// nil mixture they return zero values.
type GaussianMixture struct {
	Loc    [][]float64 // K means, each of length d
	Scale  [][]float64 // K Cholesky parameter vectors as in Gaussian
	Logits []float64   // K−1 free logits; weights = softmax([Logits, 0])
}

// weightTol is how far from 1 the weights given to NewGaussianMixture may sum.
const weightTol = 1e-6

// NewGaussianMixture builds a mixture from means, covariances and weights
// (OTT's from_mean_cov_component_weights). Every covariance must be positive
// definite and every weight positive, with the weights summing to 1 within
// 1e-6. Logits are θ_k = log p_k − log p_K, so a weight of exactly zero
// cannot be represented and is rejected.
func NewGaussianMixture(means [][]float64, covs []*mat.SymDense, weights []float64) (*GaussianMixture, error) {
	k := len(means)
	if k == 0 {
		return nil, fmt.Errorf("otkit: NewGaussianMixture: no components")
	}
	if len(covs) != k || len(weights) != k {
		return nil, fmt.Errorf("otkit: NewGaussianMixture: %d means, %d covariances and %d weights", k, len(covs), len(weights))
	}
	d := len(means[0])
	m := &GaussianMixture{Loc: make([][]float64, k), Scale: make([][]float64, k)}
	for c := 0; c < k; c++ {
		if len(means[c]) != d {
			return nil, fmt.Errorf("otkit: NewGaussianMixture: component %d has mean of length %d, component 0 has %d", c, len(means[c]), d)
		}
		g, err := NewGaussian(means[c], covs[c])
		if err != nil {
			return nil, fmt.Errorf("otkit: NewGaussianMixture: component %d: %v", c, err)
		}
		m.Loc[c], m.Scale[c] = g.Loc, g.Scale
	}
	var sum float64
	for c, w := range weights {
		switch {
		case math.IsNaN(w) || math.IsInf(w, 0):
			return nil, fmt.Errorf("otkit: NewGaussianMixture: weight of component %d is %g", c, w)
		case w < 0:
			return nil, fmt.Errorf("otkit: NewGaussianMixture: weight of component %d is negative (%g)", c, w)
		case w == 0:
			return nil, fmt.Errorf("otkit: NewGaussianMixture: weight of component %d is 0; weights are held as log-ratios and must be positive", c)
		}
		sum += w
	}
	if math.Abs(sum-1) > weightTol {
		return nil, fmt.Errorf("otkit: NewGaussianMixture: weights sum to %.10g, not 1", sum)
	}
	m.Logits = logitsFromWeights(weights)
	return m, nil
}

// logitsFromWeights returns θ_k = log p_k − log p_K for k < K (OTT's
// from_probs). The weights must be positive.
func logitsFromWeights(p []float64) []float64 {
	k := len(p)
	last := math.Log(p[k-1])
	th := make([]float64, k-1)
	for i := range th {
		th[i] = math.Log(p[i]) - last
	}
	return th
}

// logWeights returns log softmax([θ, 0]).
func logWeights(logits []float64) []float64 {
	k := len(logits) + 1
	out := make([]float64, k)
	mx := 0.0
	for _, t := range logits {
		mx = math.Max(mx, t)
	}
	var s float64
	for _, t := range logits {
		s += math.Exp(t - mx)
	}
	s += math.Exp(-mx)
	lse := mx + math.Log(s)
	for i, t := range logits {
		out[i] = t - lse
	}
	out[k-1] = -lse
	return out
}

// K returns the number of components.
func (m *GaussianMixture) K() int {
	if m == nil {
		return 0
	}
	return len(m.Loc)
}

// Dim returns the dimension of the points.
func (m *GaussianMixture) Dim() int {
	if m == nil || len(m.Loc) == 0 {
		return 0
	}
	return len(m.Loc[0])
}

// Weights returns the component weights softmax([Logits, 0]).
func (m *GaussianMixture) Weights() []float64 {
	if m == nil {
		return nil
	}
	lw := logWeights(m.Logits)
	for i, v := range lw {
		lw[i] = math.Exp(v)
	}
	return lw
}

// LogWeights returns the log component weights, log softmax([Logits, 0]).
func (m *GaussianMixture) LogWeights() []float64 {
	if m == nil {
		return nil
	}
	return logWeights(m.Logits)
}

// Components returns the K Gaussians (copies; editing them does not change
// the mixture).
func (m *GaussianMixture) Components() []Gaussian {
	if m == nil {
		return nil
	}
	out := make([]Gaussian, m.K())
	for c := range out {
		if c >= len(m.Scale) {
			out[c] = Gaussian{Loc: append([]float64(nil), m.Loc[c]...)}
			continue
		}
		out[c] = Gaussian{
			Loc:   append([]float64(nil), m.Loc[c]...),
			Scale: append([]float64(nil), m.Scale[c]...),
		}
	}
	return out
}

// Means returns copies of the K means.
func (m *GaussianMixture) Means() [][]float64 {
	if m == nil {
		return nil
	}
	out := make([][]float64, m.K())
	for c := range out {
		out[c] = append([]float64(nil), m.Loc[c]...)
	}
	return out
}

// Covariances returns the K covariances L·Lᵀ. The mixture's fields are
// exported, so it is checked first (Validate): a malformed mixture gives
// that error rather than nil entries.
func (m *GaussianMixture) Covariances() ([]*mat.SymDense, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("otkit: Covariances: %v", err)
	}
	out := make([]*mat.SymDense, m.K())
	d := m.Dim()
	for c := range out {
		out[c] = flatSymDense(covFromL(scaleToL(m.Scale[c], d), d), d)
	}
	return out, nil
}

// Clone returns a deep copy.
func (m *GaussianMixture) Clone() *GaussianMixture {
	if m == nil {
		return nil
	}
	out := &GaussianMixture{
		Loc:    make([][]float64, len(m.Loc)),
		Scale:  make([][]float64, len(m.Scale)),
		Logits: append([]float64(nil), m.Logits...),
	}
	for c := range m.Loc {
		out.Loc[c] = append([]float64(nil), m.Loc[c]...)
	}
	for c := range m.Scale {
		out.Scale[c] = append([]float64(nil), m.Scale[c]...)
	}
	return out
}

// Validate checks the shapes (K ≥ 1 components of one dimension d ≥ 1,
// d(d+1)/2 scale parameters each, K−1 logits) and that every parameter is
// finite (OTT's has_nans).
func (m *GaussianMixture) Validate() error {
	if m == nil {
		return fmt.Errorf("otkit: nil mixture")
	}
	k := len(m.Loc)
	if k == 0 {
		return fmt.Errorf("otkit: mixture has no components")
	}
	if len(m.Scale) != k {
		return fmt.Errorf("otkit: mixture has %d means but %d scale vectors", k, len(m.Scale))
	}
	if len(m.Logits) != k-1 {
		return fmt.Errorf("otkit: mixture of %d components needs %d logits, has %d", k, k-1, len(m.Logits))
	}
	d := len(m.Loc[0])
	if d == 0 {
		return fmt.Errorf("otkit: mixture component 0 has an empty mean")
	}
	for c := 0; c < k; c++ {
		if len(m.Loc[c]) != d {
			return fmt.Errorf("otkit: mixture component %d has mean of length %d, component 0 has %d", c, len(m.Loc[c]), d)
		}
		if len(m.Scale[c]) != trilLen(d) {
			return fmt.Errorf("otkit: mixture component %d has %d scale parameters, dimension %d needs %d", c, len(m.Scale[c]), d, trilLen(d))
		}
		if !finiteVec(m.Loc[c]) || !finiteVec(m.Scale[c]) {
			return fmt.Errorf("otkit: mixture component %d has a NaN or infinite parameter", c)
		}
	}
	if !finiteVec(m.Logits) {
		return fmt.Errorf("otkit: mixture has a NaN or infinite logit")
	}
	return nil
}

// Sample draws n points: a component index from the weights, then
// L_k·z + μ_k with z standard normal. It returns the points (n×d) and the
// component index of each.
func (m *GaussianMixture) Sample(rng *rand.Rand, n int) (*mat.Dense, []int, error) {
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	if n < 1 {
		return nil, nil, fmt.Errorf("otkit: Sample: n = %d, want at least 1", n)
	}
	if rng == nil {
		return nil, nil, fmt.Errorf("otkit: Sample: nil random source")
	}
	d, k := m.Dim(), m.K()
	w := m.Weights()
	ls := make([][]float64, k)
	for c := range ls {
		ls[c] = scaleToL(m.Scale[c], d)
	}
	out := make([]float64, n*d)
	labels := make([]int, n)
	z := make([]float64, d)
	for r := 0; r < n; r++ {
		u := rng.Float64()
		c := k - 1
		var acc float64
		for j := 0; j < k-1; j++ {
			acc += w[j]
			if u < acc {
				c = j
				break
			}
		}
		labels[r] = c
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		l, mu := ls[c], m.Loc[c]
		row := out[r*d : (r+1)*d]
		for i := 0; i < d; i++ {
			s := mu[i]
			for j := 0; j <= i; j++ {
				s += l[i*d+j] * z[j]
			}
			row[i] = s
		}
	}
	return mat.NewDense(n, d, out), labels, nil
}

// LogProb returns log p(x_n) = LSE_k(ℓ_nk + log π_k) for each row of x.
func (m *GaussianMixture) LogProb(x *mat.Dense) ([]float64, error) {
	xs, n, err := m.flatPoints(x, "LogProb")
	if err != nil {
		return nil, err
	}
	pr, err := m.prepare(true)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	buf := make([]float64, m.K())
	for r := 0; r < n; r++ {
		pr.logJoint(buf, xs[r*pr.d:(r+1)*pr.d])
		out[r] = logSumExpVec(buf)
	}
	return out, nil
}

// ConditionalLogProb returns the N×K matrix ℓ_nk = log N(x_n; μ_k, Σ_k).
func (m *GaussianMixture) ConditionalLogProb(x *mat.Dense) (*mat.Dense, error) {
	xs, n, err := m.flatPoints(x, "ConditionalLogProb")
	if err != nil {
		return nil, err
	}
	pr, err := m.prepare(false)
	if err != nil {
		return nil, err
	}
	k := m.K()
	out := make([]float64, n*k)
	for r := 0; r < n; r++ {
		pr.logJoint(out[r*k:(r+1)*k], xs[r*pr.d:(r+1)*pr.d])
	}
	return mat.NewDense(n, k, out), nil
}

// LogComponentPosterior returns the N×K matrix of log p(k | x_n) =
// ℓ_nk + log π_k − LSE_j(ℓ_nj + log π_j); its exponential is the E-step
// responsibility matrix.
func (m *GaussianMixture) LogComponentPosterior(x *mat.Dense) (*mat.Dense, error) {
	xs, n, err := m.flatPoints(x, "LogComponentPosterior")
	if err != nil {
		return nil, err
	}
	pr, err := m.prepare(true)
	if err != nil {
		return nil, err
	}
	k := m.K()
	out := make([]float64, n*k)
	for r := 0; r < n; r++ {
		row := out[r*k : (r+1)*k]
		pr.logJoint(row, xs[r*pr.d:(r+1)*pr.d])
		lse := logSumExpVec(row)
		if math.IsInf(lse, -1) {
			return nil, fmt.Errorf("otkit: LogComponentPosterior: point %d has zero density under every component", r)
		}
		for c := range row {
			row[c] -= lse
		}
	}
	return mat.NewDense(n, k, out), nil
}

// flatPoints validates the mixture and x and returns x as a contiguous
// row-major slice.
func (m *GaussianMixture) flatPoints(x *mat.Dense, op string) ([]float64, int, error) {
	if err := m.Validate(); err != nil {
		return nil, 0, err
	}
	xs, n, d, err := densePoints(x, op)
	if err != nil {
		return nil, 0, err
	}
	if d != m.Dim() {
		return nil, 0, fmt.Errorf("otkit: %s: points have %d columns, mixture has dimension %d", op, d, m.Dim())
	}
	return xs, n, nil
}

// densePoints copies x into a contiguous row-major slice, rejecting nil,
// empty and non-finite input.
func densePoints(x *mat.Dense, op string) ([]float64, int, int, error) {
	if x == nil || x.IsEmpty() {
		return nil, 0, 0, fmt.Errorf("otkit: %s: no points", op)
	}
	n, d := x.Dims()
	raw := x.RawMatrix()
	xs := make([]float64, n*d)
	for r := 0; r < n; r++ {
		row := raw.Data[r*raw.Stride : r*raw.Stride+d]
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, 0, fmt.Errorf("otkit: %s: point %d has a non-finite coordinate (%g)", op, r, v)
			}
		}
		copy(xs[r*d:], row)
	}
	return xs, n, d, nil
}

// preparedMixture caches per-component quantities for density evaluation in
// flat form: L_k⁻¹ (row-major lower triangle) and the constant
// log π_k − ½(d log 2π + log|Σ_k|).
type preparedMixture struct {
	d, k int
	mu   []float64 // k×d
	linv []float64 // k×d×d
	cst  []float64 // k
	diff []float64 // scratch, length d (not safe for concurrent use)
}

// prepare builds the cache; withWeights adds log π_k to the constants.
func (m *GaussianMixture) prepare(withWeights bool) (*preparedMixture, error) {
	d, k := m.Dim(), m.K()
	p := &preparedMixture{d: d, k: k, mu: make([]float64, k*d), linv: make([]float64, k*d*d), cst: make([]float64, k), diff: make([]float64, d)}
	var lw []float64
	if withWeights {
		lw = logWeights(m.Logits)
	}
	for c := 0; c < k; c++ {
		copy(p.mu[c*d:], m.Loc[c])
		l := scaleToL(m.Scale[c], d)
		copy(p.linv[c*d*d:], triLowerInv(l, d))
		var logDet float64
		for i := 0; i < d; i++ {
			logDet += 2 * m.Scale[c][i*(i+1)/2+i]
		}
		p.cst[c] = -0.5 * (float64(d)*logTwoPi + logDet)
		if withWeights {
			p.cst[c] += lw[c]
		}
		if math.IsNaN(p.cst[c]) || math.IsInf(p.cst[c], 0) || !finiteVec(p.linv[c*d*d:(c+1)*d*d]) {
			return nil, fmt.Errorf("otkit: mixture component %d has a degenerate covariance", c)
		}
	}
	return p, nil
}

// clone returns a copy with its own scratch space, for another goroutine.
func (p *preparedMixture) clone() *preparedMixture {
	q := *p
	q.diff = make([]float64, p.d)
	return &q
}

// logJoint writes cst_k − ½‖L_k⁻¹(x−μ_k)‖² into out[k] for one point x.
func (p *preparedMixture) logJoint(out, x []float64) {
	d := p.d
	if d == 2 {
		x0, x1 := x[0], x[1]
		for c := 0; c < p.k; c++ {
			a0 := x0 - p.mu[2*c]
			a1 := x1 - p.mu[2*c+1]
			li := p.linv[4*c : 4*c+4]
			z0 := li[0] * a0
			z1 := li[2]*a0 + li[3]*a1
			out[c] = p.cst[c] - 0.5*(z0*z0+z1*z1)
		}
		return
	}
	diff := p.diff
	for c := 0; c < p.k; c++ {
		mu := p.mu[c*d : (c+1)*d]
		for i := range diff {
			diff[i] = x[i] - mu[i]
		}
		li := p.linv[c*d*d : (c+1)*d*d]
		var q float64
		for i := 0; i < d; i++ {
			row := li[i*d : i*d+i+1]
			var z float64
			for j, v := range row {
				z += v * diff[j]
			}
			q += z * z
		}
		out[c] = p.cst[c] - 0.5*q
	}
}

// logSumExpVec returns log Σ exp(v) shifted by the maximum; all −Inf gives −Inf.
func logSumExpVec(v []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		if x > mx {
			mx = x
		}
	}
	if math.IsInf(mx, 0) {
		return mx
	}
	var s float64
	for _, x := range v {
		s += math.Exp(x - mx)
	}
	return mx + math.Log(s)
}
