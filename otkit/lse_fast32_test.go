package otkit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestFast32LSEShiftRedo drives the one-pass blocks of the float32 row
// reductions (summed at the running shift, addAtShift32) through both
// outcomes: rows whose first block holds terms e^100 smaller than later
// ones (those blocks are summed again at their own maximum) and rows whose
// later blocks are e^100 smaller (flushed against the shift). Every path
// gives the same bits and the float64 kernel's values to float32 accuracy;
// the same for the float64 kernel's one-pass row blocks and column shifts
// against the reference.
func TestFast32LSEShiftRedo(t *testing.T) {
	// The online kernel's blocks (lseBlockOnline32) are the longer ones:
	// with its block the middle, the stored kernel also sees both outcomes.
	const n, m, d = 2, lseHead32 + lseBlockOnline32 + 300, 2
	x := []float64{0, 0, 0.5, 0}
	y := make([]float64, m*d)
	for j := 0; j < m; j++ {
		y[j*d] = 0.001 * float64(j%7)
		if j < lseHead32 || j >= lseHead32+lseBlockOnline32 {
			y[j*d] = 10 + 0.001*float64(j%5) // cost ≈ 100 from x_0
		}
	}
	c := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			d0, d1 := x[i*d]-y[j*d], x[i*d+1]-y[j*d+1]
			c[i*m+j] = d0*d0 + d1*d1
		}
	}
	h := make([]float64, m)
	want := make([]float64, n)
	newDenseFastLSE(c, n, m, false).rowLSE(want, h, 1)
	var base [][]float64
	for _, level := range []int{lseTestGo, lseTestBest, lseTestAVX2} {
		var res [][]float64
		lseTestAt(level, func() {
			for _, kern := range []lseKernel{newDense32LSE(c, n, m, false), newSqEuclid32LSE(x, y, n, m, d, 1)} {
				out := make([]float64, n)
				kern.rowLSE(out, h, 1)
				res = append(res, out)
			}
		})
		for r, out := range res {
			for i := range out {
				if e := math.Abs(out[i] - want[i]); e > 1e-5*(1+math.Abs(want[i])) {
					t.Errorf("%s kernel %d row %d: %v, float64 %v", lseTestLevelName[level], r, i, out[i], want[i])
				}
				if base != nil && math.Float64bits(out[i]) != math.Float64bits(base[r][i]) {
					t.Errorf("%s kernel %d row %d: %v, pure Go %v", lseTestLevelName[level], r, i, out[i], base[r][i])
				}
			}
		}
		if base == nil {
			base = res
		}
	}

	// The float64 row reductions take the same one-pass route (addAtShift)
	// with a slack of e^300: at eps = 0.1 the blocks differ by e^1000.
	ref := make([]float64, n)
	(&denseLSE{c: c, n: n, m: m}).rowLSE(ref, h, 0.1)
	var base64 [][]float64
	for _, level := range []int{lseTestGo, lseTestBest, lseTestAVX2} {
		var res [][]float64
		lseTestAt(level, func() {
			online := newSqEuclidFastLSE(x, y, lseTestNorms(x, d), lseTestNorms(y, d), n, m, d, 1)
			for _, kern := range []lseKernel{newDenseFastLSE(c, n, m, false), online} {
				out := make([]float64, n)
				kern.rowLSE(out, h, 0.1)
				res = append(res, out)
			}
		})
		for r, out := range res {
			for i := range out {
				if e := math.Abs(out[i] - ref[i]); e > 1e-13*(1+math.Abs(ref[i])) {
					t.Errorf("float64 %s kernel %d row %d: %v, reference %v", lseTestLevelName[level], r, i, out[i], ref[i])
				}
				if base64 != nil && math.Float64bits(out[i]) != math.Float64bits(base64[r][i]) {
					t.Errorf("float64 %s kernel %d row %d: %v, pure Go %v", lseTestLevelName[level], r, i, out[i], base64[r][i])
				}
			}
		}
		base64 = res
	}

	// The float64 column reductions move a column's shift only when a term
	// exceeds it by more than e^300 (shiftStep): here the second row's
	// terms exceed the first's by about e^1000.
	hr := []float64{-100, 0}
	refCol := make([]float64, m)
	(&denseLSE{c: c, n: n, m: m}).colLSE(refCol, hr, 0.1)
	var baseCol []float64
	for _, level := range []int{lseTestGo, lseTestBest, lseTestAVX2} {
		out := make([]float64, m)
		lseTestAt(level, func() { newDenseFastLSE(c, n, m, false).colLSE(out, hr, 0.1) })
		for j := range out {
			if e := math.Abs(out[j] - refCol[j]); e > 1e-13*(1+math.Abs(refCol[j])) {
				t.Fatalf("float64 %s column %d: %v, reference %v", lseTestLevelName[level], j, out[j], refCol[j])
			}
			if baseCol != nil && math.Float64bits(out[j]) != math.Float64bits(baseCol[j]) {
				t.Fatalf("float64 %s column %d: %v, pure Go %v", lseTestLevelName[level], j, out[j], baseCol[j])
			}
		}
		baseCol = out
	}
}

