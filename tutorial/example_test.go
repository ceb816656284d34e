package tutorial_test

import (
	"fmt"

	"github.com/otlab/gootlab/tutorial"
)

// The two ground-truth mixtures of the coupled-GMM tutorial, and the
// clouds of the gradient-flow tutorial.
func ExampleGMMGenerators() {
	g, err := tutorial.GMMGenerators()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, m := range g {
		fmt.Printf("generator %d: weights %.1f, means %.1f\n", i, m.Weights(), m.Means())
	}
	x, y := tutorial.FlowClouds(0)
	fmt.Println(x.RawMatrix().Rows, y.RawMatrix().Rows)
	// Output:
	// generator 0: weights [0.2 0.2 0.6], means [[2.0 -1.0] [-2.0 0.0] [4.0 3.0]]
	// generator 1: weights [0.4 0.4 0.2], means [[3.0 -1.5] [-3.0 -1.0] [3.0 3.0]]
	// 25 50
}
