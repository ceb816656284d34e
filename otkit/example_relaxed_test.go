package otkit_test

import (
	"fmt"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

// Two clouds on a line; the second has an outlier at 10. Moving 3/4 of the
// mass leaves the outlier's quarter where it is, which balanced transport
// cannot do.
func ExamplePartialEMD() {
	x := []float64{0, 1, 2}
	y := []float64{0.1, 1.1, 2.1, 10}
	cost := mat.NewDense(3, 4, nil)
	cost.Apply(func(i, j int, _ float64) float64 { return (x[i] - y[j]) * (x[i] - y[j]) }, cost)
	a := []float64{0.25, 0.25, 0.25} // Σa = 3/4
	b := []float64{0.25, 0.25, 0.25, 0.25}
	res, err := otkit.PartialEMD(cost, a, b, otkit.PartialOptions{Mass: 0.75})
	if err != nil {
		panic(err)
	}
	if err := res.Err(); err != nil {
		panic(err)
	}
	for _, e := range res.Plan {
		fmt.Printf("%d → %d: %.2f\n", e.I, e.J, e.Mass)
	}
	fmt.Printf("cost %.4f, mass %.2f\n", res.Cost, res.Mass)
	// Output:
	// 0 → 0: 0.25
	// 1 → 1: 0.25
	// 2 → 2: 0.25
	// cost 0.0075, mass 0.75
}

// A price per unit moved decides how much mass is worth moving: pairs
// cheaper than the price are matched, the rest stays.
func ExamplePartialEMDLagrange() {
	cost := mat.NewDense(2, 2, []float64{
		0.5, 4,
		4, 3,
	})
	for _, price := range []float64{1, 3.5} {
		res, err := otkit.PartialEMDLagrange(cost, []float64{1, 1}, []float64{1, 1}, otkit.PartialLagrangeOptions{Price: price})
		if err != nil {
			panic(err)
		}
		fmt.Printf("price %.1f: moves %.0f at cost %.1f\n", price, res.Mass, res.Cost)
	}
	// Output:
	// price 1.0: moves 1 at cost 0.5
	// price 3.5: moves 2 at cost 3.5
}

// Entropic partial transport in the log domain stays finite at an ε where
// the kernel exp(−C/ε) underflows to 0 (C/ε up to 10⁴ here).
func ExampleEntropicPartial() {
	cost := mat.NewDense(2, 3, []float64{
		0, 1, 10,
		1, 0, 10,
	})
	geom, err := otkit.NewGeometry(cost, otkit.GeometryOptions{Epsilon: 1e-3})
	if err != nil {
		panic(err)
	}
	res, err := otkit.EntropicPartial(geom, []float64{0.5, 0.5}, []float64{0.3, 0.3, 0.4}, otkit.EntropicPartialOptions{Mass: 0.6})
	if err != nil {
		panic(err)
	}
	fmt.Println("converged:", res.Err() == nil)
	fmt.Printf("mass %.3f, cost %.4f\n", res.Mass, res.Cost)
	fmt.Printf("%.3f\n", mat.Formatted(res.Coupling))
	// Output:
	// converged: true
	// mass 0.600, cost 0.0000
	// ⎡0.300  0.000  0.000⎤
	// ⎣0.000  0.300  0.000⎦
}

// Unbalanced transport without entropy: the marginals are only encouraged
// (KL penalty ρ) to match weights of different total masses.
func ExampleUnbalancedMM() {
	cost := mat.NewDense(2, 2, []float64{
		0, 1,
		1, 0,
	})
	res, err := otkit.UnbalancedMM(cost, []float64{1, 1}, []float64{2, 0.5}, otkit.UnbalancedMMOptions{Rho: 1})
	if err != nil {
		panic(err)
	}
	if err := res.Err(); err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", mat.Formatted(res.Coupling))
	fmt.Printf("objective %.4f\n", res.Objective)
	// Output:
	// ⎡1.4142  0.0000⎤
	// ⎣0.0000  0.7071⎦
	// objective 0.2574
}

// The unbalanced barycenter of two bumps of masses 2 and 0.5 on a grid:
// its mass lies between theirs, and it sits nearer the heavier bump.
func ExampleUnbalancedBarycenter() {
	const n = 21
	grid := mat.NewDense(n, 1, nil)
	h1, h2 := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		grid.Set(i, 0, float64(i)/(n-1))
	}
	h1[4], h1[5], h1[6] = 0.5, 1, 0.5
	h2[14], h2[15], h2[16] = 0.125, 0.25, 0.125
	geom, err := otkit.NewPointCloud(grid, nil, otkit.PointCloudOptions{Epsilon: 0.005})
	if err != nil {
		panic(err)
	}
	res, err := otkit.UnbalancedBarycenter(geom, [][]float64{h1, h2}, otkit.UnbalancedBarycenterOptions{Tau: 0.9})
	if err != nil {
		panic(err)
	}
	var mass, mean float64
	for i, q := range res.Histogram {
		mass += q
		mean += q * grid.At(i, 0)
	}
	fmt.Println("converged:", res.Err() == nil)
	fmt.Printf("mass %.2f, mean position %.2f\n", mass, mean/mass)
	// Output:
	// converged: true
	// mass 0.81, mean position 0.36
}

