package otkit_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// The entropic barycenter of two bumps on a line sits halfway between them:
// points 0 and 1 meet 7 and 8 at 3.5 and 4.5, half a cell off the grid, so
// their mass splits over cells 3, 4 and 5 (POT's ot.bregman.barycenter with
// the same cost and reg gives the same numbers).
func ExampleBarycenter() {
	const n = 9
	pts := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		pts.Set(i, 0, float64(i)/(n-1))
	}
	geom, err := otkit.NewPointCloud(pts, nil, otkit.PointCloudOptions{Epsilon: 0.002})
	if err != nil {
		fmt.Println(err)
		return
	}
	left := []float64{0.5, 0.5, 0, 0, 0, 0, 0, 0, 0}
	right := []float64{0, 0, 0, 0, 0, 0, 0, 0.5, 0.5}
	res, err := otkit.Barycenter(geom, [][]float64{left, right}, otkit.BarycenterOptions{Threshold: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged: %v after %d iterations\n", res.Converged, res.Iterations)
	fmt.Printf("barycenter: %.3f\n", res.Histogram)
	// Output:
	// converged: true after 42 iterations
	// barycenter: [0.000 0.000 0.000 0.250 0.500 0.250 0.000 0.000 0.000]
}

// Weights move the barycenter of two images: three quarters of the way to
// the second one.
func ExampleConvolutionalBarycenter() {
	a := mat.NewDense(5, 5, nil)
	b := mat.NewDense(5, 5, nil)
	a.Set(2, 0, 1)
	b.Set(2, 4, 1)
	res, err := otkit.ConvolutionalBarycenter([]*mat.Dense{a, b}, otkit.ConvolutionalBarycenterOptions{Epsilon: 0.01, Weights: []float64{0.25, 0.75}, Threshold: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged: %v\n", res.Converged)
	fmt.Printf("middle row: %.3f\n", mat.Row(nil, 2, res.Image))
	// Output:
	// converged: true
	// middle row: [0.000 0.000 0.002 0.992 0.002]
}

// Three small clouds in the unit square; the free-support barycenter of
// three points, with exact inner transport (the zero value, as POT) and
// with entropic inner solves (Epsilon > 0). Exactly, each point is the mean
// of its three counterparts, (0+0.8+0.4)/3 = 0.4 and so on; the entropic
// one is close.
func ExampleFreeSupportBarycenter() {
	clouds := []*mat.Dense{
		mat.NewDense(3, 2, []float64{0, 0, 0.2, 0.04, 0.06, 0.2}),
		mat.NewDense(3, 2, []float64{0.8, 0, 1, 0.02, 0.88, 0.24}),
		mat.NewDense(3, 2, []float64{0.4, 0.8, 0.6, 0.86, 0.44, 1}),
	}
	x0 := mat.NewDense(3, 2, []float64{0, 0, 0.2, 0, 0, 0.2})
	exact, err := otkit.FreeSupportBarycenter(clouds, nil, x0, otkit.FreeSupportBarycenterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("exact: converged %v after %d iterations\n", exact.Converged, exact.Iterations)
	fmt.Printf("%.3f\n", mat.Formatted(exact.X))
	res, err := otkit.FreeSupportBarycenter(clouds, nil, x0, otkit.FreeSupportBarycenterOptions{Epsilon: 0.01})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("entropic: converged %v after %d iterations\n", res.Converged, res.Iterations)
	fmt.Printf("%.3f\n", mat.Formatted(res.X))
	// Output:
	// exact: converged true after 2 iterations
	// ⎡0.400  0.267⎤
	// ⎢0.600  0.307⎥
	// ⎣0.460  0.480⎦
	// entropic: converged true after 3 iterations
	// ⎡0.404  0.269⎤
	// ⎢0.595  0.307⎥
	// ⎣0.461  0.477⎦
}

// Gromov–Wasserstein matches a planar square to a rotated, scaled copy in
// 3-D: distances within each space are all it sees.
func ExampleEntropicGromovWassersteinPoints() {
	// An irregular quadrilateral (a too symmetric shape, where every point
	// has the same mean distance to the others, leaves the start a·bᵀ
	// stationary).
	x := mat.NewDense(4, 2, []float64{0, 0, 0.6, 0, 0.4, 0.2, 0, 0.4})
	// The same shape rotated by 90°, shifted and lifted into 3-D, its points
	// listed in another order.
	y := mat.NewDense(4, 3, []float64{
		0.8, 0.4, 1, // x[2]
		1.0, 0.6, 1, // x[1]
		1.0, 0.0, 1, // x[0]
		0.6, 0.0, 1, // x[3]
	})
	res, err := otkit.EntropicGromovWassersteinPoints(x, y, nil, nil, nil, otkit.GromovOptions{Epsilon: 0.01})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged: %v, GW cost %.4f\n", res.Converged, res.Cost)
	fmt.Printf("coupling:\n%.3f\n", mat.Formatted(res.Coupling))
	// Output:
	// converged: true, GW cost 0.0005
	// coupling:
	// ⎡0.000  0.000  0.244  0.006⎤
	// ⎢0.000  0.250  0.000  0.000⎥
	// ⎢0.250  0.000  0.000  0.000⎥
	// ⎣0.000  0.000  0.006  0.244⎦
}
