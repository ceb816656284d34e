package lse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/otlab/gootlab/otkit/internal/parallel"
)

// lseTestRef is the plain two-pass log-sum-exp with math.Exp, written
// independently of the kernels under test: out[r] = eps·log Σ_k exp((h_k −
// cost(r,k))/eps).
func lseTestRef(out, h []float64, eps float64, cost func(r, k int) float64) {
	for r := range out {
		mx := math.Inf(-1)
		for k := range h {
			if v := (h[k] - cost(r, k)) / eps; v > mx {
				mx = v
			}
		}
		if math.IsInf(mx, -1) {
			out[r] = mx
			continue
		}
		s := 0.0
		for k := range h {
			s += math.Exp((h[k]-cost(r, k))/eps - mx)
		}
		out[r] = eps * (mx + math.Log(s))
	}
}

// lseTestNorms returns the squared norms of the rows of a row-major array.
func lseTestNorms(x []float64, d int) []float64 {
	nrm := make([]float64, len(x)/d)
	for i := range nrm {
		for _, v := range x[i*d : (i+1)*d] {
			nrm[i] += v * v
		}
	}
	return nrm
}

// atProcs runs f at GOMAXPROCS procs. The kernels' results must not depend
// on it; 1 also forces the inline path. (The instruction-set levels are
// internal/simd's: its tests compare every level bit for bit, and
// GODEBUG=cpu.avx512f=off or -tags noasm runs these tests at another.)
func atProcs(procs int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	f()
}

func procsName(procs int) string { return fmt.Sprintf("GOMAXPROCS=%d", procs) }

// lseTestCase is one random kernel problem.
type lseTestCase struct {
	name       string
	n, m, d    int
	x, y       []float64 // row-major point clouds
	c          []float64 // scale·(norm-form squared distance)
	scale, eps float64
	f, g       []float64 // potentials (h for ColLSE, h for RowLSE)
	magnitude  float64   // size of the terms entering the reductions
}

func newLSETestCase(rng *rand.Rand, n, m, d int, spread, scale, epsRel float64, zeroFrac float64) *lseTestCase {
	k := &lseTestCase{n: n, m: m, d: d, scale: scale}
	k.x = make([]float64, n*d)
	k.y = make([]float64, m*d)
	for i := range k.x {
		k.x[i] = rng.NormFloat64() * spread
	}
	for i := range k.y {
		k.y[i] = rng.NormFloat64()*spread + 0.5*spread
	}
	k.c = make([]float64, n*m)
	cmax := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			nx, ny, dot := 0.0, 0.0, 0.0
			for t := 0; t < d; t++ {
				a, b := k.x[i*d+t], k.y[j*d+t]
				nx += a * a
				ny += b * b
				dot += a * b
			}
			v := scale * (nx + ny - 2*dot)
			k.c[i*m+j] = v
			cmax = math.Max(cmax, math.Abs(v))
			// Norms can exceed the cost; they bound the rounding of the
			// norm form.
			cmax = math.Max(cmax, scale*(nx+ny))
		}
	}
	k.eps = epsRel * math.Max(cmax, 1e-300)
	// Potentials of the size of the costs, some −Inf (zero weights).
	pot := func(l int) []float64 {
		p := make([]float64, l)
		for i := range p {
			p[i] = (rng.Float64() - 0.5) * cmax
			if rng.Float64() < zeroFrac {
				p[i] = math.Inf(-1)
			}
		}
		return p
	}
	k.f, k.g = pot(n), pot(m)
	k.magnitude = 2 * cmax
	return k
}

// check compares RowLSE and ColLSE of kern with lseTestRef on the matrix.
func (k *lseTestCase) check(t *testing.T, kern Kernel, tol float64) {
	t.Helper()
	row, col := make([]float64, k.n), make([]float64, k.m)
	wantRow, wantCol := make([]float64, k.n), make([]float64, k.m)
	kern.RowLSE(row, k.g, k.eps)
	kern.ColLSE(col, k.f, k.eps)
	lseTestRef(wantRow, k.g, k.eps, func(i, j int) float64 { return k.c[i*k.m+j] })
	lseTestRef(wantCol, k.f, k.eps, func(j, i int) float64 { return k.c[i*k.m+j] })
	cmp := func(what string, got, want []float64) {
		t.Helper()
		for i := range got {
			g, w := got[i], want[i]
			if math.IsInf(w, -1) || math.IsInf(g, -1) {
				if g != w {
					t.Fatalf("%s %s[%d] = %v, want %v", k.name, what, i, g, w)
				}
				continue
			}
			if math.IsNaN(g) || math.Abs(g-w) > tol*(math.Abs(w)+k.magnitude) {
				t.Fatalf("%s %s[%d] = %.17g, want %.17g (diff %.3g, magnitude %.3g)",
					k.name, what, i, g, w, g-w, k.magnitude)
			}
		}
	}
	cmp("RowLSE", row, wantRow)
	cmp("ColLSE", col, wantCol)
}

