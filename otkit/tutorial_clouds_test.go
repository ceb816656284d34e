package otkit

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TutorialFlowClouds draws the flow tutorial's clouds for otkit's own tests
// (flow_test.go): the same streams and shapes as tutorial.FlowClouds, the
// notebooks' generator, which imports otkit and so cannot be called from
// otkit's internal tests. Both packages' tests pin the first points of seed 0,
// so the two cannot drift apart unnoticed.
func TutorialFlowClouds(seed uint64) (x, y *mat.Dense) {
	x = testGaussianCloud(rand.New(rand.NewPCG(seed, 1)), 25, 0.25, 0, 0)
	y = testGaussianCloud(rand.New(rand.NewPCG(seed, 2)), 50, 0.5, 6, 0)
	return x, y
}

// testGaussianCloud draws n points of scale·N(0, I₂) + (cx, cy), row by row.
func testGaussianCloud(rng *rand.Rand, n int, scale, cx, cy float64) *mat.Dense {
	p := mat.NewDense(n, 2, nil)
	for i := range n {
		p.Set(i, 0, cx+scale*rng.NormFloat64())
		p.Set(i, 1, cy+scale*rng.NormFloat64())
	}
	return p
}

func TestTutorialFlowCloudsPinned(t *testing.T) {
	x, y := TutorialFlowClouds(0)
	got := []float64{x.At(0, 0), x.At(0, 1), y.At(0, 0), y.At(0, 1)}
	for i, w := range tutorialFlowCloudsSeed0 {
		if got[i] != w {
			t.Fatalf("first points of seed 0: %v, want %v (tutorial/data_test.go pins the same values)", got, tutorialFlowCloudsSeed0)
		}
	}
}

// tutorialFlowCloudsSeed0 holds x[0] and y[0] of seed 0.
var tutorialFlowCloudsSeed0 = []float64{-0.12716839845095196, -0.05429515843443866, 5.5105579128197775, -0.2438538295127448}
