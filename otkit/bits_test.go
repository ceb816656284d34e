package otkit_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// TestBitIdentity hashes the outputs (potentials, plans, costs, error
// traces) of a fixed set of solves — every solver family, float64 and
// float32, every compute path (stored, online, streamed and small scaling
// form, float32 kernels, reference kernel, unbalanced, accelerated,
// multiscale) — and compares them with the hashes recorded in
// testdata/bits/golden.txt. The golden file was written by the code before
// the package was reorganised into internal packages (issue 19), so the test
// proves that the reorganisation changed no bit. A case whose numbers change
// on purpose gets its new hash with -update-bits and a line in the commit
// message saying why.
var updateBits = flag.Bool("update-bits", false, "rewrite testdata/bits/golden.txt with the current hashes")

const bitsGolden = "testdata/bits/golden.txt"

func TestBitIdentity(t *testing.T) {
	got := map[string]string{}
	for _, c := range bitCases() {
		h := sha256.New()
		out, err := c.run()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var buf [8]byte
		for _, v := range out {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
			h.Write(buf[:])
		}
		got[c.name] = fmt.Sprintf("%d %s", len(out), hex.EncodeToString(h.Sum(nil))[:32])
	}
	if *updateBits {
		writeBits(t, got)
		return
	}
	want := readBits(t)
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: case missing (golden %s)", name, w)
		case g != w:
			t.Errorf("%s: outputs changed: hash %s, golden %s", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: no golden hash (run with -update-bits once the numbers are checked)", name)
		}
	}
}

func writeBits(t *testing.T, got map[string]string) {
	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# case  number-of-values  sha256-prefix (TestBitIdentity; -update-bits rewrites)\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s\n", n, got[n])
	}
	if err := os.MkdirAll(filepath.Dir(bitsGolden), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bitsGolden, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readBits(t *testing.T) map[string]string {
	f, err := os.Open(bitsGolden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		want[name] = rest
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}

type bitCase struct {
	name string
	run  func() ([]float64, error)
}

// bitCloud is an n×d cloud: uniform in [0,1)^d, shifted by off, from the
// given seed.
func bitCloud(seed uint64, n, d int, off float64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 19))
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			x.Set(i, k, rng.Float64()+off)
		}
	}
	return x
}

