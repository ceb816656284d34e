package otkit

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// exactProjector solves each inner problem exactly with EMD on the squared
// Euclidean cost (POT's ot.emd on ot.dist) and projects with the sparse
// plan: at most k + n_k − 1 entries, so P·Y costs O((k + n_k)·d).
func (p *freeSupportProblem) exactProjector() (innerProjector, error) {
	return func(k int, x *mat.Dense) (*mat.Dense, float64, error, error) {
		r, err := EMDPoints(x, p.ys[k], p.b, p.as[k], EMDOptions{})
		if err != nil {
			return nil, 0, nil, fmt.Errorf("otkit: free-support barycenter: %s", trimPrefix(err))
		}
		rows, _ := x.Dims()
		_, d := p.ys[k].Dims()
		proj := mat.NewDense(rows, d, nil)
		for _, e := range r.Plan {
			for c := 0; c < d; c++ {
				proj.Set(e.I, c, proj.At(e.I, c)+e.Mass*p.ys[k].At(e.J, c)/p.b[e.I])
			}
		}
		return proj, r.Cost, r.Err(), nil
	}, nil
}