func newLSE32Kernels(k *lseTestCase) []lseKernel {
	return []lseKernel{newDense32LSE(k.c, k.n, k.m, false), newSqEuclid32LSE(k.x, k.y, k.n, k.m, k.d, k.scale)}
}

// TestFast32LSEMatchesReference checks the float32 kernels against the
// float64 fast kernel (itself within 1e-13 of the math.Exp reference,
// TestFastLSEMatchesReference) on the random problems of the float64
// kernels: the error is float32 rounding of the exponents, relative to the
// size of the terms (tolerance 2e-7; measured worst 3.9e-8).
func TestFast32LSEMatchesReference(t *testing.T) {
	worst := 0.0
	for _, k := range lseTestCases(t) {
		ref := newDenseFastLSE(k.c, k.n, k.m, false)
		wantRow, wantCol := make([]float64, k.n), make([]float64, k.m)
		ref.rowLSE(wantRow, k.g, k.eps)
		ref.colLSE(wantCol, k.f, k.eps)
		for _, kern := range newLSE32Kernels(k) {
			row, col := make([]float64, k.n), make([]float64, k.m)
			kern.rowLSE(row, k.g, k.eps)
			kern.colLSE(col, k.f, k.eps)
			for _, v := range []struct {
				what      string
				got, want []float64
			}{{"rowLSE", row, wantRow}, {"colLSE", col, wantCol}} {
				for i, g := range v.got {
					w := v.want[i]
					if math.IsInf(w, -1) || math.IsInf(g, -1) {
						if g != w {
							t.Fatalf("%s %T %s[%d] = %v, want %v", k.name, kern, v.what, i, g, w)
						}
						continue
					}
					e := math.Abs(g-w) / (math.Abs(w) + k.magnitude)
					worst = math.Max(worst, e)
					if !(e <= 2e-7) {
						t.Fatalf("%s %T %s[%d] = %.17g, want %.17g (error %.2g relative to the terms)", k.name, kern, v.what, i, g, w, e)
					}
				}
			}
		}
	}
	t.Logf("worst error relative to the size of the terms: %.2g", worst)
}

