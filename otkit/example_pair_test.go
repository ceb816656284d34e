package otkit_test

import (
	"fmt"
	"math/rand/v2"
	"os"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// twoBlobs is a two-component mixture in 2-D with the given centres and
// weights and unit-variance components.
func twoBlobs(c0, c1 []float64, w0 float64) *otkit.GaussianMixture {
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	m, err := otkit.NewGaussianMixture([][]float64{c0, c1}, []*mat.SymDense{id, id}, []float64{w0, 1 - w0})
	if err != nil {
		panic(err)
	}
	return m
}

// The Bures cost between components, the entropic coupling between the
// component weights, and that coupling normalised, for a balanced (MW2) and
// an unbalanced (UW2) pair: the balanced plan must move 0.2 of the heavy
// component across to fill the other side's first component; the unbalanced
// one prefers to reweight the components and transports nothing across.
func ExampleMixturePair() {
	gmm0 := twoBlobs([]float64{0, 0}, []float64{6, 0}, 0.3)
	gmm1 := twoBlobs([]float64{1, 0}, []float64{6, 2}, 0.5)
	for _, tau := range []float64{1, 2.0 / 3} {
		pair, err := otkit.NewMixturePair(gmm0, gmm1, otkit.MixturePairOptions{Epsilon: 0.5, Tau: tau})
		if err != nil {
			fmt.Println(err)
			return
		}
		cost, _ := pair.CostMatrix()
		out, _ := pair.Sinkhorn(cost, otkit.SinkhornOptions{})
		fmt.Printf("tau %.3f rho %.2f converged %v reg cost %.4f\n", tau, pair.Rho(), out.Converged, out.RegOTCost)
		np, err := otkit.NormalizedCoupling(out)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%.4f\n", mat.Formatted(np))
	}
	// Output:
	// tau 1.000 rho +Inf converged true reg cost 7.4372
	// ⎡0.3000  0.0000⎤
	// ⎣0.2000  0.5000⎦
	// tau 0.667 rho 1.00 converged true reg cost 1.6943
	// ⎡0.6662  0.0000⎤
	// ⎣0.0000  0.3338⎦
}

// Penalised EM on two point clouds, starting both mixtures from the same
// guess: each line is the E-step's Q0, Q1, the transport cost and
// J = Q0 + Q1 − w·transport, printed before the M-step as OTT does.
func ExampleFitPair() {
	rng := rand.New(rand.NewPCG(1, 0))
	x0, _, _ := twoBlobs([]float64{0, 0}, []float64{6, 0}, 0.3).Sample(rng, 2000)
	x1, _, _ := twoBlobs([]float64{1, 0}, []float64{6, 2}, 0.5).Sample(rng, 2000)
	start := twoBlobs([]float64{0.5, 0}, []float64{6, 1}, 0.4)
	pair, _ := otkit.NewMixturePair(start, start, otkit.MixturePairOptions{Epsilon: 0.01, Tau: 1})
	res, err := otkit.FitPair(pair, x0, x1, otkit.PairFitOptions{
		WeightTransport: 0.01, EMSteps: 4, MSteps: 20, LearningRate: 0.01, Report: os.Stdout,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("objective %.3f\n", res.Objective)
	fmt.Printf("gmm0 weights %.3f means %.2f\n", res.Pair.GMM0.Weights(), res.Pair.GMM0.Loc)
	fmt.Printf("gmm1 weights %.3f means %.2f\n", res.Pair.GMM1.Weights(), res.Pair.GMM1.Loc)
	// Output:
	//   0 -3.835 -3.862 transport:0.007 objective:-7.698
	//   1 -3.635 -3.690 transport:0.844 objective:-7.333
	//   2 -3.555 -3.615 transport:2.349 objective:-7.193
	//   3 -3.499 -3.571 transport:2.817 objective:-7.098
	// objective -7.040
	// gmm0 weights [0.344 0.656] means [[0.06 -0.02] [5.99 0.22]]
	// gmm1 weights [0.490 0.510] means [[0.97 -0.04] [6.00 1.78]]
}
