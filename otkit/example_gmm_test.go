package otkit_test

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// A mixture is built from means, covariances and weights; the weights are
// stored as K−1 logits relative to the last component.
func ExampleNewGaussianMixture() {
	m, err := otkit.NewGaussianMixture(
		[][]float64{{0, 0}, {3, 1}},
		[]*mat.SymDense{
			mat.NewSymDense(2, []float64{1, 0, 0, 1}),
			mat.NewSymDense(2, []float64{4, 1, 1, 1}),
		},
		[]float64{0.25, 0.75},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("logits %.4f\n", m.Logits)
	fmt.Printf("weights %.2f\n", m.Weights())
	fmt.Printf("scale of component 1 %.4f\n", m.Scale[1]) // log L00, L10, log L11
	lp, _ := m.LogProb(mat.NewDense(1, 2, []float64{0, 0}))
	fmt.Printf("log p(0,0) = %.4f\n", lp[0])
	// Output:
	// logits [-1.0986]
	// weights [0.25 0.75]
	// scale of component 1 [0.6931 0.5000 -0.1438]
	// log p(0,0) = -2.7928
}

// The squared W2 distance between two Gaussians and the Monge map between them.
func ExampleGaussian_W2() {
	g0, _ := otkit.NewGaussian([]float64{0, 0}, mat.NewSymDense(2, []float64{1, 0, 0, 1}))
	g1, _ := otkit.NewGaussian([]float64{1, 2}, mat.NewSymDense(2, []float64{4, 0, 0, 9}))
	w2, _ := g0.W2(g1)
	fmt.Printf("W2² = %.4f\n", w2) // ‖(1,2)‖² + (2−1)² + (3−1)²
	y, _ := g0.Transport(g1, mat.NewDense(1, 2, []float64{1, 1}))
	fmt.Printf("T(1,1) = %.4f\n", mat.Row(nil, 0, y))
	// Output:
	// W2² = 10.0000
	// T(1,1) = [3.0000 5.0000]
}

// Fit a mixture to samples: k-means++ start, then EM until the mean
// log-likelihood changes by less than 1e-6 (sklearn's tol), at most 100
// steps. The result carries the record: Converged, Iterations, the
// log-likelihood trace.
func ExampleFitEM() {
	truth, _ := otkit.NewGaussianMixture(
		[][]float64{{-3, 0}, {3, 0}},
		[]*mat.SymDense{
			mat.NewSymDense(2, []float64{1, 0, 0, 1}),
			mat.NewSymDense(2, []float64{1, 0.5, 0.5, 1}),
		},
		[]float64{0.3, 0.7},
	)
	rng := rand.New(rand.NewPCG(42, 0))
	x, _, _ := truth.Sample(rng, 2000)
	init, err := otkit.InitKMeansPlusPlus(rng, x, nil, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit, err := otkit.FitEM(init, x, otkit.EMOptions{Steps: 100, Tolerance: 1e-6})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := fit.Err(); err != nil {
		fmt.Println(err) // ran out of Steps above the tolerance
	}
	fmt.Printf("converged after %d steps, mean log-likelihood %.3f\n", fit.Iterations, fit.LogLikelihood[len(fit.LogLikelihood)-1])
	m := fit.Mixture
	for k, w := range m.Weights() {
		fmt.Printf("weight %.2f mean %.1f\n", w, m.Means()[k])
	}
	// Output:
	// converged after 4 steps, mean log-likelihood -3.364
	// weight 0.71 mean [3.0 -0.0]
	// weight 0.29 mean [-3.0 0.0]
}
