package otkit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is a multivariate normal distribution held in OTT-JAX's
// parameterisation, so that parameters can be moved freely by gradient steps
// and always describe a valid distribution: the covariance is Σ = L·Lᵀ with
// L lower triangular, and L is stored through unconstrained numbers.
//
// Scale holds the d(d+1)/2 entries of L in row-major lower-triangle order,
// (0,0), (1,0), (1,1), (2,0), (2,1), (2,2), …; a diagonal entry holds
// log L_ii (so L_ii > 0 always) and an off-diagonal entry holds L_ij itself.
// For d = 2: Scale = [log L00, L10, log L11].
type Gaussian struct {
	Loc   []float64 // mean, length d
	Scale []float64 // d(d+1)/2 Cholesky parameters, see the type comment
}

// logTwoPi is log(2π), the per-dimension constant of the normal log density.
var logTwoPi = math.Log(2 * math.Pi)

// trilLen returns d(d+1)/2, the number of Cholesky parameters in dimension d.
func trilLen(d int) int { return d * (d + 1) / 2 }

// NewGaussian returns the Gaussian with the given mean and covariance. The
// covariance must be positive definite; its Cholesky factor becomes the
// Scale parameters. For a non-symmetric matrix (as OTT's tutorial builds
// by rotating a covariance on one side) pass Symmetrize(a), which is what
// JAX's Cholesky does implicitly.
func NewGaussian(mean []float64, cov *mat.SymDense) (Gaussian, error) {
	d := len(mean)
	if d == 0 {
		return Gaussian{}, fmt.Errorf("otkit: NewGaussian: empty mean")
	}
	if cov == nil {
		return Gaussian{}, fmt.Errorf("otkit: NewGaussian: nil covariance")
	}
	if cov.SymmetricDim() != d {
		return Gaussian{}, fmt.Errorf("otkit: NewGaussian: mean has dimension %d but covariance is %d×%d", d, cov.SymmetricDim(), cov.SymmetricDim())
	}
	if !finiteVec(mean) {
		return Gaussian{}, fmt.Errorf("otkit: NewGaussian: mean has a NaN or infinite entry")
	}
	a := symDenseFlat(cov)
	if !finiteVec(a) {
		return Gaussian{}, fmt.Errorf("otkit: NewGaussian: covariance has a NaN or infinite entry")
	}
	l, err := cholLower(a, d)
	if err != nil {
		return Gaussian{}, fmt.Errorf("otkit: NewGaussian: %v", err)
	}
	return Gaussian{Loc: append([]float64(nil), mean...), Scale: scaleFromL(l, d)}, nil
}

// Symmetrize returns (A+Aᵀ)/2 for a square matrix A, the symmetric part that
// JAX's Cholesky factorises when it is handed a non-symmetric matrix. It
// returns an error when A is nil, empty or not square, so that a shape
// mistake is reported here rather than as a nil covariance later.
func Symmetrize(a mat.Matrix) (*mat.SymDense, error) {
	if a == nil {
		return nil, fmt.Errorf("otkit: Symmetrize: nil matrix")
	}
	r, c := a.Dims()
	if r != c {
		return nil, fmt.Errorf("otkit: Symmetrize: matrix is %d×%d, not square", r, c)
	}
	if r == 0 {
		return nil, fmt.Errorf("otkit: Symmetrize: empty matrix")
	}
	s := mat.NewSymDense(r, nil)
	for i := 0; i < r; i++ {
		for j := i; j < r; j++ {
			// Halves first: the sum of two entries near MaxFloat64
			// overflows; elsewhere (normal range) the same bits.
			s.SetSym(i, j, 0.5*a.At(i, j)+0.5*a.At(j, i))
		}
	}
	return s, nil
}

// Dim returns the dimension d of the Gaussian.
func (g Gaussian) Dim() int { return len(g.Loc) }

