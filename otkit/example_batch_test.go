package otkit_test

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

// Minibatch OT: many small exact problems in one call. Each result is the
// one EMDPoints would give for that problem alone.
func ExampleEMDBatch() {
	rng := rand.New(rand.NewPCG(1, 2))
	cloud := func(n int, shift float64) *mat.Dense {
		x := mat.NewDense(n, 2, nil)
		for i := 0; i < n; i++ {
			x.Set(i, 0, rng.NormFloat64()+shift)
			x.Set(i, 1, rng.NormFloat64())
		}
		return x
	}
	problems := make([]otkit.Problem, 4)
	for k := range problems {
		problems[k] = otkit.Problem{X: cloud(32, 0), Y: cloud(32, float64(k))}
	}
	res, err := otkit.EMDBatch(problems, otkit.EMDBatchOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, r := range res.Results {
		fmt.Printf("problem %d: cost %.2f, %d plan entries\n", k, r.Cost, len(r.Plan))
	}
	// Output:
	// problem 0: cost 0.67, 32 plan entries
	// problem 1: cost 1.51, 32 plan entries
	// problem 2: cost 4.82, 32 plan entries
	// problem 3: cost 9.90, 32 plan entries
}

// A bad problem fails alone: the others are solved, and the error lists
// the failed ones.
func ExampleSinkhornBatch() {
	problems := []otkit.Problem{
		{Cost: mat.NewDense(2, 2, []float64{0, 1, 1, 0})},
		{Cost: mat.NewDense(2, 2, []float64{0, 1, 1, 0}), A: []float64{1}}, // wrong length
		{Cost: mat.NewDense(2, 3, []float64{0, 1, 2, 2, 1, 0})},
	}
	res, err := otkit.SinkhornBatch(problems, otkit.SinkhornBatchOptions{Geometry: otkit.GeometryOptions{Epsilon: 0.1}})
	var be *otkit.BatchError
	if errors.As(err, &be) {
		fmt.Println("failed:", be.Failed)
	}
	for k, r := range res.Results {
		if r != nil {
			fmt.Printf("problem %d: transport cost %.3f, converged %v\n", k, r.PrimalCost(), r.Converged)
		}
	}
	// Output:
	// failed: [1]
	// problem 0: transport cost 0.000, converged true
	// problem 2: transport cost 0.333, converged true
}
