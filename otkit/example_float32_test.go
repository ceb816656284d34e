package otkit_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// Float32 evaluates costs and exponentials in float32 vectors (about twice
// the speed per term) while potentials, sums and costs stay float64; the
// result agrees with the float64 solve to float32 accuracy.
func ExampleSinkhornOptions_float32() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(500, 2, nil)
	y := mat.NewDense(400, 2, nil)
	for _, m := range []*mat.Dense{x, y} {
		r, _ := m.Dims()
		for i := 0; i < r; i++ {
			m.Set(i, 0, rng.NormFloat64())
			m.Set(i, 1, rng.NormFloat64())
		}
	}
	geom, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Online: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	r64, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r32, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{Float32: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("float64: %.6f after %d iterations\n", r64.RegOTCost, r64.Iterations)
	fmt.Printf("float32: %.6f after %d iterations\n", r32.RegOTCost, r32.Iterations)
	fmt.Printf("relative difference below 1e-6: %v\n", math.Abs(r32.RegOTCost-r64.RegOTCost) < 1e-6*math.Abs(r64.RegOTCost))
	// Output:
	// float64: 0.678168 after 50 iterations
	// float32: 0.678168 after 50 iterations
	// relative difference below 1e-6: true
}