// Semi-relaxed GW partitions a graph: two triangles joined by one edge,
// matched to a two-node graph, send each triangle to its own node (the
// free marginal becomes the cluster sizes).
func ExampleSemiRelaxedGW() {
	// Shortest-path distances of the graph 0-1-2-0, 3-4-5-3, 2-3.
	adj := [][]int{{1, 2}, {0, 2}, {0, 1, 3}, {2, 4, 5}, {3, 5}, {3, 4}}
	c1 := mat.NewDense(6, 6, nil)
	for s := 0; s < 6; s++ {
		dist := []int{-1, -1, -1, -1, -1, -1}
		dist[s] = 0
		queue := []int{s}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, v := range adj[u] {
				if dist[v] < 0 {
					dist[v] = dist[u] + 1
					queue = append(queue, v)
				}
			}
		}
		for t, d := range dist {
			c1.Set(s, t, float64(d))
		}
	}
	// Two nodes at distance 3: within a cluster distances are small.
	c2 := mat.NewDense(2, 2, []float64{0, 3, 3, 0})
	init := mat.NewDense(6, 2, nil)
	for i := 0; i < 6; i++ {
		init.Set(i, 0, (1+float64(i))/42) // a slight tilt breaks the graph's symmetry
		init.Set(i, 1, 1.0/6-(1+float64(i))/42)
	}
	res, err := otkit.SemiRelaxedGW(c1, c2, nil, otkit.SemiRelaxedGWOptions{Init: init})
	if err != nil {
		panic(err)
	}
	fmt.Println("converged:", res.Err() == nil)
	for i := 0; i < 6; i++ {
		cluster := 0
		if res.Coupling.At(i, 1) > res.Coupling.At(i, 0) {
			cluster = 1
		}
		fmt.Print(cluster)
	}
	fmt.Printf("\ncluster masses %.2f %.2f\n", res.Marginal[0], res.Marginal[1])
	// Output:
	// converged: true
	// 111000
	// cluster masses 0.50 0.50
}

// Partial GW matches 3/4 of the mass of a 4-node path with a 3-node path:
// the first three nodes embed isometrically (energy 0) and the fourth is
// left out, where balanced GW must spread it (energy 10.5).
func ExamplePartialGW() {
	path := func(k int) *mat.Dense {
		c := mat.NewDense(k, k, nil)
		c.Apply(func(i, j int, _ float64) float64 { d := float64(i - j); return d * d }, c)
		return c
	}
	p := []float64{0.25, 0.25, 0.25, 0.25}
	q := []float64{0.25, 0.25, 0.25}
	res, err := otkit.PartialGW(path(4), path(3), p, q, otkit.PartialGWOptions{Mass: 0.75})
	if err != nil {
		panic(err)
	}
	fmt.Println("converged:", res.Err() == nil)
	fmt.Printf("energy %.3f\n%.2f\n", res.Cost, mat.Formatted(res.Coupling))
	// Output:
	// converged: true
	// energy 0.000
	// ⎡0.25  0.00  0.00⎤
	// ⎢0.00  0.25  0.00⎥
	// ⎢0.00  0.00  0.25⎥
	// ⎣0.00  0.00  0.00⎦
}

// Entropic semi-relaxed GW gives a soft partition: with ε small against the
// dissimilarities it is nearly the hard one of SemiRelaxedGW.
func ExampleEntropicSemiRelaxedGW() {
	// Two tight pairs far apart, matched to a two-point space.
	c1 := mat.NewDense(4, 4, []float64{
		0, 0.01, 1, 1,
		0.01, 0, 1, 1,
		1, 1, 0, 0.01,
		1, 1, 0.01, 0,
	})
	c2 := mat.NewDense(2, 2, []float64{0, 1, 1, 0})
	init := mat.NewDense(4, 2, []float64{0.15, 0.1, 0.15, 0.1, 0.1, 0.15, 0.1, 0.15})
	res, err := otkit.EntropicSemiRelaxedGW(c1, c2, nil, otkit.SemiRelaxedGWOptions{Epsilon: 0.01, Init: init})
	if err != nil {
		panic(err)
	}
	fmt.Println("converged:", res.Err() == nil)
	fmt.Printf("%.3f\nmarginal %.2f\n", mat.Formatted(res.Coupling), res.Marginal)
	// Output:
	// converged: true
	// ⎡0.250  0.000⎤
	// ⎢0.250  0.000⎥
	// ⎢0.000  0.250⎥
	// ⎣0.000  0.250⎦
	// marginal [0.50 0.50]
}
