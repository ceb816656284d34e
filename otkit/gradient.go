package otkit

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// Gradients of RegOTCost in closed form (note §4). RegOTCost is evaluated with
// the potentials frozen (OTT's Danskin rule), so each gradient is a partial
// derivative of R(f, g; C, a, b) at the returned potentials. With the default
// (consistent) update the potentials are a stationary point of R and these
// partials are the derivatives of the solved value; with OTTUnbalancedUpdate
// and tau < 1 they are OTT's gradient, which is not.
//
// The data-dependent default epsilon is a constant for these gradients
// (OTT's stop-gradient); a data-dependent ScaleCostRule is differentiated
// (OTT does not stop its gradient).

// GradX returns ∇ₓ RegOTCost (n×d) for a point-cloud geometry whose cost
// implements CostGradient: s·Σ_j P_ij ∂c(x_i, y_j)/∂x_i, plus the derivative
// through a data-dependent cost scale. x is the first argument only: for a
// geometry built with y = x (Symmetric) the derivative with respect to the
// shared points is GradX + GradY.
func (r *SinkhornResult) GradX() (*mat.Dense, error) { return r.gradPoints(true) }

// GradY returns ∇_y RegOTCost (m×d), the counterpart of GradX.
func (r *SinkhornResult) GradY() (*mat.Dense, error) { return r.gradPoints(false) }

func (r *SinkhornResult) gradPoints(wrtX bool) (*mat.Dense, error) {
	if err := r.checkShape("point gradient"); err != nil {
		return nil, err
	}
	if bk, ok := r.kern.(*lse.BlockSparse); ok && r.Geom.rule == "" {
		return r.gradPointsSparse(bk, wrtX) // multiscale_grad.go
	}
	g := r.Geom
	if g.x == nil {
		return nil, errors.New("otkit: point gradient needs a point-cloud geometry")
	}
	cg, ok := g.costFn.(CostGradient)
	if !ok {
		return nil, fmt.Errorf("otkit: point gradient needs a cost implementing CostGradient, %T does not", g.costFn)
	}
	n, m, d := g.n, g.m, g.d
	rows := m
	if wrtX {
		rows = n
	}
	out := make([]float64, rows*d)
	tmp := make([]float64, d)
	s := g.invScale
	if g.sqEuclid {
		// 2s(P1_i x_i − (P y)_i) and its mirror, in one pass over P.
		r.eachCouplingRow(func(i int, p []float64) {
			xi := g.xRow(i)
			var rowMass float64
			for j, pij := range p {
				if pij == 0 {
					continue
				}
				rowMass += pij
				yj := g.yRow(j)
				if wrtX {
					o := out[i*d : (i+1)*d]
					for k := range o {
						o[k] -= pij * yj[k]
					}
				} else {
					o := out[j*d : (j+1)*d]
					for k := range o {
						o[k] += pij * (yj[k] - xi[k])
					}
				}
			}
			if wrtX {
				o := out[i*d : (i+1)*d]
				for k := range o {
					o[k] += rowMass * xi[k]
				}
			}
		})
		for k := range out {
			out[k] *= 2 * s
		}
	} else {
		r.eachCouplingRow(func(i int, p []float64) {
			xi := g.xRow(i)
			for j, pij := range p {
				if pij == 0 {
					continue
				}
				yj := g.yRow(j)
				var o []float64
				if wrtX {
					cg.GradX(tmp, xi, yj)
					o = out[i*d : (i+1)*d]
				} else {
					costGradY(cg, tmp, xi, yj)
					o = out[j*d : (j+1)*d]
				}
				for k := range o {
					o[k] += s * pij * tmp[k]
				}
			}
		})
	}
	if g.rule != "" {
		if err := r.addScaleGrad(out, wrtX, cg); err != nil {
			return nil, err
		}
	}
	for k, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("otkit: point gradient is not finite at row %d (singular covariance or overflow)", k/d)
		}
	}
	return mat.NewDense(rows, d, out), nil
}

