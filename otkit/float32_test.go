package otkit

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// TestSinkhornFloat32POT solves the POT cross-check problems with
// SinkhornOptions.Float32 (stored and online costs) for as many iterations
// as the float64 solve needs to reach 1e-13, and compares plan, costs and
// potentials with POT's (as TestPOTReference does for float64). The
// tolerances are about 3× the worst measured errors (logged), and far above
// the float64 ones.
func TestSinkhornFloat32POT(t *testing.T) {
	for _, c := range loadPOTCases(t) {
		for _, online := range []bool{false, true} {
			name := fmt.Sprintf("%s/online=%v", c.Name, online)
			g, err := NewPointCloud(denseFromRows(c.X), denseFromRows(c.Y), PointCloudOptions{Epsilon: c.Eps, Online: online})
			if err != nil {
				t.Fatal(err)
			}
			r64, err := Sinkhorn(g, c.A, c.B, potTightOptions(c))
			if err != nil || !r64.Converged {
				t.Fatalf("%s: float64 solve failed", name)
			}
			opt := SinkhornOptions{Threshold: 1e-13, MinIterations: r64.Iterations, MaxIterations: r64.Iterations,
				TauA: c.Tau, TauB: c.Tau, Float32: true}
			r32, err := Sinkhorn(g, c.A, c.B, opt)
			if err != nil || r32.Iterations != r64.Iterations || !isFinite(r32.RegOTCost) {
				t.Fatalf("%s: float32 solve: %v", name, err)
			}
			scale := 1.0
			for _, v := range append(append([]float64{}, c.F...), c.G...) {
				scale = math.Max(scale, math.Abs(v))
			}
			potErr := func(r *SinkhornResult) float64 {
				shift := 0.0
				if c.Tau == 1 {
					for i := range c.F {
						shift += r.F[i] - c.F[i]
					}
					shift /= float64(len(c.F))
				}
				w := 0.0
				for i := range c.F {
					w = math.Max(w, math.Abs(r.F[i]-shift-c.F[i])/scale)
				}
				for j := range c.G {
					w = math.Max(w, math.Abs(r.G[j]+shift-c.G[j])/scale)
				}
				return w
			}
			planErr := func(r *SinkhornResult) float64 {
				p := r.Matrix()
				w := 0.0
				for i := range c.Coupling {
					for j, want := range c.Coupling[i] {
						w = math.Max(w, math.Abs(p.At(i, j)-want)/math.Max(want, 1e-300))
					}
				}
				return w
			}
			e32 := [3]float64{relDiff(r32.RegOTCost, c.RegOTCost), planErr(r32), potErr(r32)}
			e64 := [3]float64{relDiff(r64.RegOTCost, c.RegOTCost), planErr(r64), potErr(r64)}
			t.Logf("%s (%d it): vs POT, float32: cost %.1e plan %.1e f/g %.1e | float64: cost %.1e plan %.1e f/g %.1e",
				name, r32.Iterations, e32[0], e32[1], e32[2], e64[0], e64[1], e64[2])
			for k, what := range []string{"RegOTCost", "plan", "potentials"} {
				if !(e32[k] <= float32Tol[k]) {
					t.Errorf("%s: float32 %s differs from POT by %.2g relative", name, what, e32[k])
				}
			}
		}
	}
}

// float32Tol bounds the float32 solve's relative errors against POT:
// RegOTCost, plan entries, potentials (relative to their largest entry);
// measured worst 2.3e-12, 1.5e-4, 1.5e-6.
var float32Tol = [3]float64{1e-11, 5e-4, 5e-6}

