package otkit

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestBadInputReturnsError calls every exported constructor, solver and
// checked method with nil, empty, mismatched, NaN or out-of-range arguments.
// Each call must return an error; a panic or a nil error fails the case.
func TestBadInputReturnsError(t *testing.T) {
	nan := math.NaN()
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 1})
	x3 := mat.NewDense(3, 3, []float64{0, 0, 0, 1, 0, 0, 0, 1, 0})
	xNaN := mat.NewDense(3, 2, []float64{0, 0, nan, 0, 0, 1})
	cost := mat.NewDense(2, 2, []float64{0, 1, 1, 0})
	geom, err := NewGeometry(cost, GeometryOptions{Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	sk, err := Sinkhorn(geom, nil, nil, SinkhornOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }
	g := testGaussian(t, []float64{0, 0}, []float64{1, 0, 0, 1})
	g3 := testGaussian(t, []float64{0, 0, 0}, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
	bad := Gaussian{Loc: []float64{0, 0}, Scale: []float64{0}}
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	mix := testMixture(t)
	var nilMix *GaussianMixture
	short := &GaussianMixture{Loc: [][]float64{{0, 0}, {1, 1}}, Scale: [][]float64{{0, 0, 0}}, Logits: []float64{0}}
	pair, err := NewMixturePair(mix, mix.Clone(), MixturePairOptions{Epsilon: 0.1, Tau: 1})
	if err != nil {
		t.Fatal(err)
	}
	obj := RegOTObjective(x, PointCloudOptions{}, SinkhornOptions{})

	cases := []struct {
		name string
		call func() error
	}{
		{"NewPointCloud nil x", func() error { _, err := NewPointCloud(nil, nil, PointCloudOptions{}); return err }},
		{"NewPointCloud empty x", func() error { _, err := NewPointCloud(&mat.Dense{}, nil, PointCloudOptions{}); return err }},
		{"NewPointCloud column mismatch", func() error { _, err := NewPointCloud(x, x3, PointCloudOptions{}); return err }},
		{"NewPointCloud NaN", func() error { _, err := NewPointCloud(xNaN, x, PointCloudOptions{}); return err }},
		{"NewPointCloud negative eps", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{Epsilon: -1}); return err }},
		{"NewPointCloud NaN eps", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{Epsilon: nan}); return err }},
		{"NewPointCloud bad rule", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{ScaleCostRule: "nope"}); return err }},
		{"NewPointCloud Bures wrong width", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{Cost: Bures{Dim: 2}}); return err }},
		{"NewGeometry nil", func() error { _, err := NewGeometry(nil, GeometryOptions{}); return err }},
		{"NewGeometry empty", func() error { _, err := NewGeometry(&mat.Dense{}, GeometryOptions{}); return err }},
		{"NewGeometry NaN", func() error {
			_, err := NewGeometry(mat.NewDense(1, 2, []float64{0, nan}), GeometryOptions{Epsilon: 1})
			return err
		}},
		{"NewGeometry negative eps", func() error { _, err := NewGeometry(cost, GeometryOptions{Epsilon: -1}); return err }},
		{"Sinkhorn nil geometry", func() error { _, err := Sinkhorn(nil, nil, nil, SinkhornOptions{}); return err }},
		{"Sinkhorn short a", func() error { _, err := Sinkhorn(geom, []float64{1}, nil, SinkhornOptions{}); return err }},
		{"Sinkhorn negative b", func() error { _, err := Sinkhorn(geom, nil, []float64{2, -1}, SinkhornOptions{}); return err }},
		{"Sinkhorn NaN a", func() error { _, err := Sinkhorn(geom, []float64{nan, 1}, nil, SinkhornOptions{}); return err }},
		{"Sinkhorn tau > 1", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{TauA: 1.5}); return err }},
		{"Sinkhorn tau < 0", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{TauB: -0.5}); return err }},
		{"Sinkhorn short InitF", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{InitF: []float64{0}}); return err }},
		{"Apply wrong length", func() error { _, err := sk.Apply([]float64{1, 2, 3}); return err }},
		{"ApplyT NaN", func() error { _, err := sk.ApplyT([]float64{1, nan}); return err }},
		{"GradX cost matrix geometry", func() error { _, err := sk.GradX(); return err }},
		{"GradX nil result", func() error { _, err := (*SinkhornResult)(nil).GradX(); return err }},
		{"GradY short potentials", func() error { _, err := (&SinkhornResult{Geom: geom, F: []float64{0}}).GradY(); return err }},
		{"Apply nil result", func() error { _, err := (*SinkhornResult)(nil).Apply([]float64{1, 1}); return err }},
		{"ApplyT no geometry", func() error { _, err := (&SinkhornResult{}).ApplyT([]float64{1, 1}); return err }},
		{"Apply short potentials", func() error {
			_, err := (&SinkhornResult{Geom: geom, F: []float64{0}}).Apply([]float64{1, 1})
			return err
		}},
		{"Divergence nil", func() error { _, err := Divergence(nil, nil, nil, nil, DivergenceOptions{}); return err }},
		{"Divergence mismatch", func() error { _, err := Divergence(x, x3, nil, nil, DivergenceOptions{}); return err }},
		{"Divergence negative a", func() error {
			_, err := Divergence(x, x, []float64{1, -1, 1}, nil, DivergenceOptions{Epsilon: 0.1})
			return err
		}},
		{"Divergence GradX nil result", func() error { _, err := (*DivergenceResult)(nil).GradX(); return err }},
		{"objective nil x", func() error { _, err := obj(nil); return err }},
		{"objective column mismatch", func() error { _, err := obj(x3); return err }},
		{"GradientFlow nil x", func() error { _, err := GradientFlow(nil, obj, FlowOptions{Steps: 1}); return err }},
		{"GradientFlow nil objective", func() error { _, err := GradientFlow(x, nil, FlowOptions{Steps: 1}); return err }},
		{"GradientFlow NaN rate", func() error { _, err := GradientFlow(x, obj, FlowOptions{Steps: 1, LearningRate: nan}); return err }},
		{"NewGaussian nil mean", func() error { _, err := NewGaussian(nil, id); return err }},
		{"NewGaussian nil cov", func() error { _, err := NewGaussian([]float64{0, 0}, nil); return err }},
		{"NewGaussian dim mismatch", func() error { _, err := NewGaussian([]float64{0}, id); return err }},
		{"NewGaussian NaN mean", func() error { _, err := NewGaussian([]float64{0, nan}, id); return err }},
		{"NewGaussian singular", func() error {
			_, err := NewGaussian([]float64{0, 0}, mat.NewSymDense(2, []float64{1, 1, 1, 1}))
			return err
		}},
		{"NewGaussian indefinite", func() error {
			_, err := NewGaussian([]float64{0, 0}, mat.NewSymDense(2, []float64{1, 2, 2, 1}))
			return err
		}},
		{"Symmetrize nil", func() error { _, err := Symmetrize(nil); return err }},
		{"Symmetrize non-square", func() error { _, err := Symmetrize(x); return err }},
		{"Gaussian Covariance malformed", func() error { _, err := bad.Covariance(); return err }},
		{"Gaussian CholeskyL zero value", func() error { _, err := Gaussian{}.CholeskyL(); return err }},
		{"Gaussian LogProb wrong length", func() error { _, err := g.LogProb([]float64{1}); return err }},
		{"Gaussian LogProb NaN", func() error { _, err := g.LogProb([]float64{1, nan}); return err }},
		{"Gaussian Sample n = 0", func() error { _, err := g.Sample(rng(), 0); return err }},
		{"Gaussian Sample nil rng", func() error { _, err := g.Sample(nil, 2); return err }},
		{"Gaussian W2 dim mismatch", func() error { _, err := g.W2(g3); return err }},
		{"Gaussian W2 malformed", func() error { _, err := g.W2(bad); return err }},
		{"Gaussian TransportMatrix zero value", func() error { _, err := Gaussian{}.TransportMatrix(g); return err }},
		{"Gaussian Transport nil points", func() error { _, err := g.Transport(g, nil); return err }},
		{"Gaussian Transport column mismatch", func() error { _, err := g.Transport(g, x3); return err }},
		{"Gaussian FPotential wrong length", func() error { _, err := g.FPotential(g, []float64{1, 2, 3}); return err }},
		{"NewGaussianMixture nil", func() error { _, err := NewGaussianMixture(nil, nil, nil); return err }},
		{"NewGaussianMixture count mismatch", func() error {
			_, err := NewGaussianMixture([][]float64{{0, 0}, {1, 1}}, []*mat.SymDense{id}, []float64{0.5, 0.5})
			return err
		}},
		{"NewGaussianMixture negative weight", func() error {
			_, err := NewGaussianMixture([][]float64{{0, 0}, {1, 1}}, []*mat.SymDense{id, id}, []float64{1.5, -0.5})
			return err
		}},
		{"NewGaussianMixture NaN weight", func() error {
			_, err := NewGaussianMixture([][]float64{{0, 0}, {1, 1}}, []*mat.SymDense{id, id}, []float64{nan, 0.5})
			return err
		}},
		{"NewGaussianMixture nil covariance", func() error {
			_, err := NewGaussianMixture([][]float64{{0, 0}}, []*mat.SymDense{nil}, []float64{1})
			return err
		}},
		{"mixture Validate nil", func() error { return nilMix.Validate() }},
		{"mixture Validate short scales", func() error { return short.Validate() }},
		{"mixture Covariances nil", func() error { _, err := nilMix.Covariances(); return err }},
		{"mixture Covariances short scales", func() error { _, err := short.Covariances(); return err }},
		{"mixture Sample nil", func() error { _, _, err := nilMix.Sample(rng(), 3); return err }},
		{"mixture Sample nil rng", func() error { _, _, err := mix.Sample(nil, 3); return err }},
		{"mixture LogProb nil points", func() error { _, err := mix.LogProb(nil); return err }},
		{"mixture LogProb column mismatch", func() error { _, err := mix.LogProb(x3); return err }},
		{"mixture LogProb NaN", func() error { _, err := mix.LogProb(xNaN); return err }},
		{"mixture LogProb nil mixture", func() error { _, err := nilMix.LogProb(x); return err }},
		{"mixture ConditionalLogProb short scales", func() error { _, err := short.ConditionalLogProb(x); return err }},
		{"mixture LogComponentPosterior mismatch", func() error { _, err := mix.LogComponentPosterior(x3); return err }},
		{"mixture Permute nil", func() error { _, err := nilMix.Permute([]int{0}); return err }},
		{"mixture Permute bad permutation", func() error { _, err := mix.Permute([]int{0, 0}); return err }},
		{"MixtureFromAssignments nil", func() error { _, err := MixtureFromAssignments(nil, nil, nil); return err }},
		{"MixtureFromAssignments row mismatch", func() error {
			_, err := MixtureFromAssignments(x, nil, mat.NewDense(2, 1, []float64{1, 1}))
			return err
		}},
		{"InitKMeansPlusPlus nil rng", func() error { _, err := InitKMeansPlusPlus(nil, x, nil, 2); return err }},
		{"InitKMeansPlusPlus nil x", func() error { _, err := InitKMeansPlusPlus(rng(), nil, nil, 2); return err }},
		{"InitKMeansPlusPlus k = 0", func() error { _, err := InitKMeansPlusPlus(rng(), x, nil, 0); return err }},
		{"InitKMeansPlusPlus k > n", func() error { _, err := InitKMeansPlusPlus(rng(), x, nil, 4); return err }},
		{"InitKMeansPlusPlus short weights", func() error { _, err := InitKMeansPlusPlus(rng(), x, []float64{1}, 2); return err }},
		{"FitEM nil mixture", func() error { _, err := FitEM(nil, x, EMOptions{Steps: 1}); return err }},
		{"FitEM nil points", func() error { _, err := FitEM(mix, nil, EMOptions{Steps: 1}); return err }},
		{"FitEM column mismatch", func() error { _, err := FitEM(mix, x3, EMOptions{Steps: 1}); return err }},
		{"FitEM negative ridge", func() error { _, err := FitEM(mix, x, EMOptions{Steps: 1, Ridge: -1}); return err }},
		{"NewMixturePair nil", func() error { _, err := NewMixturePair(nil, nil, MixturePairOptions{Epsilon: 0.1, Tau: 1}); return err }},
		{"NewMixturePair eps < 0", func() error { _, err := NewMixturePair(mix, mix, MixturePairOptions{Epsilon: -1, Tau: 1}); return err }},
		{"NewMixturePair tau > 1", func() error {
			_, err := NewMixturePair(mix, mix, MixturePairOptions{Epsilon: 0.1, Tau: 1.5})
			return err
		}},
		{"NewMixturePair tau > 1", func() error {
			_, err := NewMixturePair(mix, mix, MixturePairOptions{Epsilon: 0.1, Tau: 1.5})
			return err
		}},
		{"MixturePair CostMatrix nil", func() error { _, err := (*MixturePair)(nil).CostMatrix(); return err }},
		{"MixturePair Sinkhorn nil cost", func() error { _, err := pair.Sinkhorn(nil, SinkhornOptions{}); return err }},
		{"MixturePair Sinkhorn wrong shape", func() error { _, err := pair.Sinkhorn(x, SinkhornOptions{}); return err }},
		{"FitPair nil pair", func() error { _, err := FitPair(nil, x, x, PairFitOptions{}); return err }},
		{"FitPair nil points", func() error { _, err := FitPair(pair, nil, nil, PairFitOptions{}); return err }},
		{"FitPair column mismatch", func() error { _, err := FitPair(pair, x3, x, PairFitOptions{}); return err }},
		{"NormalizedCoupling nil", func() error { _, err := NormalizedCoupling(nil); return err }},
		{"NormalizedCoupling no geometry", func() error { _, err := NormalizedCoupling(&SinkhornResult{}); return err }},
		{"NormalizedCoupling zero mass", func() error {
			inf := math.Inf(-1)
			z := *sk
			z.F, z.G = []float64{inf, inf}, []float64{inf, inf}
			_, err := NormalizedCoupling(&z)
			return err
		}},
		{"Sinkhorn NaN threshold", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{Threshold: nan}); return err }},
		{"Sinkhorn negative threshold", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{Threshold: -1}); return err }},
		{"Sinkhorn negative MaxIterations", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{MaxIterations: -1}); return err }},
		{"Sinkhorn negative InnerIterations", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{InnerIterations: -1}); return err }},
		{"Sinkhorn NaN momentum", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{Momentum: nan}); return err }},
		{"Sinkhorn negative Anderson", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{Anderson: -1}); return err }},
		{"Sinkhorn NaN NormError", func() error { _, err := Sinkhorn(geom, nil, nil, SinkhornOptions{NormError: nan}); return err }},
		{"Sinkhorn NaN InitF", func() error {
			_, err := Sinkhorn(geom, nil, nil, SinkhornOptions{InitF: []float64{nan, 0}})
			return err
		}},
		{"Sinkhorn zero-mass a", func() error { _, err := Sinkhorn(geom, []float64{0, 0}, nil, SinkhornOptions{}); return err }},
		{"NewPointCloud NaN ScaleCost", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{ScaleCost: nan}); return err }},
		{"NewPointCloud negative ScaleCost", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{ScaleCost: -1}); return err }},
		{"NewPointCloud bad relative", func() error { _, err := NewPointCloud(x, x, PointCloudOptions{RelativeEpsilon: "nope"}); return err }},
		{"NewPointCloud NaN decay", func() error {
			_, err := NewPointCloud(x, x, PointCloudOptions{Epsilon: 0.1, Schedule: EpsilonSchedule{Init: 10, Decay: nan}})
			return err
		}},
		{"Divergence NaN eps", func() error { _, err := Divergence(x, x, nil, nil, DivergenceOptions{Epsilon: nan}); return err }},
		{"Divergence NaN offset", func() error {
			_, err := Divergence(x, x, nil, nil, DivergenceOptions{Epsilon: 0.1, StaticB: true, OffsetStaticB: nan})
			return err
		}},
		{"GradientFlow negative steps", func() error { _, err := GradientFlow(x, obj, FlowOptions{Steps: -1}); return err }},
		{"GradientFlow negative rate", func() error { _, err := GradientFlow(x, obj, FlowOptions{Steps: 1, LearningRate: -1}); return err }},
		{"GradientFlow NaN x", func() error { _, err := GradientFlow(xNaN, obj, FlowOptions{Steps: 1}); return err }},
		{"RegOTObjective nil y", func() error { _, err := RegOTObjective(nil, PointCloudOptions{}, SinkhornOptions{})(x); return err }},
		{"DivergenceObjective nil y", func() error { _, err := DivergenceObjective(nil, DivergenceOptions{})(x); return err }},
		{"InitKMeansPlusPlus NaN x", func() error { _, err := InitKMeansPlusPlus(rng(), xNaN, nil, 2); return err }},
		{"InitKMeansPlusPlus negative weight", func() error { _, err := InitKMeansPlusPlus(rng(), x, []float64{1, -1, 1}, 2); return err }},
		{"InitKMeansPlusPlus zero weights", func() error { _, err := InitKMeansPlusPlus(rng(), x, []float64{0, 0, 0}, 2); return err }},
		{"FitEM NaN x", func() error { _, err := FitEM(mix, xNaN, EMOptions{Steps: 1}); return err }},
		{"FitEM negative steps", func() error { _, err := FitEM(mix, x, EMOptions{Steps: -1}); return err }},
		{"FitEM NaN ridge", func() error { _, err := FitEM(mix, x, EMOptions{Steps: 1, Ridge: nan}); return err }},
		{"FitEM NaN weight", func() error {
			_, err := FitEM(mix, x, EMOptions{Steps: 1, PointWeights: []float64{1, nan, 1}})
			return err
		}},
		{"MixtureFromAssignments NaN resp", func() error {
			_, err := MixtureFromAssignments(x, nil, mat.NewDense(3, 1, []float64{1, nan, 1}))
			return err
		}},
		{"MixtureFromAssignments negative resp", func() error {
			_, err := MixtureFromAssignments(x, nil, mat.NewDense(3, 1, []float64{1, -1, 1}))
			return err
		}},
		{"FitPair negative rate", func() error { _, err := FitPair(pair, x, x, PairFitOptions{LearningRate: -1}); return err }},
		{"FitPair NaN rate", func() error { _, err := FitPair(pair, x, x, PairFitOptions{LearningRate: nan}); return err }},
		{"FitPair negative EMSteps", func() error { _, err := FitPair(pair, x, x, PairFitOptions{EMSteps: -1}); return err }},
		{"FitPair NaN transport weight", func() error { _, err := FitPair(pair, x, x, PairFitOptions{WeightTransport: nan}); return err }},
		{"FitPair short point weights", func() error { _, err := FitPair(pair, x, x, PairFitOptions{PointWeights0: []float64{1}}); return err }},
		{"FitPair NaN points", func() error { _, err := FitPair(pair, xNaN, x, PairFitOptions{}); return err }},
		{"mixture Sample negative n", func() error { _, _, err := mix.Sample(rng(), -1); return err }},
		{"mixture Sample wrong logits", func() error {
			m := mix.Clone()
			m.Logits = m.Logits[:1]
			_, _, err := m.Sample(rng(), 2)
			return err
		}},
		{"MixturePair Sinkhorn NaN cost", func() error {
			c := mat.NewDense(3, 3, nil)
			c.Set(1, 1, nan)
			_, err := pair.Sinkhorn(c, SinkhornOptions{})
			return err
		}},
	}
	// The plain reads of a mixture never panic, even on a nil mixture.
	t.Run("nil mixture reads", func(t *testing.T) {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v", r)
			}
		}()
		if nilMix.K() != 0 || nilMix.Dim() != 0 || nilMix.Weights() != nil || nilMix.LogWeights() != nil ||
			nilMix.Means() != nil || nilMix.Components() != nil || nilMix.Clone() != nil {
			t.Error("nil mixture reads should give zero values")
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := c.call(); err == nil {
				t.Error("no error")
			}
		})
	}
}