// check reports whether the parameter shapes agree and are finite.
func (g Gaussian) check() error {
	d := len(g.Loc)
	if d == 0 {
		return fmt.Errorf("otkit: Gaussian: empty mean")
	}
	if len(g.Scale) != trilLen(d) {
		return fmt.Errorf("otkit: Gaussian: dimension %d needs %d scale parameters, have %d", d, trilLen(d), len(g.Scale))
	}
	if !finiteVec(g.Loc) || !finiteVec(g.Scale) {
		return fmt.Errorf("otkit: Gaussian: NaN or infinite parameter")
	}
	return nil
}

// Covariance returns Σ = L·Lᵀ. Gaussian's fields are exported (so that
// gradient steps can move them), hence a value may be malformed; Covariance
// then returns the error of the parameter check (wrong number of scale
// parameters, empty or non-finite parameters) instead of a nil matrix.
func (g Gaussian) Covariance() (*mat.SymDense, error) {
	if err := g.check(); err != nil {
		return nil, fmt.Errorf("otkit: Covariance: %v", err)
	}
	d := g.Dim()
	return flatSymDense(g.covFlat(), d), nil
}

// CholeskyL returns the lower-triangular factor L with Σ = L·Lᵀ, or the
// error of the parameter check when the Gaussian is malformed.
func (g Gaussian) CholeskyL() (*mat.TriDense, error) {
	if err := g.check(); err != nil {
		return nil, fmt.Errorf("otkit: CholeskyL: %v", err)
	}
	d := g.Dim()
	l := scaleToL(g.Scale, d)
	t := mat.NewTriDense(d, mat.Lower, nil)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			t.SetTri(i, j, l[i*d+j])
		}
	}
	return t, nil
}

// LogProb returns the log density at x,
// −½(d·log 2π + log|Σ| + ‖L⁻¹(x−μ)‖²). A point of the wrong length, a
// non-finite point or malformed parameters give an error, never NaN.
func (g Gaussian) LogProb(x []float64) (float64, error) {
	if err := g.check(); err != nil {
		return 0, fmt.Errorf("otkit: LogProb: %v", err)
	}
	d := g.Dim()
	if len(x) != d {
		return 0, fmt.Errorf("otkit: LogProb: point has length %d, Gaussian has dimension %d", len(x), d)
	}
	if !finiteVec(x) {
		return 0, fmt.Errorf("otkit: LogProb: point has a NaN or infinite entry")
	}
	l := scaleToL(g.Scale, d)
	z := make([]float64, d)
	var q, logDet float64
	for i := 0; i < d; i++ {
		s := x[i] - g.Loc[i]
		for j := 0; j < i; j++ {
			s -= l[i*d+j] * z[j]
		}
		z[i] = s / l[i*d+i]
		q += z[i] * z[i]
		logDet += 2 * g.Scale[i*(i+1)/2+i]
	}
	return -0.5 * (float64(d)*logTwoPi + logDet + q), nil
}

// Sample draws n points μ + L·z with z standard normal, one row per point.
// It returns an error when n < 1, rng is nil or the parameters are
// malformed.
func (g Gaussian) Sample(rng *rand.Rand, n int) (*mat.Dense, error) {
	if err := g.check(); err != nil {
		return nil, fmt.Errorf("otkit: Gaussian Sample: %v", err)
	}
	if n < 1 {
		return nil, fmt.Errorf("otkit: Gaussian Sample: need n ≥ 1 points, got %d", n)
	}
	if rng == nil {
		return nil, fmt.Errorf("otkit: Gaussian Sample: nil random source (pass a seeded *rand.Rand)")
	}
	d := g.Dim()
	l := scaleToL(g.Scale, d)
	out := make([]float64, n*d)
	z := make([]float64, d)
	for r := 0; r < n; r++ {
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		row := out[r*d : (r+1)*d]
		for i := 0; i < d; i++ {
			s := g.Loc[i]
			for j := 0; j <= i; j++ {
				s += l[i*d+j] * z[j]
			}
			row[i] = s
		}
	}
	return mat.NewDense(n, d, out), nil
}

