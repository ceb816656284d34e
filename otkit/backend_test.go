package otkit

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestChooseBackend: each kind of solve gets the path backend.go documents,
// and nothing of another path is built.
func TestChooseBackend(t *testing.T) {
	x, y := randCloud(1, 40, 2, 1, 0), randCloud(2, 30, 2, 1, 0.5)
	stored := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5})
	online := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5, Online: true})
	euclid := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.5, Online: true, Cost: Euclidean{}})
	small := mustCloud(t, randCloud(3, 10, 2, 1, 0), randCloud(4, 12, 2, 1, 0), PointCloudOptions{Epsilon: 0.5})
	for _, c := range []struct {
		name         string
		geom         *Geometry
		opt          SinkhornOptions
		iter, report string
		scaling      string // "", "small", "float64" or "float32" (the streamed K̃)
	}{
		{"stored", stored, SinkhornOptions{}, "*lse.DenseFast", "*lse.DenseFast", "float64"},
		{"stored Float32", stored, SinkhornOptions{Float32: true}, "*lse.DenseFast", "*lse.DenseFast", "float32"},
		{"stored unbalanced", stored, SinkhornOptions{TauA: 0.5}, "*lse.DenseFast", "*lse.DenseFast", ""},
		{"stored unbalanced Float32", stored, SinkhornOptions{TauA: 0.5, Float32: true}, "*lse.Dense32", "*lse.DenseFast", ""},
		{"stored reference", stored, SinkhornOptions{ReferenceKernel: true, Float32: true}, "*lse.Dense", "*lse.Dense", ""},
		{"small", small, SinkhornOptions{}, "*lse.DenseFast", "*lse.DenseFast", "small"},
		{"small Float32", small, SinkhornOptions{Float32: true}, "*lse.Dense32", "*lse.DenseFast", ""},
		{"online", online, SinkhornOptions{}, "*lse.SqEuclidFast", "*lse.SqEuclidFast", ""},
		{"online Float32", online, SinkhornOptions{Float32: true}, "*lse.SqEuclid32", "*lse.SqEuclidFast", ""},
		{"online reference", online, SinkhornOptions{ReferenceKernel: true}, "*lse.Online", "*lse.Online", ""},
		{"online Euclidean", euclid, SinkhornOptions{Float32: true}, "*lse.Online", "*lse.Online", ""},
	} {
		built := stored.cost32.c != nil // by an earlier float32 log-domain case
		n, m := c.geom.Shape()
		cfg, err := c.opt.resolve(n, m)
		if err != nil {
			t.Fatal(err)
		}
		a, b := randWeights(5, n, 1), randWeights(6, m, 1)
		be := chooseBackend(c.geom, a, b, cfg)
		scaling := ""
		switch {
		case be.sc == nil:
		case !be.sc.Streamed():
			scaling = "small"
		case be.sc.Float32():
			scaling = "float32"
		default:
			scaling = "float64"
		}
		if be.sc != nil {
			be.sc.Done()
		}
		if got := fmt.Sprintf("%T", be.iter); got != c.iter {
			t.Errorf("%s: iterations on %s, want %s", c.name, got, c.iter)
		}
		if got := fmt.Sprintf("%T", be.report); got != c.report {
			t.Errorf("%s: reports with %s, want %s", c.name, got, c.report)
		}
		if scaling != c.scaling {
			t.Errorf("%s: scaling form %q, want %q", c.name, scaling, c.scaling)
		}
		if c.geom == stored && c.iter != "*lse.Dense32" && !built && stored.cost32.c != nil {
			t.Errorf("%s: the float32 copies of C were built", c.name)
		}
	}
}

// TestFloat32StoredSolveBuildsNoCopies: a Float32 solve of a stored
// 4000×4000 problem runs in the streamed scaling form, whose float32 is its
// K̃ (n·m·4 bytes, 64 MB, fresh unless a solve of the same size left its
// buffer in kernelCache), and allocates nothing else of size n·m: the
// float32 copies of C and Cᵀ the log-domain float32 kernel would use are
// another 2·n·m·4 bytes (128 MB; building them took 1.17 s) and must not
// be built. The budget is K̃ plus 16 MB for the O(n + m) vectors, the
// per-block partial column sums (n/128 · m · 8 bytes = 4 MB) and the
// result.
func TestFloat32StoredSolveBuildsNoCopies(t *testing.T) {
	const n = 4000
	g := mustCloud(t, randCloud(7, n, 2, 1, 0), randCloud(8, n, 2, 1, 1), PointCloudOptions{Epsilon: 0.1})
	a, b := randWeights(9, n, 1), randWeights(10, n, 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	r, err := Sinkhorn(g, a, b, SinkhornOptions{Float32: true, MaxIterations: 10})
	elapsed := time.Since(t0)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	budget := uint64(n*n*4 + 16<<20)
	t.Logf("Float32 stored %d×%d solve, %d iterations: %.1f MB allocated (budget %.1f MB), %v",
		n, n, r.Iterations, float64(alloc)/(1<<20), float64(budget)/(1<<20), elapsed)
	if alloc > budget {
		t.Errorf("allocated %.1f MB, budget %.1f MB: a matrix the streamed form does not use was built", float64(alloc)/(1<<20), float64(budget)/(1<<20))
	}
	if g.cost32.c != nil || g.cost32.ct != nil {
		t.Error("the geometry's float32 copies of C were built")
	}
}