// bitWeights are positive weights summing to 1 (with one zero entry when
// zero is set, to reach the paths for zero weights).
func bitWeights(seed uint64, n int, zero bool) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := make([]float64, n)
	s := 0.0
	for i := range w {
		w[i] = rng.Float64() + 0.1
		s += w[i]
	}
	if zero {
		s -= w[1]
		w[1] = 0
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

// sinkhornBits collects what a Sinkhorn result returns.
func sinkhornBits(r *otkit.SinkhornResult) []float64 {
	out := append([]float64{}, r.F...)
	out = append(out, r.G...)
	out = append(out, r.Errors...)
	out = append(out, r.RegOTCost, r.EntRegCost, r.DualCost, float64(r.Iterations), r.Epsilon)
	return out
}

func sinkhornCase(name string, n, m, d int, pc otkit.PointCloudOptions, a, b []float64, opt otkit.SinkhornOptions, withPlan bool) bitCase {
	return bitCase{name, func() ([]float64, error) {
		geom, err := otkit.NewPointCloud(bitCloud(1, n, d, 0), bitCloud(2, m, d, 0.3), pc)
		if err != nil {
			return nil, err
		}
		r, err := otkit.Sinkhorn(geom, a, b, opt)
		if err != nil {
			return nil, err
		}
		out := sinkhornBits(r)
		if withPlan {
			out = append(out, r.Matrix().RawMatrix().Data...)
			out = append(out, r.PrimalCost())
			gx, err := r.GradX()
			if err != nil {
				return nil, err
			}
			out = append(out, gx.RawMatrix().Data...)
			v := make([]float64, m)
			for j := range v {
				v[j] = float64(j%7) - 3
			}
			av, err := r.Apply(v)
			if err != nil {
				return nil, err
			}
			out = append(out, av...)
		}
		return out, nil
	}}
}

func bitCases() []bitCase {
	f32 := otkit.SinkhornOptions{Float32: true, MaxIterations: 300}
	f64 := otkit.SinkhornOptions{MaxIterations: 300}
	cases := []bitCase{
		// Small problems: the small scaling form, and the plain log domain.
		sinkhornCase("sinkhorn/small-scaling", 12, 15, 2, otkit.PointCloudOptions{Epsilon: 0.05}, nil, nil, f64, true),
		sinkhornCase("sinkhorn/small-kernelmode", 12, 15, 2, otkit.PointCloudOptions{Epsilon: 0.05}, nil, nil,
			otkit.SinkhornOptions{KernelMode: true}, true),
		// Stored costs: the streamed scaling form, float64 and float32 K̃.
		sinkhornCase("sinkhorn/stored-f64", 300, 260, 2, otkit.PointCloudOptions{}, nil, nil, f64, true),
		sinkhornCase("sinkhorn/stored-f32", 300, 260, 2, otkit.PointCloudOptions{}, nil, nil, f32, true),
		sinkhornCase("sinkhorn/stored-weights-f64", 300, 260, 2, otkit.PointCloudOptions{Epsilon: 0.01},
			bitWeights(3, 300, false), bitWeights(4, 260, false), f64, false),
		// Stored costs in the log domain: zero weights, unbalanced,
		// accelerated, schedule, reference kernel, float32 dense kernel.
		sinkhornCase("sinkhorn/stored-zero-weight", 300, 260, 2, otkit.PointCloudOptions{},
			bitWeights(5, 300, true), bitWeights(6, 260, false), f64, true),
		sinkhornCase("sinkhorn/stored-zero-weight-f32", 300, 260, 2, otkit.PointCloudOptions{},
			bitWeights(5, 300, true), bitWeights(6, 260, false), f32, false),
		sinkhornCase("sinkhorn/unbalanced", 200, 150, 2, otkit.PointCloudOptions{}, nil, nil,
			otkit.SinkhornOptions{TauA: 0.8, TauB: 0.9}, true),
		sinkhornCase("sinkhorn/unbalanced-ott", 200, 150, 2, otkit.PointCloudOptions{}, nil, nil,
			otkit.SinkhornOptions{TauA: 0.8, TauB: 0.9, OTTUnbalancedUpdate: true}, false),
		sinkhornCase("sinkhorn/anderson", 200, 150, 2, otkit.PointCloudOptions{Epsilon: 0.01}, nil, nil,
			otkit.SinkhornOptions{Anderson: 5}, false),
		sinkhornCase("sinkhorn/momentum", 200, 150, 2, otkit.PointCloudOptions{Epsilon: 0.01}, nil, nil,
			otkit.SinkhornOptions{Momentum: 1.3, MomentumStart: 20}, false),
		sinkhornCase("sinkhorn/parallel-updates", 200, 150, 2, otkit.PointCloudOptions{}, nil, nil,
			otkit.SinkhornOptions{ParallelDualUpdates: true}, false),
		sinkhornCase("sinkhorn/schedule", 200, 150, 2, otkit.PointCloudOptions{Epsilon: 0.005,
			Schedule: otkit.EpsilonSchedule{Init: 10, Decay: 0.9}}, nil, nil, f64, false),
		sinkhornCase("sinkhorn/reference", 200, 150, 2, otkit.PointCloudOptions{}, nil, nil,
			otkit.SinkhornOptions{ReferenceKernel: true}, true),
		sinkhornCase("sinkhorn/self", 200, 200, 2, otkit.PointCloudOptions{}, nil, nil, f64, false),
		// Online costs: the fast squared-Euclidean kernels (d = 2, 3) in
		// float64 and float32, and the reference kernel for other costs.
		sinkhornCase("sinkhorn/online-f64", 300, 260, 2, otkit.PointCloudOptions{Online: true}, nil, nil, f64, true),
		sinkhornCase("sinkhorn/online-f32", 300, 260, 2, otkit.PointCloudOptions{Online: true}, nil, nil, f32, true),
		sinkhornCase("sinkhorn/online-d3-f64", 300, 260, 3, otkit.PointCloudOptions{Online: true}, nil, nil, f64, false),
		sinkhornCase("sinkhorn/online-d3-f32", 300, 260, 3, otkit.PointCloudOptions{Online: true}, nil, nil, f32, false),
		sinkhornCase("sinkhorn/online-d5", 200, 150, 5, otkit.PointCloudOptions{Online: true}, nil, nil, f64, false),
		sinkhornCase("sinkhorn/online-euclidean", 200, 150, 2, otkit.PointCloudOptions{Online: true,
			Cost: otkit.Euclidean{}}, nil, nil, f64, true),
		sinkhornCase("sinkhorn/stored-euclidean-f32", 200, 150, 2, otkit.PointCloudOptions{Cost: otkit.Euclidean{}},
			bitWeights(7, 200, true), nil, f32, false),
		{"divergence", func() ([]float64, error) {
			r, err := otkit.Divergence(bitCloud(3, 150, 2, 0), bitCloud(4, 120, 2, 0.2), nil, nil, otkit.DivergenceOptions{})
			if err != nil {
				return nil, err
			}
			out := []float64{r.Divergence}
			for _, s := range []*otkit.SinkhornResult{r.XY, r.XX, r.YY} {
				out = append(out, sinkhornBits(s)...)
			}
			g, err := r.GradX()
			if err != nil {
				return nil, err
			}
			return append(out, g.RawMatrix().Data...), nil
		}},
		{"epsscaling", func() ([]float64, error) {
			geom, err := otkit.NewPointCloud(bitCloud(5, 300, 2, 0), bitCloud(6, 280, 2, 0), otkit.PointCloudOptions{Epsilon: 0.001})
			if err != nil {
				return nil, err
			}
			r, err := otkit.EpsScaling(geom, nil, nil, otkit.EpsScalingOptions{})
			if r == nil {
				return nil, err
			}
			// Before issue 19 Iterations counted the annealing updates
			// too; they are in Levels now (the hashed value is the same).
			out := sinkhornBits(r.SinkhornResult)
			out[len(out)-2] = float64(levelIterations(r.Levels, true))
			return out, nil
		}},
		{"multiscale", func() ([]float64, error) {
			geom, err := otkit.NewPointCloud(bitCloud(7, 3000, 2, 0), bitCloud(8, 2500, 2, 0), otkit.PointCloudOptions{Epsilon: 0.0025, Online: true})
			if err != nil {
				return nil, err
			}
			r, err := otkit.MultiscaleSinkhorn(geom, nil, nil, otkit.MultiscaleOptions{})
			if r == nil {
				return nil, err
			}
			// Before issue 19 Iterations summed the fine rounds; it is the
			// last round's now and Levels lists each (the hashed value is
			// the same).
			out := sinkhornBits(r.SinkhornResult)
			out[len(out)-2] = float64(levelIterations(r.Levels, false))
			return append(out, r.KeptFraction, r.MassBound, float64(r.XClusters), float64(r.YClusters)), nil
		}},
		{"multiscale-divergence", func() ([]float64, error) {
			r, err := otkit.MultiscaleDivergence(bitCloud(9, 1500, 2, 0), bitCloud(10, 1200, 2, 0.1), nil, nil,
				otkit.MultiscaleDivergenceOptions{Epsilon: 0.004})
			if r == nil {
				return nil, err
			}
			out := []float64{r.Divergence}
			for _, s := range []*otkit.SinkhornResult{r.XY, r.XX, r.YY} {
				out = append(out, sinkhornBits(s)...)
			}
			return out, nil
		}},
		{"barycenter", func() ([]float64, error) {
			const n = 40
			pts := mat.NewDense(n, 1, nil)
			for i := 0; i < n; i++ {
				pts.Set(i, 0, float64(i)/(n-1))
			}
			geom, err := otkit.NewPointCloud(pts, nil, otkit.PointCloudOptions{Epsilon: 0.002})
			if err != nil {
				return nil, err
			}
			h1, h2 := bitWeights(11, n, false), bitWeights(12, n, false)
			r, err := otkit.Barycenter(geom, [][]float64{h1, h2}, otkit.BarycenterOptions{Threshold: 1e-9})
			if err != nil {
				return nil, err
			}
			out := append([]float64{}, r.Histogram...)
			out = append(out, r.Errors...)
			for k := range r.F {
				out = append(out, r.F[k]...)
				out = append(out, r.G[k]...)
			}
			return out, nil
		}},
		{"barycenter-convolutional", func() ([]float64, error) {
			imgs := make([]*mat.Dense, 3)
			for k := range imgs {
				w := bitWeights(uint64(20+k), 24*24, false)
				imgs[k] = mat.NewDense(24, 24, w)
			}
			r, err := otkit.ConvolutionalBarycenter(imgs, otkit.ConvolutionalBarycenterOptions{Epsilon: 0.004})
			if err != nil {
				return nil, err
			}
			return append(append([]float64{}, r.Image.RawMatrix().Data...), r.Errors...), nil
		}},
		{"barycenter-free", func() ([]float64, error) {
			clouds := []*mat.Dense{bitCloud(30, 20, 2, 0), bitCloud(31, 25, 2, 0.5), bitCloud(32, 30, 2, 1)}
			x0 := bitCloud(33, 15, 2, 0.2)
			out := []float64{}
			for _, eps := range []float64{0, 0.01} {
				r, err := otkit.FreeSupportBarycenter(clouds, nil, x0, otkit.FreeSupportBarycenterOptions{Epsilon: eps})
				if err != nil {
					return nil, err
				}
				out = append(out, r.X.RawMatrix().Data...)
				out = append(out, float64(r.Iterations))
			}
			return out, nil
		}},
		{"gromov", func() ([]float64, error) {
			r, err := otkit.EntropicGromovWassersteinPoints(bitCloud(40, 30, 2, 0), bitCloud(41, 25, 3, 0), nil, nil, nil, otkit.GromovOptions{Epsilon: 0.01})
			if err != nil {
				return nil, err
			}
			out := append([]float64{r.Cost}, r.Coupling.RawMatrix().Data...)
			return append(out, r.Errors...), nil
		}},
		{"emd", func() ([]float64, error) {
			out := []float64{}
			for _, n := range []int{40, 300} {
				r, err := otkit.EMDPoints(bitCloud(50, n, 2, 0), bitCloud(51, n+7, 2, 0), bitWeights(52, n, false), bitWeights(53, n+7, false), otkit.EMDOptions{})
				if err != nil {
					return nil, err
				}
				out = append(out, r.Cost, float64(r.Iterations))
				out = append(out, r.F...)
				out = append(out, r.G...)
				for _, e := range r.Plan {
					out = append(out, float64(e.I), float64(e.J), e.Mass)
				}
			}
			return out, nil
		}},
		{"wasserstein1d", func() ([]float64, error) {
			rng := rand.New(rand.NewPCG(60, 1))
			u, v := make([]float64, 500), make([]float64, 700)
			for i := range u {
				u[i] = rng.NormFloat64()
			}
			for i := range v {
				v[i] = rng.NormFloat64() + 0.5
			}
			out := []float64{}
			for _, p := range []float64{1, 2, 3} {
				r, err := otkit.Wasserstein1D(u, v, bitWeights(61, 500, false), bitWeights(62, 700, false), otkit.Wasserstein1DOptions{P: p})
				if err != nil {
					return nil, err
				}
				out = append(out, r.Cost, r.Distance)
				out = append(out, r.GradU...)
				out = append(out, r.GradV...)
			}
			return out, nil
		}},
		{"sliced", func() ([]float64, error) {
			r, err := otkit.SlicedWasserstein(bitCloud(70, 400, 3, 0), bitCloud(71, 300, 3, 0.2), nil, nil,
				otkit.SlicedOptions{Seed: 3, Gradient: true})
			if err != nil {
				return nil, err
			}
			out := []float64{r.Cost, r.Distance, r.MaxDistance}
			out = append(out, r.Projected...)
			return append(out, r.GradX.RawMatrix().Data...), nil
		}},
		{"entropicmap", func() ([]float64, error) {
			geom, err := otkit.NewPointCloud(bitCloud(80, 200, 2, 0), bitCloud(81, 180, 2, 0.4), otkit.PointCloudOptions{Epsilon: 0.01})
			if err != nil {
				return nil, err
			}
			r, err := otkit.Sinkhorn(geom, nil, nil, otkit.SinkhornOptions{})
			if err != nil {
				return nil, err
			}
			em, err := otkit.NewEntropicMap(r)
			if err != nil {
				return nil, err
			}
			tx, err := em.Transport(bitCloud(82, 50, 2, 0))
			if err != nil {
				return nil, err
			}
			return tx.RawMatrix().Data, nil
		}},
		{"flow", func() ([]float64, error) {
			y := bitCloud(90, 40, 2, 1)
			r, err := otkit.GradientFlow(bitCloud(91, 30, 2, 0), otkit.DivergenceObjective(y, otkit.DivergenceOptions{Epsilon: 0.1}),
				otkit.FlowOptions{Steps: 20, Every: 10})
			if err != nil {
				return nil, err
			}
			out := append([]float64{}, r.X.RawMatrix().Data...)
			for _, f := range r.Frames {
				out = append(out, f.Value)
			}
			return out, nil
		}},
		{"fitem", func() ([]float64, error) {
			rng := rand.New(rand.NewPCG(100, 1))
			x := bitCloud(101, 600, 2, 0)
			m, err := otkit.InitKMeansPlusPlus(rng, x, nil, 3)
			if err != nil {
				return nil, err
			}
			fit, err := otkit.FitEM(m, x, otkit.EMOptions{Steps: 10})
			if err != nil {
				return nil, err
			}
			return mixtureBits(fit.Mixture), nil
		}},
		{"fitpair", func() ([]float64, error) {
			rng := rand.New(rand.NewPCG(110, 1))
			x0 := bitCloud(111, 300, 2, 0)
			x1 := bitCloud(112, 300, 2, 0.5)
			m0, err := otkit.InitKMeansPlusPlus(rng, x0, nil, 2)
			if err != nil {
				return nil, err
			}
			out := []float64{}
			for _, tau := range []float64{1, 0.8} {
				pair, err := otkit.NewMixturePair(m0, m0.Clone(), otkit.MixturePairOptions{Epsilon: 0.1, Tau: tau})
				if err != nil {
					return nil, err
				}
				r, err := otkit.FitPair(pair, x0, x1, otkit.PairFitOptions{WeightTransport: 0.1, EMSteps: 3, MSteps: 10, LearningRate: 0.01})
				if err != nil {
					return nil, err
				}
				out = append(out, r.Objective, r.Q0, r.Q1, r.Transport)
				out = append(out, mixtureBits(r.Pair.GMM0)...)
				out = append(out, mixtureBits(r.Pair.GMM1)...)
			}
			return out, nil
		}},
	}
	return cases
}

// levelIterations sums the iterations of the levels: all of them with
// coarse, else only the fine ones.
func levelIterations(levels []otkit.ScalingLevel, coarse bool) int {
	n := 0
	for _, l := range levels {
		if coarse || !l.Coarse {
			n += l.Iterations
		}
	}
	return n
}

func mixtureBits(m *otkit.GaussianMixture) []float64 {
	out := append([]float64{}, m.Weights()...)
	for _, mu := range m.Means() {
		out = append(out, mu...)
	}
	covs, err := m.Covariances()
	if err == nil {
		for _, c := range covs {
			out = append(out, c.RawSymmetric().Data...)
		}
	}
	return out
}