func lseTestCases(t *testing.T) []*lseTestCase {
	rng := rand.New(rand.NewPCG(7, 0))
	var cases []*lseTestCase
	add := func(k *lseTestCase, name string) {
		k.name = name
		cases = append(cases, k)
	}
	sizes := [][2]int{{1, 1}, {1, 9}, {7, 8}, {9, 17}, {33, 130}, {70, 1030}}
	for _, d := range []int{1, 2, 3} {
		for _, sz := range sizes {
			for _, epsRel := range []float64{1e-4, 1e-2, 1, 1e2, 1e4} {
				for _, spread := range []float64{1e-5, 1, 1e4} {
					k := newLSETestCase(rng, sz[0], sz[1], d, spread, 1, epsRel, 0.2)
					add(k, fmt.Sprintf("d=%d %dx%d eps=%g·C spread=%g", d, sz[0], sz[1], epsRel, spread))
				}
			}
		}
	}
	// Rows longer than a block (lseBlock): blocks merge.
	for _, epsRel := range []float64{1e-4, 1e-2, 10} {
		for _, d := range []int{2, 3} {
			k := newLSETestCase(rng, 5, 2*lseBlock+13, d, 2, 1, epsRel, 0.3)
			add(k, fmt.Sprintf("long rows d=%d eps=%g·C", d, epsRel))
			k = newLSETestCase(rng, 2*lseBlock+13, 5, d, 2, 1, epsRel, 0.3)
			add(k, fmt.Sprintf("long columns d=%d eps=%g·C", d, epsRel))
		}
	}
	// Scaled costs, all-zero weights on one side, one finite entry.
	k := newLSETestCase(rng, 20, 50, 2, 3, 0.25, 0.05, 0)
	add(k, "scale 0.25")
	k = newLSETestCase(rng, 20, 50, 2, 3, 1, 0.05, 1)
	add(k, "all -Inf")
	k = newLSETestCase(rng, 20, 50, 2, 3, 1, 1e-4, 0.97)
	add(k, "mostly -Inf, tiny eps")
	// Exponents far below the exp range: every term but the largest
	// underflows.
	k = newLSETestCase(rng, 16, 24, 2, 100, 1, 1e-8, 0.1)
	add(k, "deep underflow")
	return cases
}

func TestFastLSEMatchesReference(t *testing.T) {
	// The other instruction-set levels are checked against this one bit for
	// bit in TestFastLSEBitExact.
	for _, k := range lseTestCases(t) {
		k.check(t, NewDenseFast(k.c, k.n, k.m, false), 1e-13)
		k.check(t, NewSqEuclidFast(k.x, k.y, lseTestNorms(k.x, k.d), lseTestNorms(k.y, k.d), k.n, k.m, k.d, k.scale), 1e-13)
	}
}

// TestFastLSEBitExact checks the documented promise that results do not
// depend on GOMAXPROCS (inline at 1, chunked in parallel at 2 and 3).
func TestFastLSEBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	for _, d := range []int{2, 3} {
		k := newLSETestCase(rng, 61, lseBlock+237, d, 1, 1, 0.01, 0.05)
		kernels := func() []Kernel {
			return []Kernel{NewDenseFast(k.c, k.n, k.m, false), NewSqEuclidFast(k.x, k.y, lseTestNorms(k.x, d), lseTestNorms(k.y, d), k.n, k.m, d, 1)}
		}
		run := func(procs int) [][]float64 {
			var res [][]float64
			atProcs(procs, func() {
				for _, kern := range kernels() {
					row, col := make([]float64, k.n), make([]float64, k.m)
					kern.RowLSE(row, k.g, k.eps)
					kern.ColLSE(col, k.f, k.eps)
					res = append(res, row, col)
				}
			})
			return res
		}
		base := run(1)
		for _, procs := range []int{2, 3} {
			got := run(procs)
			for r := range base {
				for i := range base[r] {
					if math.Float64bits(got[r][i]) != math.Float64bits(base[r][i]) {
						t.Fatalf("d=%d GOMAXPROCS=%d: result %d[%d] = %v, want %v", d, procs, r, i, got[r][i], base[r][i])
					}
				}
			}
		}
	}
}