// addScaleGrad adds the derivative through a data-dependent cost scale
// s = 1/σ(points): R depends on s through C = s·c with ∂R/∂C = P, so
// ∂R/∂s = Σ P_ij c_ij = ⟨P, C⟩/s and ∂s = −s²·∂σ.
func (r *SinkhornResult) addScaleGrad(out []float64, wrtX bool, cg CostGradient) error {
	g := r.Geom
	s := g.invScale
	coef := -s * r.PrimalCost() // (⟨P,C⟩/s)·(−s²)
	d := g.d
	tmp := make([]float64, d)
	// addPair adds coef·w·∂c(x_i, y_j) to the requested side.
	addPair := func(i, j int, w float64) {
		var o []float64
		if wrtX {
			cg.GradX(tmp, g.xRow(i), g.yRow(j))
			o = out[i*d : (i+1)*d]
		} else {
			costGradY(cg, tmp, g.xRow(i), g.yRow(j))
			o = out[j*d : (j+1)*d]
		}
		for k := range o {
			o[k] += coef * w * tmp[k]
		}
	}
	switch g.rule {
	case "mean":
		w := 1 / float64(g.n*g.m)
		for i := 0; i < g.n; i++ {
			for j := 0; j < g.m; j++ {
				addPair(i, j, w)
			}
		}
	case "max_cost":
		// σ is the largest entry (the first one in row-major order on ties).
		bi, bj, bv := 0, 0, math.Inf(-1)
		g.eachRow(func(i int, row []float64) {
			for j, v := range row {
				if v > bv {
					bi, bj, bv = i, j, v
				}
			}
		})
		addPair(bi, bj, 1)
	case "median":
		// σ is the middle entry (or the mean of the two middle ones); finding
		// it needs a copy of all n·m costs, even in online mode.
		idx := make([]int, g.n*g.m)
		raw := make([]float64, g.n*g.m)
		buf := make([]float64, g.m)
		for i := 0; i < g.n; i++ {
			copy(raw[i*g.m:], g.costRow(buf, i))
			for j := 0; j < g.m; j++ {
				idx[i*g.m+j] = i*g.m + j
			}
		}
		sort.SliceStable(idx, func(p, q int) bool { return raw[idx[p]] < raw[idx[q]] })
		var picks []int
		switch {
		case len(idx)%2 == 1:
			picks = []int{idx[len(idx)/2]}
		default:
			picks = []int{idx[len(idx)/2-1], idx[len(idx)/2]}
		}
		for _, p := range picks {
			addPair(p/g.m, p%g.m, 1/float64(len(picks)))
		}
	case "max_norm", "max_bound":
		if !g.sqEuclid {
			return fmt.Errorf("otkit: point gradient through ScaleCostRule %q is implemented for SqEuclidean only", g.rule)
		}
		// ∂‖z‖²/∂z = 2z at the point of largest norm.
		argmax := func(pts []float64, k int) (int, float64) {
			best, bv := 0, math.Inf(-1)
			for i := 0; i < k; i++ {
				if v := (SqEuclidean{}).Norm(pts[i*d : (i+1)*d]); v > bv {
					best, bv = i, v
				}
			}
			return best, bv
		}
		ix, mx := argmax(g.x, g.n)
		iy, my := argmax(g.y, g.m)
		var wx, wy float64 // ∂σ/∂M_x, ∂σ/∂M_y
		if g.rule == "max_norm" {
			if mx >= my {
				wx = 1
			} else {
				wy = 1
			}
		} else {
			wx, wy = 1+math.Sqrt(my/mx), 1+math.Sqrt(mx/my)
		}
		if wrtX {
			for k := 0; k < d; k++ {
				out[ix*d+k] += coef * wx * 2 * g.x[ix*d+k]
			}
		} else {
			for k := 0; k < d; k++ {
				out[iy*d+k] += coef * wy * 2 * g.y[iy*d+k]
			}
		}
	}
	return nil
}

// GradA returns ∂RegOTCost/∂a with f frozen (Danskin):
//
//	tau_a = 1: f_i − eps log a_i − eps + eps Σb,
//	tau_a < 1: rho_a − (rho_a + eps) exp(−(f_i − eps log a_i)/rho_a) + eps Σb.
//
// In a balanced problem only directions with Σδa = 0 are meaningful. At a
// zero weight f_i − eps log a_i is undefined (−Inf − −Inf); it is replaced by
// its limit −tau_a·L_i at the fixed point of the consistent update, with
// L_i = eps LSE_j (g_j − C_ij)/eps, so the gradient stays finite — except
// where tau_a < 1 and tau_a·L_i/rho_a > 709: the derivative there is below
// −MaxFloat64 and is returned as −Inf, its correctly rounded value.
func (r *SinkhornResult) GradA() []float64 {
	return r.gradWeights(r.A, r.F, r.G, r.TauA, rho(r.Epsilon, r.TauA), sum(r.B), true)
}

// GradB returns ∂RegOTCost/∂b, the mirror of GradA.
func (r *SinkhornResult) GradB() []float64 {
	return r.gradWeights(r.B, r.G, r.F, r.TauB, rho(r.Epsilon, r.TauB), sum(r.A), false)
}

func (r *SinkhornResult) gradWeights(w, pot, other []float64, tau, rh, otherMass float64, rows bool) []float64 {
	eps := r.Epsilon
	out := make([]float64, len(w))
	var lse []float64
	for k, v := range w {
		var x float64
		if v > 0 {
			x = pot[k] - eps*math.Log(v)
		} else {
			if lse == nil {
				lse = make([]float64, len(w))
				if rows {
					r.kernel().RowLSE(lse, other, eps)
				} else {
					r.kernel().ColLSE(lse, other, eps)
				}
			}
			x = -tau * lse[k]
		}
		if tau == 1 {
			out[k] = x - eps + eps*otherMass
		} else {
			out[k] = rh - (rh+eps)*math.Exp(-x/rh) + eps*otherMass
		}
	}
	return out
}
