package otkit_test

import (
	"fmt"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

// Exact optimal transport on an explicit cost matrix: the plan comes back
// as sparse (i, j, mass) entries with the dual potentials that certify it.
func ExampleEMD() {
	cost := mat.NewDense(3, 2, []float64{
		0, 2,
		1, 1,
		2, 0,
	})
	a := []float64{0.5, 0.25, 0.25}
	b := []float64{0.5, 0.5}
	res, err := otkit.EMD(cost, a, b, otkit.EMDOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v, cost %.2f\n", res.Status, res.Cost)
	for _, e := range res.Plan {
		fmt.Printf("%d → %d: %.2f\n", e.I, e.J, e.Mass)
	}
	// Output:
	// optimal, cost 0.25
	// 0 → 0: 0.50
	// 1 → 1: 0.25
	// 2 → 1: 0.25
}

// Exact transport between two point clouds with the squared Euclidean
// cost (POT's ot.emd2 on ot.dist(x, y)); the dense plan only on request.
func ExampleEMDPoints() {
	x := mat.NewDense(2, 2, []float64{0, 0, 1, 0})
	y := mat.NewDense(2, 2, []float64{1, 1, 0, 1})
	res, err := otkit.EMDPoints(x, y, nil, nil, otkit.EMDOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("W2² = %.2f\n", res.Cost)
	fmt.Println(mat.Formatted(res.Matrix()))
	// Output:
	// W2² = 1.00
	// ⎡  0  0.5⎤
	// ⎣0.5    0⎦
}
