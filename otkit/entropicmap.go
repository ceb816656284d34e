package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// GradientInverter is implemented by translation-invariant costs
// c(x, y) = h(x − y) with h strictly convex: InvertGradient writes the z
// with ∇h(z) = w. EntropicMap.Transport needs it for costs other than the
// built-in SqEuclidean (for which z = w/2).
type GradientInverter interface {
	InvertGradient(dst, w []float64)
}

// EntropicMap is the out-of-sample extension of a Sinkhorn solution between
// point clouds (OTT's entropic map, the dual potentials as functions): with
// C = s·c the scaled cost of the geometry and G, F the solved potentials,
//
//	f(x) = −eps·log Σ_j exp((G_j − s·c(x, y_j))/eps),
//	g(y) = −eps·log Σ_i exp((F_i − s·c(x_i, y))/eps),
//
// the soft c-transforms of G and F. The weights p_j(x) = exp((f(x) + G_j −
// s·c(x, y_j))/eps) sum to one; at a sample point x_i they are row i of the
// coupling divided by a_i, and f(x_i) = F_i − eps·log a_i once the problem
// is balanced and converged (the potential of the a⊗b-referenced problem;
// the constant eps·log a_i does not change gradients or maps).
//
// ∇f(x) = s·Σ_j p_j(x) ∂c(x, y_j)/∂x, and the transport map is
// T(x) = x − (∇h)⁻¹(∇f(x)/s) for c(x, y) = h(x − y): for the squared
// Euclidean cost ‖x − y‖² this is x − ∇f(x)/(2s) = Σ_j p_j(x) y_j, the
// barycentric projection of the entropic plan (T(x) = x − ∇f(x) in the
// convention c = ½‖x − y‖²/s). An EntropicMap is safe for concurrent use.
type EntropicMap struct {
	geom *Geometry
	f, g []float64
	eps  float64
}

// NewEntropicMap wraps a Sinkhorn result on a point-cloud geometry. It
// returns an error for a nil or inconsistent result, a cost-matrix
// geometry, or potentials that are not finite on points of positive weight.
// It does not require Converged, but the map is the entropic map only at
// convergence.
func NewEntropicMap(r *SinkhornResult) (*EntropicMap, error) {
	if err := r.checkShape("NewEntropicMap"); err != nil {
		return nil, err
	}
	if r.Geom.x == nil {
		return nil, errors.New("otkit: NewEntropicMap: needs a point-cloud geometry (NewPointCloud), not a cost matrix")
	}
	for _, side := range []struct {
		name string
		pot  []float64
		w    []float64
	}{{"F", r.F, r.A}, {"G", r.G, r.B}} {
		for k, v := range side.pot {
			if side.w[k] > 0 && (math.IsNaN(v) || math.IsInf(v, 0)) {
				return nil, fmt.Errorf("otkit: NewEntropicMap: potential %s is not finite (%g) at %d", side.name, v, k)
			}
		}
	}
	return &EntropicMap{geom: r.Geom, f: r.F, g: r.G, eps: r.Epsilon}, nil
}

// F returns f at each row of x (k×d).
func (e *EntropicMap) F(x *mat.Dense) ([]float64, error) {
	vals, _, err := e.eval(x, true, false)
	return vals, err
}

// G returns g at each row of y (k×d).
func (e *EntropicMap) G(y *mat.Dense) ([]float64, error) {
	vals, _, err := e.eval(y, false, false)
	return vals, err
}

// GradF returns ∇f at each row of x (k×d); the cost must implement
// CostGradient.
func (e *EntropicMap) GradF(x *mat.Dense) (*mat.Dense, error) {
	_, grad, err := e.eval(x, true, true)
	return grad, err
}

// GradG returns ∇g at each row of y (k×d); the cost must implement
// CostGradient.
func (e *EntropicMap) GradG(y *mat.Dense) (*mat.Dense, error) {
	_, grad, err := e.eval(y, false, true)
	return grad, err
}

// Transport maps each row of x (k×d) by T(x) = x − (∇h)⁻¹(∇f(x)/s): the
// barycentric projection Σ_j p_j(x) y_j for SqEuclidean; other costs must
// implement CostGradient and GradientInverter.
func (e *EntropicMap) Transport(x *mat.Dense) (*mat.Dense, error) {
	return e.transport(x, true)
}

