package otkit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// Point gradients of a truncated (MultiscaleSinkhorn) result. They are the
// closed forms of gradient.go with P restricted to the kept pattern, so they
// never visit the n·m pairs: for the squared Euclidean cost
//
//	∇_{x_i} R = 2s((P1)_i (x_i − c) − (P(y − c))_i),
//
// c the mean of y (centring keeps the log-domain products well scaled), from
// d + 1 applications of P through the block-sparse kernel; for other costs a
// loop over the kept pairs.

// gradPointsSparse is gradPoints for a result whose kernel is truncated.
func (r *SinkhornResult) gradPointsSparse(bk *lse.BlockSparse, wrtX bool) (*mat.Dense, error) {
	g := r.Geom
	n, m, d := g.n, g.m, g.d
	rows, other, otherK := n, g.y, m
	if !wrtX {
		rows, other, otherK = m, g.x, n
	}
	out := make([]float64, rows*d)
	if g.sqEuclid {
		own := g.x
		mass := r.RowMarginal()
		apply := r.Apply
		if !wrtX {
			own, mass, apply = g.y, r.ColMarginal(), r.ApplyT
		}
		c := make([]float64, d)
		for j := 0; j < otherK; j++ {
			for t := 0; t < d; t++ {
				c[t] += other[j*d+t] / float64(otherK)
			}
		}
		v := make([]float64, otherK)
		for t := 0; t < d; t++ {
			for j := range v {
				v[j] = other[j*d+t] - c[t]
			}
			pv, err := apply(v)
			if err != nil {
				return nil, err
			}
			for i := 0; i < rows; i++ {
				out[i*d+t] = 2 * g.invScale * (mass[i]*(own[i*d+t]-c[t]) - pv[i])
			}
		}
	} else {
		cg, ok := g.costFn.(CostGradient)
		if !ok {
			return nil, fmt.Errorf("otkit: point gradient needs a cost implementing CostGradient, %T does not", g.costFn)
		}
		tmp := make([]float64, d)
		inv := 1 / r.Epsilon
		bk.EachKeptPair(func(i, j int) {
			xi, yj := g.xRow(i), g.yRow(j)
			cost := g.costFn.Cost(xi, yj) * g.invScale
			p := math.Exp((r.F[i] + r.G[j] - cost) * inv)
			if p == 0 {
				return
			}
			o := out[j*d : (j+1)*d]
			if wrtX {
				cg.GradX(tmp, xi, yj)
				o = out[i*d : (i+1)*d]
			} else {
				costGradY(cg, tmp, xi, yj)
			}
			for k := range o {
				o[k] += g.invScale * p * tmp[k]
			}
		})
	}
	for k, v := range out {
		if !isFinite(v) {
			return nil, fmt.Errorf("otkit: point gradient is not finite at row %d (overflow)", k/d)
		}
	}
	return mat.NewDense(rows, d, out), nil
}
