package otkit_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

// A coupling of rank 4 between two clouds in dimension 5: the solver never
// forms the n×m cost matrix, only the factors Q (n×4), R (m×4) and g.
func ExampleLowRankSinkhorn() {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := mat.NewDense(500, 5, nil), mat.NewDense(400, 5, nil)
	for i := 0; i < 500; i++ {
		for j := 0; j < 5; j++ {
			x.Set(i, j, rng.Float64())
		}
	}
	for i := 0; i < 400; i++ {
		for j := 0; j < 5; j++ {
			y.Set(i, j, 0.5+0.25*rng.NormFloat64())
		}
	}
	res, err := otkit.LowRankSinkhorn(x, y, nil, nil, otkit.LowRankOptions{Rank: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := res.Err(); err != nil {
		fmt.Println(err)
		return
	}
	q, r := res.Q.Dims()
	fmt.Printf("Q is %d×%d, cost %.3f after %d steps\n", q, r, res.Cost, res.Iterations)
	var mass float64
	for _, g := range res.G {
		mass += g
	}
	fmt.Printf("component masses sum to %.3f\n", mass)
	// Output:
	// Q is 500×4, cost 0.499 after 2 steps
	// component masses sum to 1.000
}