// W2 returns the squared 2-Wasserstein distance to o,
// ‖μ0−μ1‖² + tr Σ0 + tr Σ1 − 2 tr(Σ0^{1/2} Σ1 Σ0^{1/2})^{1/2}
// (OTT's w2_dist, which is also squared). Square roots are exact
// eigendecompositions rather than OTT's ten Newton–Schulz steps.
func (g Gaussian) W2(o Gaussian) (float64, error) {
	if err := g.checkPair(o); err != nil {
		return 0, err
	}
	d := g.Dim()
	var dm float64
	for i := 0; i < d; i++ {
		t := g.Loc[i] - o.Loc[i]
		dm += t * t
	}
	bc, err := buresCov(g.covFlat(), o.covFlat(), d)
	if err != nil {
		return 0, fmt.Errorf("otkit: W2: %v", err)
	}
	if w := dm + bc; isFinite(w) {
		return w, nil
	}
	return 0, numericalError("W2: the squared distance overflows float64 (‖Δμ‖² = %g, covariance term %g): rescale the means and covariances", dm, bc)
}

// TransportMatrix returns the symmetric positive definite T of the Monge map
// x ↦ T(x−μ0)+μ1 from g to o, T = Σ0^{-1/2}(Σ0^{1/2}Σ1Σ0^{1/2})^{1/2}Σ0^{-1/2},
// which satisfies T·Σ0·T = Σ1.
func (g Gaussian) TransportMatrix(o Gaussian) (*mat.SymDense, error) {
	t, err := g.transportFlat(o)
	if err != nil {
		return nil, err
	}
	return flatSymDense(t, g.Dim()), nil
}

func (g Gaussian) transportFlat(o Gaussian) ([]float64, error) {
	if err := g.checkPair(o); err != nil {
		return nil, err
	}
	t, _, err := buresTransport(g.covFlat(), o.covFlat(), g.Dim())
	if err != nil {
		return nil, fmt.Errorf("otkit: transport matrix: %v", err)
	}
	return t, nil
}

// Transport maps each row x of x to T(x−μ0)+μ1, the optimal (Monge) map
// pushing g forward to o for the squared Euclidean cost.
func (g Gaussian) Transport(o Gaussian, x *mat.Dense) (*mat.Dense, error) {
	t, err := g.transportFlat(o)
	if err != nil {
		return nil, err
	}
	d := g.Dim()
	if x == nil {
		return nil, fmt.Errorf("otkit: Transport: nil points")
	}
	n, c := x.Dims()
	if c != d {
		return nil, fmt.Errorf("otkit: Transport: points have %d columns, Gaussians have dimension %d", c, d)
	}
	out := mat.NewDense(n, d, nil)
	diff := make([]float64, d)
	for r := 0; r < n; r++ {
		for i := 0; i < d; i++ {
			diff[i] = x.At(r, i) - g.Loc[i]
		}
		for i := 0; i < d; i++ {
			s := o.Loc[i]
			for j := 0; j < d; j++ {
				s += t[i*d+j] * diff[j]
			}
			out.Set(r, i, s)
		}
	}
	if !allFinite(out.RawMatrix().Data) {
		return nil, numericalError("Transport: a mapped point overflows float64: rescale the points, means and covariances")
	}
	return out, nil
}

// FPotential returns the Kantorovich potential of the map from g to o for
// the cost ½‖x−y‖²,
// f(x) = ½‖x‖² − ½(x−μ0)ᵀT(x−μ0) − ⟨x, μ1⟩,
// whose gradient is x − Transport(x).
func (g Gaussian) FPotential(o Gaussian, x []float64) (float64, error) {
	t, err := g.transportFlat(o)
	if err != nil {
		return 0, err
	}
	d := g.Dim()
	if len(x) != d {
		return 0, fmt.Errorf("otkit: FPotential: point has length %d, Gaussians have dimension %d", len(x), d)
	}
	var sq, quad, dot float64
	for i := 0; i < d; i++ {
		sq += x[i] * x[i]
		dot += x[i] * o.Loc[i]
		di := x[i] - g.Loc[i]
		for j := 0; j < d; j++ {
			quad += di * t[i*d+j] * (x[j] - g.Loc[j])
		}
	}
	if f := 0.5*sq - 0.5*quad - dot; isFinite(f) {
		return f, nil
	}
	return 0, numericalError("FPotential: the potential overflows float64 at x (‖x‖² = %g): rescale the points, means and covariances", sq)
}

