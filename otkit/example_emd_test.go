package otkit_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
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

// The 1-D exact transport between weighted samples (POT's
// ot.wasserstein_1d), with the gradient with respect to the positions.
func ExampleWasserstein1D() {
	u := []float64{0, 1, 3}
	v := []float64{0.5, 2}
	res, err := otkit.Wasserstein1D(u, v, nil, nil, otkit.Wasserstein1DOptions{P: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("W2² = %.4f, W2 = %.4f\n", res.Cost, res.Distance)
	fmt.Printf("∂W2²/∂u = %.4f\n", res.GradU)
	// Output:
	// W2² = 0.6250, W2 = 0.7906
	// ∂W2²/∂u = [-0.3333 -0.1667 0.6667]
}

// Sliced Wasserstein between two clouds over seeded random directions,
// and the max-sliced distance over the same directions.
func ExampleSlicedWasserstein() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1})
	y := mat.NewDense(4, 2, []float64{2, 0, 3, 0, 2, 1, 3, 1})
	res, err := otkit.SlicedWasserstein(x, y, nil, nil, otkit.SlicedOptions{Projections: 2000, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A translation by (2, 0): each direction θ sees a shift 2·θ₁, so
	// SW2² = 4·E[θ₁²] = 2 and the max-sliced distance approaches 2.
	fmt.Printf("SW2 = %.2f (√2 ≈ 1.41), max-sliced = %.2f\n", res.Distance, res.MaxDistance)
	// Output:
	// SW2 = 1.43 (√2 ≈ 1.41), max-sliced = 2.00
}

// The entropic map fitted by Sinkhorn transports points that were not in
// the problem (OTT's entropic map): for the squared Euclidean cost it is
// the barycentric projection Σ_j p_j(x) y_j.
func ExampleNewEntropicMap() {
	x := mat.NewDense(4, 1, []float64{0, 1, 2, 3})
	y := mat.NewDense(4, 1, []float64{10, 11, 12, 13})
	geom, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{Threshold: 1e-9})
	if err != nil {
		fmt.Println(err)
		return
	}
	em, err := otkit.NewEntropicMap(res)
	if err != nil {
		fmt.Println(err)
		return
	}
	tx, err := em.Transport(mat.NewDense(2, 1, []float64{1, 2.9}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Between samples the map is smoothed at the scale of eps: the exact
	// translation would send 2.9 to 12.9.
	fmt.Printf("T(1) = %.2f, T(2.9) = %.2f\n", tx.At(0, 0), tx.At(1, 0))
	// Output:
	// T(1) = 11.00, T(2.9) = 12.96
}
