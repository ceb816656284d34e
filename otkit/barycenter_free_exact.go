package otkit

import (
	"errors"

	"gonum.org/v1/gonum/mat"
)

// exactProjector: placeholder until EMD lands on this branch.
func (p *freeSupportProblem) exactProjector() (innerProjector, error) {
	return func(int, *mat.Dense) (*mat.Dense, float64, bool, error) {
		return nil, 0, false, errors.New("otkit: free-support barycenter: exact inner solves need EMD, not on this branch yet; set Epsilon")
	}, nil
}
