package lse

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestFast32LSEShiftRedo drives the one-pass blocks of the float32 row
// reductions (summed at the running shift, addAtShift32) through both
// outcomes: rows whose first block holds terms e^100 smaller than later
// ones (those blocks are summed again at their own maximum) and rows whose
// later blocks are e^100 smaller (flushed against the shift). Any
// GOMAXPROCS gives the same bits and the float64 kernel's values to float32 accuracy;
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
	NewDenseFast(c, n, m, false).RowLSE(want, h, 1)
	var base [][]float64
	for _, procs := range []int{1, 2} {
		var res [][]float64
		atProcs(procs, func() {
			for _, kern := range []Kernel{newDense32(c, n, m, false), NewSqEuclid32(x, y, n, m, d, 1)} {
				out := make([]float64, n)
				kern.RowLSE(out, h, 1)
				res = append(res, out)
			}
		})
		for r, out := range res {
			for i := range out {
				if e := math.Abs(out[i] - want[i]); e > 1e-5*(1+math.Abs(want[i])) {
					t.Errorf("%s kernel %d row %d: %v, float64 %v", procsName(procs), r, i, out[i], want[i])
				}
				if base != nil && math.Float64bits(out[i]) != math.Float64bits(base[r][i]) {
					t.Errorf("%s kernel %d row %d: %v, GOMAXPROCS=1 %v", procsName(procs), r, i, out[i], base[r][i])
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
	(&Dense{c: c, n: n, m: m}).RowLSE(ref, h, 0.1)
	var base64 [][]float64
	for _, procs := range []int{1, 2} {
		var res [][]float64
		atProcs(procs, func() {
			online := NewSqEuclidFast(x, y, lseTestNorms(x, d), lseTestNorms(y, d), n, m, d, 1)
			for _, kern := range []Kernel{NewDenseFast(c, n, m, false), online} {
				out := make([]float64, n)
				kern.RowLSE(out, h, 0.1)
				res = append(res, out)
			}
		})
		for r, out := range res {
			for i := range out {
				if e := math.Abs(out[i] - ref[i]); e > 1e-13*(1+math.Abs(ref[i])) {
					t.Errorf("float64 %s kernel %d row %d: %v, reference %v", procsName(procs), r, i, out[i], ref[i])
				}
				if base64 != nil && math.Float64bits(out[i]) != math.Float64bits(base64[r][i]) {
					t.Errorf("float64 %s kernel %d row %d: %v, GOMAXPROCS=1 %v", procsName(procs), r, i, out[i], base64[r][i])
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
	(&Dense{c: c, n: n, m: m}).ColLSE(refCol, hr, 0.1)
	var baseCol []float64
	for _, procs := range []int{1, 2} {
		out := make([]float64, m)
		atProcs(procs, func() { NewDenseFast(c, n, m, false).ColLSE(out, hr, 0.1) })
		for j := range out {
			if e := math.Abs(out[j] - refCol[j]); e > 1e-13*(1+math.Abs(refCol[j])) {
				t.Fatalf("float64 %s column %d: %v, reference %v", procsName(procs), j, out[j], refCol[j])
			}
			if baseCol != nil && math.Float64bits(out[j]) != math.Float64bits(baseCol[j]) {
				t.Fatalf("float64 %s column %d: %v, GOMAXPROCS=1 %v", procsName(procs), j, out[j], baseCol[j])
			}
		}
		baseCol = out
	}
}

func newLSE32Kernels(k *lseTestCase) []Kernel {
	return []Kernel{newDense32(k.c, k.n, k.m, false), NewSqEuclid32(k.x, k.y, k.n, k.m, k.d, k.scale)}
}

// TestFast32LSEMatchesReference checks the float32 kernels against the
// float64 fast kernel (itself within 1e-13 of the math.Exp reference,
// TestFastLSEMatchesReference) on the random problems of the float64
// kernels: the error is float32 rounding of the exponents, relative to the
// size of the terms (tolerance 2e-7; measured worst 3.9e-8).
func TestFast32LSEMatchesReference(t *testing.T) {
	worst := 0.0
	for _, k := range lseTestCases(t) {
		ref := NewDenseFast(k.c, k.n, k.m, false)
		wantRow, wantCol := make([]float64, k.n), make([]float64, k.m)
		ref.RowLSE(wantRow, k.g, k.eps)
		ref.ColLSE(wantCol, k.f, k.eps)
		for _, kern := range newLSE32Kernels(k) {
			row, col := make([]float64, k.n), make([]float64, k.m)
			kern.RowLSE(row, k.g, k.eps)
			kern.ColLSE(col, k.f, k.eps)
			for _, v := range []struct {
				what      string
				got, want []float64
			}{{"RowLSE", row, wantRow}, {"ColLSE", col, wantCol}} {
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

// TestFast32LSEBitExact: the inline and the parallel paths (GOMAXPROCS 1
// against 2 and 3, above parallel.MinWork), repeated calls (the scratch is
// reused) and any GOMAXPROCS give the same bits. (The instruction-set
// levels are internal/simd's: its tests compare every level bit for bit.)
func TestFast32LSEBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 32))
	for _, d := range []int{2, 3} {
		for _, sz := range [][2]int{{61, lseBlock32 + 237}, {300, 130}, {9, 130}, {33, 31}} {
			k := newLSETestCase(rng, sz[0], sz[1], d, 1, 1, 0.01, 0.05)
			run := func(procs int) [][]float64 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				var res [][]float64
				for _, kern := range newLSE32Kernels(k) {
					for rep := 0; rep < 2; rep++ { // the second call reuses the scratch
						row, col := make([]float64, k.n), make([]float64, k.m)
						kern.RowLSE(row, k.g, k.eps)
						kern.ColLSE(col, k.f, k.eps)
						res = append(res, row, col)
					}
				}
				return res
			}
			base := run(1)
			for _, procs := range []int{2, 3} {
				got := run(procs)
				for r := range base {
					for i := range base[r] {
						if math.Float64bits(got[r][i]) != math.Float64bits(base[r][i]) {
							t.Fatalf("d=%d %dx%d GOMAXPROCS=%d: result %d[%d] = %v, GOMAXPROCS=1 %v",
								d, k.n, k.m, procs, r, i, got[r][i], base[r][i])
						}
					}
				}
			}
		}
	}
}

// TestFast32LSESymmetricAndInf: a symmetric matrix gives RowLSE = ColLSE
// bit for bit, and all −Inf inputs give −Inf.
func TestFast32LSESymmetricAndInf(t *testing.T) {
	k := newLSETestCase(rand.New(rand.NewPCG(4, 32)), 40, 40, 2, 1, 1, 0.05, 0.1)
	for i := 0; i < k.n; i++ {
		for j := 0; j < i; j++ {
			k.c[i*k.n+j] = k.c[j*k.n+i]
		}
	}
	kern := newDense32(k.c, k.n, k.n, true)
	row, col := make([]float64, k.n), make([]float64, k.n)
	kern.RowLSE(row, k.f, k.eps)
	kern.ColLSE(col, k.f, k.eps)
	for i := range row {
		if row[i] != col[i] || math.IsNaN(row[i]) {
			t.Fatalf("symmetric: RowLSE[%d] = %v, ColLSE = %v", i, row[i], col[i])
		}
	}
	ninf := make([]float64, k.n)
	fillInf(ninf)
	for _, kern := range newLSE32Kernels(k) {
		kern.RowLSE(row, ninf, k.eps)
		for i := range row {
			if !math.IsInf(row[i], -1) {
				t.Fatalf("%T: all −Inf input gives %v", kern, row[i])
			}
		}
	}
}
func newDense32(c []float64, n, m int, symmetric bool) *Dense32 {
	k := &Dense32{n: n, m: m}
	k.c, k.ct, _ = Float32Copies(c, n, m, symmetric)
	return k
}
