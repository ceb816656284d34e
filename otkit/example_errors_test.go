package otkit_test

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// A solve float64 cannot hold is an error naming the cause and the fix,
// never a result with NaN: here kernel mode at an eps far below the costs.
// A solve that runs out of iterations is a finite result with Converged =
// false; Err turns it into an error naming the cap and what helps.
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
		fmt.Println(ce.Iterations, ce.MaxIterations)
	}
	// Output:
	// true
	// false true true
	// 10 10
}