// TestSinkhornFloat32GOMAXPROCS: a float32 solve large enough to run in
// parallel gives the same bits on one and two goroutines.
func TestSinkhornFloat32GOMAXPROCS(t *testing.T) {
	x, y := randCloud(5, 300, 2, 1, 0), randCloud(6, 400, 2, 1, 0.5)
	for _, online := range []bool{false, true} {
		g, err := NewPointCloud(x, y, PointCloudOptions{Online: online})
		if err != nil {
			t.Fatal(err)
		}
		var res [2]*SinkhornResult
		for i, procs := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(procs)
			res[i], err = Sinkhorn(g, nil, nil, SinkhornOptions{Float32: true})
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
		if res[0].RegOTCost != res[1].RegOTCost || res[0].Iterations != res[1].Iterations {
			t.Fatalf("online=%v: RegOTCost %v vs %v", online, res[0].RegOTCost, res[1].RegOTCost)
		}
	}
}

func rowsOf(x []float64, d int) [][]float64 {
	rows := make([][]float64, len(x)/d)
	for i := range rows {
		rows[i] = x[i*d : (i+1)*d]
	}
	return rows
}

// TestDense32CopiesCached: float32 solves on one stored geometry share one
// pair of float32 copies, built once (also when solves start concurrently),
// and a float32 solve then matches a kernel built from scratch bit for bit.
func TestDense32CopiesCached(t *testing.T) {
	g, err := NewPointCloud(randCloud(6, 30, 2, 1, 0), randCloud(7, 50, 2, 1, 0.5), PointCloudOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const eps = 0.05
	f := randDir(8, 30)
	kerns := make([]*lse.Dense32, 4)
	done := make(chan int)
	for i := range kerns {
		go func() { kerns[i], _ = g.dense32(); done <- i }()
	}
	for range kerns {
		<-done
	}
	if len(g.cost32.c) == 0 {
		t.Fatal("no float32 copies")
	}
	c0 := &g.cost32.c[0]
	for range 3 {
		g.dense32()
		if &g.cost32.c[0] != c0 {
			t.Fatal("float32 copies built more than once")
		}
	}
	c32, ct32, _ := lse.Float32Copies(g.cost, g.n, g.m, false)
	fresh := lse.NewDense32(c32, ct32, g.n, g.m)
	a, b := make([]float64, g.m), make([]float64, g.m)
	kerns[0].ColLSE(a, f, eps)
	fresh.ColLSE(b, f, eps)
	for j := range a {
		if a[j] != b[j] {
			t.Fatalf("colLSE[%d]: cached %v, fresh %v", j, a[j], b[j])
		}
	}
}

// TestFloat32OutOfRange: where costs/eps would overflow float32 the solver
// keeps the float64 kernels, so the result is the float64 one, finite.
func TestFloat32OutOfRange(t *testing.T) {
	x := denseFromRows([][]float64{{0, 0}, {1e16, 0}, {0, 1}})
	y := denseFromRows([][]float64{{1, 1}, {2e16, 0}})
	for _, online := range []bool{false, true} {
		g, err := NewPointCloud(x, y, PointCloudOptions{Online: online, Epsilon: 1})
		if err != nil {
			t.Fatal(err)
		}
		if float32KernelFor(g) != nil {
			t.Fatalf("online=%v: float32 kernel for costs of 1e32", online)
		}
		// Same kernels, same outcome: the same result, or the same error.
		r32, err32 := Sinkhorn(g, nil, nil, SinkhornOptions{Float32: true})
		r64, err64 := Sinkhorn(g, nil, nil, SinkhornOptions{})
		if (err32 == nil) != (err64 == nil) {
			t.Fatalf("online=%v: float32 option gives error %v, float64 %v", online, err32, err64)
		}
		if err32 == nil && (r32.RegOTCost != r64.RegOTCost || !isFinite(r32.RegOTCost)) {
			t.Fatalf("online=%v: float32 option gives %v, float64 %v", online, r32.RegOTCost, r64.RegOTCost)
		}
	}
	g, err := NewPointCloud(x, nil, PointCloudOptions{Epsilon: 1e-31})
	if err != nil {
		t.Fatal(err)
	}
	if float32KernelFor(g) != nil {
		t.Fatal("float32 kernel at eps = 1e-31")
	}
}
