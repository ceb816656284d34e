package otkit

import (
	"fmt"
	"math"
)

// Cost is a ground cost c(x, y) between two points given as plain slices of
// equal length. Users may implement it; the geometry multiplies it by the
// inverse scale factor and rejects NaN or infinite values.
//
// Geometries validate points before calling a cost. Called directly with
// points of the wrong length, the costs of this package return NaN (and
// their GradX fills dst with NaN) rather than panic.
type Cost interface {
	Cost(x, y []float64) float64
}

// CostGradient is a Cost that also knows its derivative with respect to the
// first argument. GradX and GradY of a SinkhornResult need it (GradY uses
// the symmetry c(x, y) = c(y, x) of the costs here: it calls GradX(dst, y, x);
// a user cost that is not symmetric should implement CostGradientY).
type CostGradient interface {
	Cost
	GradX(dst, x, y []float64) // dst = ∂c/∂x at (x, y); len(dst) = len(x)
}

// CostGradientY is an optional extension of CostGradient for costs that are
// not symmetric in their arguments.
type CostGradientY interface {
	CostGradient
	GradY(dst, x, y []float64) // dst = ∂c/∂y at (x, y)
}

// Normer is an optional extension of Cost giving the "norm" OTT uses for the
// scale_cost rule "max_norm": ‖x‖² for SqEuclidean, ‖μ‖²+tr Σ for Bures.
type Normer interface {
	Norm(x []float64) float64
}

// pointValidator is implemented by costs whose points have structure (Bures),
// so that a bad point is reported with a clear message instead of a NaN cost.
type pointValidator interface {
	validatePoint(p []float64, dim int) error
}

// SqEuclidean is the squared Euclidean cost, the default. It is evaluated in
// OTT's norm form ‖x‖² + ‖y‖² − 2⟨x, y⟩, not as ‖x − y‖²: the two differ by
// rounding, the norm form can be slightly negative, and OTT does not clamp
// it, so neither do we (matching OTT's numbers matters more here).
type SqEuclidean struct{}

// Cost returns ‖x‖² + ‖y‖² − 2⟨x, y⟩.
func (SqEuclidean) Cost(x, y []float64) float64 {
	if len(y) != len(x) {
		return math.NaN()
	}
	var nx, ny, xy float64
	for k, xv := range x {
		yv := y[k]
		nx += xv * xv
		ny += yv * yv
		xy += xv * yv
	}
	return nx + ny - 2*xy
}

// GradX writes 2(x − y); it is exactly 0 at x = y.
func (SqEuclidean) GradX(dst, x, y []float64) {
	if len(y) != len(x) || len(dst) != len(x) {
		fillNaN(dst)
		return
	}
	for k := range x {
		dst[k] = 2 * (x[k] - y[k])
	}
}

