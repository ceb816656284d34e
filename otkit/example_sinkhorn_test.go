package otkit_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// Entropic transport between two small point clouds with explicit epsilon.
func ExampleSinkhorn() {
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1})
	y := mat.NewDense(2, 2, []float64{1, 1, 2, 0})
	geom, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{Threshold: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged: %v after %d iterations\n", res.Converged, res.Iterations)
	fmt.Printf("reg OT cost: %.4f, primal cost: %.4f\n", res.RegOTCost, res.PrimalCost())
	p := res.Matrix()
	for i := 0; i < 3; i++ {
		fmt.Printf("%.4f %.4f\n", p.At(i, 0), p.At(i, 1))
	}
	// Output:
	// converged: true after 80 iterations
	// reg OT cost: 1.7129, primal cost: 1.6667
	// 0.1667 0.1667
	// 0.0000 0.3333
	// 0.3333 0.0000
}

// An unbalanced problem on an explicit cost matrix: tau < 1 relaxes the
// marginals, so the coupling need not match a and b exactly.
func ExampleNewGeometry() {
	c := mat.NewDense(2, 2, []float64{0, 1, 1, 0})
	geom, err := otkit.NewGeometry(c, otkit.GeometryOptions{Epsilon: 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := otkit.Sinkhorn(geom, []float64{0.8, 0.2}, []float64{0.5, 0.5},
		otkit.SinkhornOptions{TauA: 0.5, TauB: 0.5, Threshold: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("row marginal: %.3f\n", res.RowMarginal())
	fmt.Printf("col marginal: %.3f\n", res.ColMarginal())
	fmt.Printf("mass: %.3f, reg OT cost: %.3f\n", res.TransportMass(), res.RegOTCost)
	// Output:
	// row marginal: [0.543 0.215]
	// col marginal: [0.543 0.215]
	// mass: 0.758, reg OT cost: 0.036
}

// Gradients of the regularised cost with respect to the points (envelope
// theorem: no differentiation through the iterations).
func ExampleSinkhornResult_GradX() {
	x := mat.NewDense(2, 1, []float64{0, 1})
	y := mat.NewDense(2, 1, []float64{0.5, 2})
	geom, _ := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.05})
	res, _ := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{Threshold: 1e-10})
	g, err := res.GradX()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f %.4f\n", g.At(0, 0), g.At(1, 0))
	// Output:
	// -0.5000 -0.9996
}

// The barycentric projection of each source point, P·y / P·1, computed with
// Apply on an online geometry: neither the cost matrix nor the coupling is
// ever stored.
func ExampleSinkhornResult_Apply() {
	x := mat.NewDense(3, 1, []float64{0, 1, 2})
	y := mat.NewDense(3, 1, []float64{10, 11, 12})
	geom, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.1, Online: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{Threshold: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	py, err := res.Apply([]float64{10, 11, 12})
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := res.RowMarginal()
	for i := range py {
		fmt.Printf("x=%v → %.2f\n", x.At(i, 0), py[i]/rows[i])
	}
	// Output:
	// x=0 → 10.00
	// x=1 → 11.00
	// x=2 → 12.00
}
