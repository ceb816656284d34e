package otkit_test

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// A solve float64 cannot hold is an error naming the cause and the fix,
// never a result with NaN: here kernel mode at an eps far below the costs.
// A solve that runs out of iterations is a finite result with a nil error
// and Converged = false; Err turns it into an error naming the cap it
// counts against and what helps. Every iterative result has the same Err.
func ExampleSinkhornResult_Err() {
	x := mat.NewDense(2, 1, []float64{0, 1})
	y := mat.NewDense(2, 1, []float64{3, 4})
	g, _ := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 1e-3})
	_, err := otkit.Sinkhorn(g, nil, nil, otkit.SinkhornOptions{KernelMode: true})
	fmt.Println(errors.Is(err, otkit.ErrNumerical))

	g, _ = otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.5})
	r, err := otkit.Sinkhorn(g, nil, nil, otkit.SinkhornOptions{MaxIterations: 10, Threshold: 1e-15})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Converged, r.Check() == nil, errors.Is(r.Err(), otkit.ErrNotConverged))
	var ce *otkit.ConvergenceError
	if errors.As(r.Err(), &ce) {
		fmt.Println(ce.Iterations, ce.Cap, ce.MaxIterations)
	}
	// Output:
	// true
	// false true true
	// 10 SinkhornOptions.MaxIterations 10
}

// EMD reports a pivot limit the same way: the feasible plan with a nil
// error, and Err naming the cap.
func ExampleEMDResult_Err() {
	x := mat.NewDense(4, 1, []float64{0, 1, 2, 3})
	y := mat.NewDense(4, 1, []float64{3.5, 2.5, 1.5, 0.5})
	r, err := otkit.EMDPoints(x, y, nil, nil, otkit.EMDOptions{MaxIterations: 1})
	if err != nil {
		fmt.Println(err) // bad input or ErrNumerical
		return
	}
	fmt.Println(r.Status, r.Converged)
	fmt.Println(r.Err())
	// Output:
	// iteration limit reached (not optimal) false
	// otkit: EMD did not converge: 1 pivot (cap EMDOptions.MaxIterations = 1); the plan is feasible but not proven optimal; raise EMDOptions.MaxIterations (0 → 1000·(n+m) + 100000)
}
