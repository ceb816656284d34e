package tutorial

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Spread is the root-mean-square distance of the points (rows) to their mean.
func Spread(p *mat.Dense) float64 {
	n, d := p.Dims()
	s := 0.0
	for j := 0; j < d; j++ {
		col := mat.Col(nil, j, p)
		m := 0.0
		for _, v := range col {
			m += v
		}
		m /= float64(n)
		for _, v := range col {
			s += (v - m) * (v - m)
		}
	}
	return math.Sqrt(s / float64(n))
}

// TotalVariance is the mean squared distance of the points to their mean.
func TotalVariance(p *mat.Dense) float64 { s := Spread(p); return s * s }

// MeanGap is the distance between the means of two clouds of the same dimension.
func MeanGap(p, q *mat.Dense) float64 {
	np, d := p.Dims()
	nq, _ := q.Dims()
	s := 0.0
	for j := 0; j < d; j++ {
		g := mat.Sum(p.ColView(j))/float64(np) - mat.Sum(q.ColView(j))/float64(nq)
		s += g * g
	}
	return math.Sqrt(s)
}