// Norm returns ‖x‖².
func (SqEuclidean) Norm(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

// Euclidean is the cost ‖x − y‖₂.
type Euclidean struct{}

// Cost returns ‖x − y‖₂.
func (Euclidean) Cost(x, y []float64) float64 {
	if len(y) != len(x) {
		return math.NaN()
	}
	var s float64
	for k, xv := range x {
		d := xv - y[k]
		s += d * d
	}
	return math.Sqrt(s)
}

// GradX writes (x − y)/‖x − y‖, and 0 at x = y where the cost is not
// differentiable (OTT's custom derivative makes the same choice rather than
// returning NaN).
func (Euclidean) GradX(dst, x, y []float64) {
	if len(y) != len(x) || len(dst) != len(x) {
		fillNaN(dst)
		return
	}
	var s float64
	for k, xv := range x {
		d := xv - y[k]
		s += d * d
	}
	if s == 0 {
		for k := range dst {
			dst[k] = 0
		}
		return
	}
	r := 1 / math.Sqrt(s)
	for k := range x {
		dst[k] = (x[k] - y[k]) * r
	}
}

// Bures is the squared 2-Wasserstein distance between Gaussians, each packed
// as one point [mean (Dim), covariance row-major (Dim²)]:
//
//	‖μx − μy‖² + tr Σx + tr Σy − 2 tr (Σx^{1/2} Σy Σx^{1/2})^{1/2}.
//
// Square roots come from exact symmetric eigendecompositions (OTT runs ten
// Newton–Schulz steps; both agree on well-conditioned covariances, ours stays
// exact on badly conditioned ones). Like OTT the mean part is in norm form.
type Bures struct{ Dim int }

func (c Bures) split(p []float64) (mu, cov []float64) {
	return p[:c.Dim], p[c.Dim : c.Dim+c.Dim*c.Dim]
}

// Cost returns the Bures–Wasserstein W2² between the packed Gaussians x and
// y, or NaN when a covariance is not positive semidefinite or the packing is
// wrong (a geometry reports such points as an error before evaluating).
func (c Bures) Cost(x, y []float64) float64 {
	d := c.Dim
	if d <= 0 || len(x) != d+d*d || len(y) != d+d*d {
		return math.NaN()
	}
	mx, sx := c.split(x)
	my, sy := c.split(y)
	var nx, ny, xy float64
	for k := range mx {
		nx += mx[k] * mx[k]
		ny += my[k] * my[k]
		xy += mx[k] * my[k]
	}
	v, err := buresCov(sx, sy, d)
	if err != nil {
		return math.NaN()
	}
	return nx + ny - 2*xy + v
}

// GradX writes ∂c/∂x: 2(μx − μy) for the mean and the symmetric matrix I − T
// for the covariance, where T is the Monge map with T Σx T = Σy. The
// covariance block is the gradient with respect to a symmetric argument: the
// derivative along a symmetric perturbation E is ⟨I − T, E⟩. It writes NaN
// when Σx is singular (the gradient does not exist there).
func (c Bures) GradX(dst, x, y []float64) {
	d := c.Dim
	if d <= 0 || len(x) != d+d*d || len(y) != d+d*d || len(dst) != d+d*d {
		fillNaN(dst)
		return
	}
	mx, sx := c.split(x)
	my, sy := c.split(y)
	for k := 0; k < d; k++ {
		dst[k] = 2 * (mx[k] - my[k])
	}
	t, _, err := buresTransport(sx, sy, d)
	if err != nil {
		for k := d; k < d+d*d; k++ {
			dst[k] = math.NaN()
		}
		return
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			v := -t[i*d+j]
			if i == j {
				v++
			}
			dst[d+i*d+j] = v
		}
	}
}

// Norm returns ‖μ‖² + tr Σ.
func (c Bures) Norm(x []float64) float64 {
	if c.Dim <= 0 || len(x) != c.Dim+c.Dim*c.Dim {
		return math.NaN()
	}
	mu, cov := c.split(x)
	var s float64
	for _, v := range mu {
		s += v * v
	}
	for i := 0; i < c.Dim; i++ {
		s += cov[i*c.Dim+i]
	}
	return s
}

func (c Bures) validatePoint(p []float64, dim int) error {
	d := c.Dim
	if d <= 0 {
		return fmt.Errorf("Bures.Dim must be positive, have %d", d)
	}
	if dim != d+d*d {
		return fmt.Errorf("Bures{Dim: %d} needs points of length d+d² = %d, have %d", d, d+d*d, dim)
	}
	_, cov := c.split(p)
	scale := 0.0
	for _, v := range cov {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			if math.Abs(cov[i*d+j]-cov[j*d+i]) > 1e-9*scale {
				return fmt.Errorf("covariance is not symmetric: [%d,%d]=%g, [%d,%d]=%g", i, j, cov[i*d+j], j, i, cov[j*d+i])
			}
		}
	}
	tmp := make([]float64, d*d)
	if err := symSqrt(tmp, cov, d); err != nil {
		return fmt.Errorf("covariance: %v", err)
	}
	return nil
}

// costGradY evaluates ∂c/∂y at (x, y), using GradY when the cost provides it
// and the symmetry c(x, y) = c(y, x) otherwise.
func costGradY(c CostGradient, dst, x, y []float64) {
	if cy, ok := c.(CostGradientY); ok {
		cy.GradY(dst, x, y)
		return
	}
	c.GradX(dst, y, x)
}

// fillNaN marks every entry of dst as undefined.
func fillNaN(dst []float64) {
	for k := range dst {
		dst[k] = math.NaN()
	}
}
