package otkit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// TestFastKernelSinkhorn solves random problems with the fast and the
// reference kernel and compares what the solver reports.
func TestFastKernelSinkhorn(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	type problem struct {
		name string
		geom *Geometry
		a, b []float64
		opt  SinkhornOptions
	}
	var probs []problem
	cloud := func(n, d int, shift float64) *mat.Dense {
		x := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			for k := 0; k < d; k++ {
				x.Set(i, k, rng.NormFloat64()+shift)
			}
		}
		return x
	}
	weights := func(n int, zeros int) []float64 {
		w := make([]float64, n)
		s := 0.0
		for i := range w {
			if i >= zeros {
				w[i] = 0.5 + rng.Float64()
				s += w[i]
			}
		}
		for i := range w {
			w[i] /= s
		}
		rng.Shuffle(n, func(i, j int) { w[i], w[j] = w[j], w[i] })
		return w
	}
	for _, d := range []int{2, 3} {
		for _, online := range []bool{false, true} {
			for _, eps := range []float64{0, 0.01, 1, 100} {
				x, y := cloud(37, d, 0), cloud(53, d, 1)
				g, err := NewPointCloud(x, y, PointCloudOptions{Online: online, Epsilon: eps, ScaleCost: 1.5})
				if err != nil {
					t.Fatal(err)
				}
				for _, tau := range []float64{1, 0.7} {
					probs = append(probs, problem{
						name: fmt.Sprintf("d=%d online=%v eps=%g tau=%g", d, online, eps, tau),
						geom: g, a: weights(37, 5), b: weights(53, 3),
						opt: SinkhornOptions{TauA: tau, TauB: tau, MaxIterations: 300},
					})
				}
			}
		}
	}
	// A cost matrix with huge and tiny entries.
	c := mat.NewDense(20, 30, nil)
	for i := 0; i < 20; i++ {
		for j := 0; j < 30; j++ {
			c.Set(i, j, math.Pow(10, 8*rng.Float64()-4))
		}
	}
	gc, err := NewGeometry(c, GeometryOptions{Epsilon: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	probs = append(probs, problem{name: "matrix 1e-4..1e4", geom: gc, opt: SinkhornOptions{MaxIterations: 200}})

	for _, p := range probs {
		// The solver must pick the fast kernel unless told otherwise.
		switch k := float64Kernel(p.geom, p.opt.ReferenceKernel); k.(type) {
		case *lse.DenseFast, *lse.SqEuclidFast:
		default:
			t.Fatalf("%s: solver uses %T, want a fast kernel", p.name, k)
		}
		switch k := float64Kernel(p.geom, true); k.(type) {
		case *lse.Dense, *lse.Online:
		default:
			t.Fatalf("%s: with ReferenceKernel the solver uses %T", p.name, k)
		}
		fast, err := Sinkhorn(p.geom, p.a, p.b, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		ropt := p.opt
		ropt.ReferenceKernel = true
		ref, err := Sinkhorn(p.geom, p.a, p.b, ropt)
		if err != nil {
			t.Fatal(err)
		}
		if fast.Iterations != ref.Iterations || fast.Converged != ref.Converged {
			t.Errorf("%s: fast kernel ran %d iterations (converged %v), reference %d (%v)",
				p.name, fast.Iterations, fast.Converged, ref.Iterations, ref.Converged)
		}
		if d := math.Abs(fast.RegOTCost - ref.RegOTCost); d > 1e-10*math.Abs(ref.RegOTCost) {
			t.Errorf("%s: RegOTCost %.17g (fast) vs %.17g (reference), rel diff %.2g",
				p.name, fast.RegOTCost, ref.RegOTCost, d/math.Abs(ref.RegOTCost))
		}
	}
}

// TestFastKernelSinkhornGOMAXPROCS checks that a solve large enough to run
// in parallel gives the same bits on one and two goroutines.
func TestFastKernelSinkhornGOMAXPROCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	x := mat.NewDense(300, 2, nil)
	y := mat.NewDense(400, 2, nil)
	for _, m := range []*mat.Dense{x, y} {
		r, c := m.Dims()
		for i := 0; i < r; i++ {
			for k := 0; k < c; k++ {
				m.Set(i, k, rng.NormFloat64())
			}
		}
	}
	for _, online := range []bool{false, true} {
		g, err := NewPointCloud(x, y, PointCloudOptions{Online: online})
		if err != nil {
			t.Fatal(err)
		}
		var res [2]*SinkhornResult
		for k, procs := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(procs)
			res[k], err = Sinkhorn(g, nil, nil, SinkhornOptions{})
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range res[0].F {
			if res[0].F[i] != res[1].F[i] {
				t.Fatalf("online=%v: F[%d] = %v with GOMAXPROCS=1, %v with 2", online, i, res[0].F[i], res[1].F[i])
			}
		}
		if res[0].RegOTCost != res[1].RegOTCost {
			t.Fatalf("online=%v: RegOTCost %v vs %v", online, res[0].RegOTCost, res[1].RegOTCost)
		}
	}
}