// InverseTransport maps each row of y (k×d) back by y − (∇h)⁻¹(∇g(y)/s),
// Σ_i q_i(y) x_i for SqEuclidean.
func (e *EntropicMap) InverseTransport(y *mat.Dense) (*mat.Dense, error) {
	return e.transport(y, false)
}

func (e *EntropicMap) transport(pts *mat.Dense, forward bool) (*mat.Dense, error) {
	g := e.geom
	inv, isInv := g.costFn.(GradientInverter)
	if !g.sqEuclid && !isInv {
		return nil, fmt.Errorf("otkit: entropic map: Transport needs SqEuclidean or a cost implementing GradientInverter, %T does not", g.costFn)
	}
	_, grad, err := e.eval(pts, forward, true)
	if err != nil {
		return nil, err
	}
	k, d := grad.Dims()
	out := mat.NewDense(k, d, nil)
	w := make([]float64, d)
	z := make([]float64, d)
	for r := 0; r < k; r++ {
		gr := grad.RawRowView(r)
		// ∇f = s·Σ_j p_j ∂c/∂x, and s is the geometry's invScale.
		for c := range w {
			w[c] = gr[c] / g.invScale
		}
		if g.sqEuclid {
			for c := range z {
				z[c] = w[c] / 2
			}
		} else {
			inv.InvertGradient(z, w)
		}
		o := out.RawRowView(r)
		for c := range o {
			o[c] = pts.At(r, c) - z[c]
		}
	}
	return out, nil
}

// eval computes the soft c-transform (and its gradient) at each row of pts:
// of G against the y cloud when forward, of F against the x cloud otherwise.
func (e *EntropicMap) eval(pts *mat.Dense, forward, wantGrad bool) ([]float64, *mat.Dense, error) {
	g := e.geom
	p, k, d, err := flatPoints(pts, "entropic map input")
	if err != nil {
		return nil, nil, err
	}
	if d != g.d {
		return nil, nil, fmt.Errorf("otkit: entropic map: points have %d columns, the geometry has %d", d, g.d)
	}
	var cg CostGradient
	if wantGrad {
		var ok bool
		if cg, ok = g.costFn.(CostGradient); !ok {
			return nil, nil, fmt.Errorf("otkit: entropic map: the gradient needs a cost implementing CostGradient, %T does not", g.costFn)
		}
	}
	other, pot, cnt := g.y, e.g, g.m
	if !forward {
		other, pot, cnt = g.x, e.f, g.n
	}
	vals := make([]float64, k)
	var grad []float64
	if wantGrad {
		grad = make([]float64, k*d)
	}
	z := make([]float64, cnt)
	tmp := make([]float64, d)
	s := g.invScale
	for r := 0; r < k; r++ {
		pt := p[r*d : (r+1)*d]
		zmax := math.Inf(-1)
		for j := 0; j < cnt; j++ {
			if math.IsInf(pot[j], -1) {
				z[j] = math.Inf(-1) // zero weight: no mass
				continue
			}
			oj := other[j*d : (j+1)*d]
			var c float64
			if forward {
				c = g.costFn.Cost(pt, oj)
			} else {
				c = g.costFn.Cost(oj, pt)
			}
			z[j] = (pot[j] - s*c) / e.eps
			zmax = math.Max(zmax, z[j])
		}
		var total float64
		for j := range z {
			z[j] = math.Exp(z[j] - zmax)
			total += z[j]
		}
		vals[r] = -e.eps * (zmax + math.Log(total))
		if !isFinite(vals[r]) {
			return nil, nil, fmt.Errorf("otkit: entropic map: potential is not finite at row %d (cost overflow?)", r)
		}
		if !wantGrad {
			continue
		}
		gr := grad[r*d : (r+1)*d]
		for j, w := range z {
			if w == 0 {
				continue
			}
			oj := other[j*d : (j+1)*d]
			if forward {
				cg.GradX(tmp, pt, oj)
			} else {
				costGradY(cg, tmp, oj, pt)
			}
			for c := range gr {
				gr[c] += w / total * s * tmp[c]
			}
		}
		for _, v := range gr {
			if !isFinite(v) {
				return nil, nil, fmt.Errorf("otkit: entropic map: gradient is not finite at row %d", r)
			}
		}
	}
	var gm *mat.Dense
	if wantGrad {
		gm = mat.NewDense(k, d, grad)
	}
	return vals, gm, nil
}