func (g Gaussian) checkPair(o Gaussian) error {
	if err := g.check(); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	if g.Dim() != o.Dim() {
		return fmt.Errorf("otkit: Gaussians of dimension %d and %d", g.Dim(), o.Dim())
	}
	return nil
}

// covFlat returns Σ as a flat row-major d×d slice.
func (g Gaussian) covFlat() []float64 {
	d := g.Dim()
	return covFromL(scaleToL(g.Scale, d), d)
}

// scaleToL expands Cholesky parameters into a flat row-major lower-triangular
// d×d matrix (diagonal exponentiated).
func scaleToL(p []float64, d int) []float64 {
	l := make([]float64, d*d)
	k := 0
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			if i == j {
				l[i*d+j] = math.Exp(p[k])
			} else {
				l[i*d+j] = p[k]
			}
			k++
		}
	}
	return l
}

// scaleFromL is the inverse of scaleToL; L must have a positive diagonal.
func scaleFromL(l []float64, d int) []float64 {
	p := make([]float64, 0, trilLen(d))
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			if i == j {
				p = append(p, math.Log(l[i*d+j]))
			} else {
				p = append(p, l[i*d+j])
			}
		}
	}
	return p
}

// covFromL returns L·Lᵀ (flat, exactly symmetric).
func covFromL(l []float64, d int) []float64 {
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			var s float64
			for k := 0; k <= j; k++ {
				s += l[i*d+k] * l[j*d+k]
			}
			c[i*d+j] = s
			c[j*d+i] = s
		}
	}
	return c
}

// cholRelTol is the smallest pivot, relative to the matching diagonal entry,
// that cholLower accepts: below it the matrix is singular to working
// precision (for instance a covariance of fewer than d+1 distinct points).
const cholRelTol = 1e-12

// cholLower returns the lower Cholesky factor of the symmetric matrix a (flat,
// only the lower triangle is read). It fails when a is not positive definite
// or is singular to working precision.
func cholLower(a []float64, d int) ([]float64, error) {
	l := make([]float64, d*d)
	for j := 0; j < d; j++ {
		s := a[j*d+j]
		for k := 0; k < j; k++ {
			s -= l[j*d+k] * l[j*d+k]
		}
		if math.IsNaN(s) || s < -cholRelTol*a[j*d+j] {
			return nil, fmt.Errorf("covariance is not positive definite (pivot %d is %g)", j, s)
		}
		if s <= cholRelTol*a[j*d+j] {
			return nil, fmt.Errorf("covariance is singular to working precision (pivot %d is %g, diagonal %g)", j, s, a[j*d+j])
		}
		ljj := math.Sqrt(s)
		l[j*d+j] = ljj
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := 0; k < j; k++ {
				t -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = t / ljj
		}
	}
	return l, nil
}

// triLowerInv returns the inverse of the lower-triangular flat matrix l.
func triLowerInv(l []float64, d int) []float64 {
	inv := make([]float64, d*d)
	triLowerInvTo(inv, l, d)
	return inv
}

// triLowerInvTo writes the inverse of the lower-triangular flat matrix l
// into inv (d², zero above the diagonal on return) by forward substitution.
func triLowerInvTo(inv, l []float64, d int) {
	clear(inv)
	for j := 0; j < d; j++ {
		inv[j*d+j] = 1 / l[j*d+j]
		for i := j + 1; i < d; i++ {
			var s float64
			for k := j; k < i; k++ {
				s += l[i*d+k] * inv[k*d+j]
			}
			inv[i*d+j] = -s / l[i*d+i]
		}
	}
}

func symDenseFlat(s *mat.SymDense) []float64 {
	d := s.SymmetricDim()
	a := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			v := s.At(i, j)
			a[i*d+j] = v
			a[j*d+i] = v
		}
	}
	return a
}

func flatSymDense(a []float64, d int) *mat.SymDense {
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s.SetSym(i, j, a[i*d+j])
		}
	}
	return s
}

func finiteVec(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
