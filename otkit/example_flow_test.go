package otkit_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

func ExampleDivergence() {
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1})
	y := mat.NewDense(4, 2, []float64{2, 0, 3, 0, 2, 1, 3, 1})
	opt := otkit.DivergenceOptions{Epsilon: 0.1}
	r, err := otkit.Divergence(x, y, nil, nil, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	self, err := otkit.Divergence(x, x, nil, nil, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("S(x,y) = %.3f, converged %v\n", r.Divergence, r.Converged)
	// The debiasing makes S(x,x) vanish (up to the solver's tolerance).
	fmt.Printf("|S(x,x)| < 1e-5: %v\n", math.Abs(self.Divergence) < 1e-5)
	// Output:
	// S(x,y) = 4.944, converged true
	// |S(x,x)| < 1e-5: true
}

func ExampleGradientFlow() {
	// Four points flow towards four target points by gradient descent on
	// the Sinkhorn divergence; a frame is kept every 10 steps.
	x := mat.NewDense(4, 2, []float64{0, 0, 0.1, 0, 0, 0.1, 0.1, 0.1})
	y := mat.NewDense(4, 2, []float64{2, -1, 2, 1, 4, -1, 4, 1})
	obj := otkit.DivergenceObjective(y, otkit.DivergenceOptions{Epsilon: 0.1})
	evals := 0
	res, err := otkit.GradientFlow(x, obj, otkit.FlowOptions{Steps: 40, Every: 10, LearningRate: 0.2,
		OnStep: func(step int, value float64) { evals++ }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("evaluations:", evals)
	for _, f := range res.Frames {
		fmt.Printf("step %2d: S = %.4f\n", f.Step, f.Value)
	}
	fmt.Printf("final points:\n%.2f\n", mat.Formatted(res.X))
	// Output:
	// evaluations: 41
	// step  0: S = 10.5491
	// step 10: S = 1.2801
	// step 20: S = 0.1558
	// step 30: S = 0.0189
	// step 40: S = 0.0023
	// final points:
	// ⎡ 1.97  -0.99⎤
	// ⎢ 3.94  -0.99⎥
	// ⎢ 1.97   0.99⎥
	// ⎣ 3.94   0.99⎦
}