// TestFastLSENeverNaN feeds exponents that all underflow, huge and tiny
// costs, and rows of −Inf.
func TestFastLSENeverNaN(t *testing.T) {
	c := []float64{1e300, 1e300, 1e-300, 0, 5, 1e300, 1e300, 1e300, 1e300, 1e300}
	n, m := 2, 5
	kern := NewDenseFast(c, n, m, false)
	ninf := math.Inf(-1)
	row := make([]float64, n)
	kern.RowLSE(row, []float64{0, 0, 0, 0, 0}, 1e-3)
	want := []float64{1e-3*math.Log(2) - 1e-300, -1e300}
	for i := range row {
		if math.Abs(row[i]-want[i]) > 1e-15*math.Max(1, math.Abs(want[i])) {
			t.Errorf("RowLSE[%d] = %v, want %v", i, row[i], want[i])
		}
	}
	kern.RowLSE(row, []float64{ninf, ninf, ninf, ninf, ninf}, 1)
	for i := range row {
		if !math.IsInf(row[i], -1) {
			t.Errorf("all −Inf row: RowLSE[%d] = %v, want −Inf", i, row[i])
		}
	}
	col := make([]float64, m)
	kern.ColLSE(col, []float64{ninf, 0}, 1e-3)
	for j := range col {
		if math.Abs(col[j]+c[m+j]) > 1e-15*c[m+j] {
			t.Errorf("ColLSE[%d] = %v, want %v", j, col[j], -c[m+j])
		}
	}
}

// TestFastLSESymmetric: on a symmetric matrix RowLSE and ColLSE must agree
// bit for bit (a symmetric parallel Sinkhorn keeps f = g exactly).
func TestFastLSESymmetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	for _, n := range []int{5, 37, 300} {
		x := make([]float64, 2*n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		nx := lseTestNorms(x, 2)
		c := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				c[i*n+j] = nx[i] + nx[j] - 2*(x[2*i]*x[2*j]+x[2*i+1]*x[2*j+1])
			}
		}
		h := make([]float64, n)
		for i := range h {
			h[i] = rng.NormFloat64()
		}
		h[n/2] = math.Inf(-1)
		for _, kern := range []Kernel{NewDenseFast(c, n, n, true), NewSqEuclidFast(x, x, nx, nx, n, n, 2, 1)} {
			row, col := make([]float64, n), make([]float64, n)
			kern.RowLSE(row, h, 0.1)
			kern.ColLSE(col, h, 0.1)
			for i := range row {
				if row[i] != col[i] {
					t.Fatalf("n=%d %T: RowLSE[%d] = %v, ColLSE = %v", n, kern, i, row[i], col[i])
				}
			}
		}
	}
}

// TestFastLSEInlineEqualsParallel checks that the inline path (one pass,
// kernel scratch; GOMAXPROCS 1) gives the same bits as the chunked parallel
// path (GOMAXPROCS 2, above parallel.MinWork), also when a kernel is called
// repeatedly (the scratch is reused) and on a symmetric geometry.
func TestFastLSEInlineEqualsParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	for _, d := range []int{2, 3} {
		for _, sz := range [][2]int{{150, 250}, {250, 150}, {7, 5000}, {5000, 9}, {40, lseBlock + 21}} {
			k := newLSETestCase(rng, sz[0], sz[1], d, 1, 1, 0.01, 0.05)
			sym := newLSETestCase(rng, 190, 190, d, 1, 1, 0.01, 0.05)
			for i := 0; i < sym.n; i++ {
				for j := 0; j < i; j++ {
					sym.c[i*sym.n+j] = sym.c[j*sym.n+i]
				}
			}
			run := func(procs int) [][]float64 {
				var res [][]float64
				atProcs(procs, func() {
					if parallel.Inline(k.n, parallel.RowChunk(k.n), k.n*k.m) != (procs == 1) {
						t.Fatalf("%dx%d: GOMAXPROCS=%d must decide the path", k.n, k.m, procs)
					}
					kernels := []struct {
						kern Kernel
						c    *lseTestCase
					}{
						{NewDenseFast(k.c, k.n, k.m, false), k},
						{NewSqEuclidFast(k.x, k.y, lseTestNorms(k.x, d), lseTestNorms(k.y, d), k.n, k.m, d, 1), k},
						{NewDenseFast(sym.c, sym.n, sym.m, true), sym},
					}
					for _, kc := range kernels {
						for rep := 0; rep < 2; rep++ {
							row, col := make([]float64, kc.c.n), make([]float64, kc.c.m)
							kc.kern.RowLSE(row, kc.c.g, kc.c.eps)
							kc.kern.ColLSE(col, kc.c.f, kc.c.eps)
							res = append(res, row, col)
						}
					}
				})
				return res
			}
			inline := run(1)
			par := run(2)
			for r := range inline {
				for i := range inline[r] {
					if math.Float64bits(inline[r][i]) != math.Float64bits(par[r][i]) {
						t.Fatalf("d=%d %dx%d: result %d[%d] inline %v, parallel %v", d, k.n, k.m, r, i, inline[r][i], par[r][i])
					}
				}
			}
		}
	}
}