// TestFast32LSEBitExact: the assembly and pure-Go loops, the inline and the
// parallel paths, and any GOMAXPROCS give the same bits.
func TestFast32LSEBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 32))
	for _, d := range []int{2, 3} {
		for _, sz := range [][2]int{{61, lseBlock32 + 237}, {9, 130}, {33, 31}} {
			k := newLSETestCase(rng, sz[0], sz[1], d, 1, 1, 0.01, 0.05)
			run := func(procs, level, work int) [][]float64 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				defer func(w int) { fastParallelWork = w }(fastParallelWork)
				fastParallelWork = work
				var res [][]float64
				lseTestAt(level, func() {
					for _, kern := range newLSE32Kernels(k) {
						for rep := 0; rep < 2; rep++ { // the second call reuses the scratch
							row, col := make([]float64, k.n), make([]float64, k.m)
							kern.rowLSE(row, k.g, k.eps)
							kern.colLSE(col, k.f, k.eps)
							res = append(res, row, col)
						}
					}
				})
				return res
			}
			base := run(1, lseTestGo, math.MaxInt)
			for _, v := range []struct{ procs, level, work int }{
				{1, lseTestBest, math.MaxInt}, {2, lseTestBest, 0}, {3, lseTestBest, 0},
				{1, lseTestAVX2, math.MaxInt}, {2, lseTestAVX2, 0}, {2, lseTestGo, 0},
			} {
				got := run(v.procs, v.level, v.work)
				for r := range base {
					for i := range base[r] {
						if math.Float64bits(got[r][i]) != math.Float64bits(base[r][i]) {
							t.Fatalf("d=%d %dx%d GOMAXPROCS=%d %s work=%d: result %d[%d] = %v, pure Go %v",
								d, k.n, k.m, v.procs, lseTestLevelName[v.level], v.work, r, i, got[r][i], base[r][i])
						}
					}
				}
			}
		}
	}
}

// TestFast32LSESymmetricAndInf: a symmetric matrix gives rowLSE = colLSE
// bit for bit, and all −Inf inputs give −Inf.
func TestFast32LSESymmetricAndInf(t *testing.T) {
	k := newLSETestCase(rand.New(rand.NewPCG(4, 32)), 40, 40, 2, 1, 1, 0.05, 0.1)
	for i := 0; i < k.n; i++ {
		for j := 0; j < i; j++ {
			k.c[i*k.n+j] = k.c[j*k.n+i]
		}
	}
	kern := newDense32LSE(k.c, k.n, k.n, true)
	row, col := make([]float64, k.n), make([]float64, k.n)
	kern.rowLSE(row, k.f, k.eps)
	kern.colLSE(col, k.f, k.eps)
	for i := range row {
		if row[i] != col[i] || math.IsNaN(row[i]) {
			t.Fatalf("symmetric: rowLSE[%d] = %v, colLSE = %v", i, row[i], col[i])
		}
	}
	ninf := make([]float64, k.n)
	fillInf(ninf)
	for _, kern := range newLSE32Kernels(k) {
		kern.rowLSE(row, ninf, k.eps)
		for i := range row {
			if !math.IsInf(row[i], -1) {
				t.Fatalf("%T: all −Inf input gives %v", kern, row[i])
			}
		}
	}
}

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
	k := newLSETestCase(rand.New(rand.NewPCG(5, 32)), 300, 400, 2, 1, 1, 0.01, 0)
	for _, online := range []bool{false, true} {
		g, err := NewPointCloud(denseFromRows(rowsOf(k.x, 2)), denseFromRows(rowsOf(k.y, 2)), PointCloudOptions{Online: online})
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
	k := newLSETestCase(rand.New(rand.NewPCG(6, 32)), 30, 50, 2, 1, 1, 0.05, 0)
	g, err := NewPointCloud(denseFromRows(rowsOf(k.x, 2)), denseFromRows(rowsOf(k.y, 2)), PointCloudOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kerns := make([]*dense32LSE, 4)
	done := make(chan int)
	for i := range kerns {
		go func() { kerns[i], _ = g.dense32(); done <- i }()
	}
	for range kerns {
		<-done
	}
	for _, kk := range kerns[1:] {
		if &kk.c[0] != &kerns[0].c[0] || &kk.ct[0] != &kerns[0].ct[0] {
			t.Fatal("float32 copies built more than once")
		}
	}
	fresh := newDense32LSE(g.cost, g.n, g.m, false)
	a, b := make([]float64, g.m), make([]float64, g.m)
	kerns[0].colLSE(a, k.f, k.eps)
	fresh.colLSE(b, k.f, k.eps)
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
