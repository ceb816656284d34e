package otkit

import (
	"errors"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// msSolve runs MultiscaleSinkhorn and fails on any error.
func msSolve(t testing.TB, g *Geometry, a, b []float64, o MultiscaleOptions) *MultiscaleResult {
	t.Helper()
	r, err := MultiscaleSinkhorn(g, a, b, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The block-sparse kernel agrees with its plain reference on a partial
// pattern (d = 1, 2, 3; squared Euclidean and Euclidean), and with a full
// pattern it agrees with the reference online kernel.
func TestBlockSparseKernelMatchesReference(t *testing.T) {
	for _, d := range []int{1, 2, 3} {
		for _, cost := range []Cost{SqEuclidean{}, Euclidean{}} {
			x, y := unitCloud(uint64(10+d), 260, d), unitCloud(uint64(20+d), 190, d)
			g := mustCloud(t, x, y, PointCloudOptions{Cost: cost, Epsilon: 0.01, Online: true, ScaleCost: 0.5})
			_, euclid := cost.(Euclidean)
			a, b := uniform(260), uniform(190)
			cx, cy := newGridClusters(g, a, b, 0.1, euclid)
			s := newSolver(g, a, b, sinkhornConfig{})
			for _, k := range []float64{3, 1e9} {
				bk := newBlockSparseLSE(g, cx, cy, truncationPattern(cx, cy, s, g.invScale, g.eps, k, euclid), euclid)
				frac := float64(bk.Kept()) / (260 * 190)
				if k == 3 && !(frac > 0.002 && frac < 0.9) || k > 3 && frac != 1 {
					t.Fatalf("d %d %T k %g: kept fraction %g", d, cost, k, frac)
				}
				var want lse.Kernel = &blockSparseRef{g: g, bk: bk}
				if k > 3 {
					want = g.referenceKernel()
				}
				hr, hc := make([]float64, 190), make([]float64, 260)
				for j := range hr {
					hr[j] = 0.01 * float64(j%7)
				}
				for i := range hc {
					hc[i] = -0.02 * float64(i%5)
				}
				hr[3] = math.Inf(-1)
				for _, side := range []struct {
					h        []float64
					got, ref func(out, h []float64, eps float64)
				}{{hr, bk.RowLSE, want.RowLSE}, {hc, bk.ColLSE, want.ColLSE}} {
					o1, o2 := make([]float64, len(side.h)^450), make([]float64, len(side.h)^450)
					o1, o2 = o1[:450-len(side.h)], o2[:450-len(side.h)]
					side.got(o1, side.h, 0.01)
					side.ref(o2, side.h, 0.01)
					for i := range o1 {
						if o1[i] != o2[i] && !(math.Abs(o1[i]-o2[i]) <= 1e-12*(1+math.Abs(o2[i]))) {
							t.Fatalf("d %d %T k %g: output %d is %.17g, reference %.17g", d, cost, k, i, o1[i], o2[i])
						}
					}
				}
			}
		}
	}
}

// denseReference solves the problem to a tight threshold with the full
// (stored) kernel.
func denseReference(t testing.TB, x, y *mat.Dense, a, b []float64, eps float64, opt SinkhornOptions) *SinkhornResult {
	t.Helper()
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: eps})
	opt.Threshold, opt.MaxIterations = 1e-6, 50000
	r, err := EpsScaling(g, a, b, EpsScalingOptions{Sinkhorn: opt})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return r.SinkhornResult
}

// The accuracy contract at ε = 0.0025 on the unit square: RegOTCost within
// 1e-3 relative of the full-kernel solve run to convergence, the truncated
// marginal error below the threshold, the full-kernel marginal error within
// threshold + the stated bound; balanced and unbalanced.
func TestMultiscaleMatchesFullSolver(t *testing.T) {
	const n, m, eps = 600, 500, 0.0025
	x, y := unitCloud(31, n, 2), unitCloud(32, m, 2)
	a, b := randWeights(33, n, 1), randWeights(34, m, 1)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: eps, Online: true})
	for _, tau := range []float64{1, 0.95} {
		sopt := SinkhornOptions{TauA: tau, TauB: tau}
		ref := denseReference(t, x, y, a, b, eps, sopt)
		r := msSolve(t, g, a, b, MultiscaleOptions{CellSize: 0.04, Sinkhorn: sopt})
		rel := math.Abs(r.RegOTCost-ref.RegOTCost) / math.Abs(ref.RegOTCost)
		t.Logf("tau %g: RegOTCost %.10g, full %.10g, rel %.2e; kept %.3f; levels %d", tau, r.RegOTCost, ref.RegOTCost, rel, r.KeptFraction, len(r.Levels))
		if rel > 1e-3 {
			t.Errorf("tau %g: relative cost error %.3g", tau, rel)
		}
		if !(r.KeptFraction < 0.6) {
			t.Errorf("tau %g: kept fraction %g: the test does not exercise truncation", tau, r.KeptFraction)
		}
		full := &SinkhornResult{F: r.F, G: r.G, Epsilon: eps, A: r.A, B: r.B, TauA: tau, TauB: tau, Geom: g}
		errOf := func(res *SinkhornResult) float64 {
			s := newSolver(g, res.A, res.B, sinkhornConfig{SinkhornOptions: SinkhornOptions{TauA: tau, TauB: tau, ParallelDualUpdates: tau != 1}, p: 1})
			s.kern, s.f, s.g = res.kernel(), res.F, res.G
			return s.marginalError()
		}
		et, ef := errOf(r.SinkhornResult), errOf(full)
		t.Logf("tau %g: marginal error truncated %.3g, full kernel %.3g", tau, et, ef)
		if et >= 1e-3-2*r.MassBound || ef >= 1e-3 {
			t.Errorf("tau %g: marginal error truncated %.3g, full kernel %.3g; want both below the threshold 1e-3", tau, et, ef)
		}
	}
}

// The truncation bound: at the returned potentials the full coupling's mass
// outside the kept pattern is at most tol·Σa·Σb. A loose tolerance makes the
// dropped mass non-zero, so the comparison can fail.
func TestMultiscaleTruncationBound(t *testing.T) {
	const n, m, eps = 400, 300, 0.005
	x, y := unitCloud(41, n, 2), unitCloud(42, m, 2)
	a, b := randWeights(43, n, 2), randWeights(44, m, 2)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: eps, Online: true})
	for _, tol := range []float64{1e-2, 1e-4} {
		r := msSolve(t, g, a, b, MultiscaleOptions{Tolerance: tol, CellSize: 0.05, Sinkhorn: SinkhornOptions{Threshold: 0.1}})
		bk := r.kern.(*lse.BlockSparse)
		kept := make([]bool, n*m)
		bk.EachKeptPair(func(i, j int) { kept[i*m+j] = true })
		var dropped, rowWorst float64
		row := make([]float64, m)
		for i := 0; i < n; i++ {
			g.evalRow(row, i)
			var di float64
			for j, c := range row {
				if !kept[i*m+j] {
					di += math.Exp((r.F[i] + r.G[j] - c) / eps)
				}
			}
			dropped += di
			rowWorst = math.Max(rowWorst, di/(a[i]*sum(b)))
		}
		t.Logf("tol %g: dropped mass %.3g, bound %.3g; worst row ratio %.3g; kept %.3f", tol, dropped, r.MassBound, rowWorst, r.KeptFraction)
		if !(dropped > 0) || dropped > r.MassBound || rowWorst > tol {
			t.Errorf("tol %g: dropped mass %.3g (bound %.3g), worst row %.3g·a_i·Σb", tol, dropped, r.MassBound, rowWorst)
		}
	}
}

// Gradients of a truncated result against the full solver's and against
// central finite differences of the multiscale RegOTCost.
func TestMultiscaleGradients(t *testing.T) {
	const n, m, eps = 90, 70, 0.02
	x, y := unitCloud(51, n, 2), unitCloud(52, m, 2)
	tight := SinkhornOptions{Threshold: 1e-8, MaxIterations: 50000}
	mso := MultiscaleOptions{Tolerance: 1e-12, CellSize: 0.1, Sinkhorn: tight}
	for _, cost := range []Cost{SqEuclidean{}, Euclidean{}} {
		solve := func(x, y *mat.Dense) *MultiscaleResult {
			return msSolve(t, mustCloud(t, x, y, PointCloudOptions{Cost: cost, Epsilon: eps, Online: true}), nil, nil, mso)
		}
		r := solve(x, y)
		ref, err := EpsScaling(mustCloud(t, x, y, PointCloudOptions{Cost: cost, Epsilon: eps}), nil, nil, EpsScalingOptions{Sinkhorn: tight})
		if err != nil {
			t.Fatal(err)
		}
		for _, wrtX := range []bool{true, false} {
			got, err := r.gradPoints(wrtX)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ref.gradPoints(wrtX)
			var diff, norm float64
			rows, _ := got.Dims()
			for i := 0; i < rows; i++ {
				for k := 0; k < 2; k++ {
					diff = math.Max(diff, math.Abs(got.At(i, k)-want.At(i, k)))
					norm = math.Max(norm, math.Abs(want.At(i, k)))
				}
			}
			if diff > 1e-5*norm {
				t.Errorf("%T wrtX %v: gradient differs from the full solver's by %.3g (max %.3g)", cost, wrtX, diff, norm)
			}
			pts := x
			if !wrtX {
				pts = y
			}
			ik := [2]int{3, 0}
			if !wrtX {
				ik = [2]int{50, 1}
			}
			{
				const h = 1e-4
				at := func(delta float64) float64 {
					p := mat.DenseCopyOf(pts)
					p.Set(ik[0], ik[1], p.At(ik[0], ik[1])+delta)
					if wrtX {
						return solve(p, y).RegOTCost
					}
					return solve(x, p).RegOTCost
				}
				fd := (at(h) - at(-h)) / (2 * h)
				if g := got.At(ik[0], ik[1]); math.Abs(g-fd) > 1e-4*(math.Abs(fd)+1e-2) {
					t.Errorf("%T wrtX %v %v: gradient %.9g, finite difference %.9g", cost, wrtX, ik, g, fd)
				}
			}
		}
	}
}

// The divergence on truncated solves matches Divergence run to convergence
// with the full kernel, and its gradient matches too.
func TestMultiscaleDivergenceMatchesFull(t *testing.T) {
	const eps = 0.0025
	x, y := unitCloud(61, 500, 2), unitCloud(62, 400, 2)
	tight := SinkhornOptions{Threshold: 1e-8, MaxIterations: 50000}
	full, err := Divergence(x, y, nil, nil, DivergenceOptions{Epsilon: eps, Sinkhorn: tight})
	if err != nil {
		t.Fatal(err)
	}
	r, err := MultiscaleDivergence(x, y, nil, nil, MultiscaleDivergenceOptions{Epsilon: eps, Multiscale: MultiscaleOptions{CellSize: 0.05}})
	if err != nil {
		t.Fatal(err)
	}
	rel := math.Abs(r.Divergence-full.Divergence) / math.Abs(full.Divergence)
	t.Logf("divergence %.10g, full %.10g, rel %.2e", r.Divergence, full.Divergence, rel)
	if rel > 1e-3 || !r.Converged {
		t.Errorf("divergence %.10g vs full %.10g (rel %.3g), converged %v", r.Divergence, full.Divergence, rel, r.Converged)
	}
	gm, err := r.GradX()
	if err != nil {
		t.Fatal(err)
	}
	gf, _ := full.GradX()
	var diff, norm float64
	for i := 0; i < 500; i++ {
		for k := 0; k < 2; k++ {
			diff += math.Abs(gm.At(i, k) - gf.At(i, k))
			norm += math.Abs(gf.At(i, k))
		}
	}
	if diff > 1e-2*norm {
		t.Errorf("divergence gradient differs by %.3g in L1 (norm %.3g)", diff, norm)
	}
}

// Same bits at GOMAXPROCS 1 (inline) and 2 (parallel: the problem is far
// above parallel.MinWork).
func TestMultiscaleDeterministicAcrossGOMAXPROCS(t *testing.T) {
	x, y := unitCloud(71, 600, 2), unitCloud(72, 500, 2)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.005, Online: true})
	run := func(procs int) *MultiscaleResult {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return msSolve(t, g, nil, nil, MultiscaleOptions{CellSize: 0.05})
	}
	r1, r2 := run(1), run(2)
	if !equalSlices(r1.F, r2.F) || !equalSlices(r1.G, r2.G) || r1.RegOTCost != r2.RegOTCost {
		t.Fatal("multiscale results depend on GOMAXPROCS")
	}
}

type userCost struct{}

func (userCost) Cost(x, y []float64) float64 { return math.Abs(x[0] - y[0]) }

func TestMultiscaleBadInputAndNonConvergence(t *testing.T) {
	x, y := unitCloud(81, 50, 2), unitCloud(82, 40, 2)
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.005, Online: true})
	bad := []struct {
		name string
		g    *Geometry
		o    MultiscaleOptions
	}{
		{"nil geometry", nil, MultiscaleOptions{}},
		{"d = 4", mustCloud(t, unitCloud(83, 20, 4), nil, PointCloudOptions{Epsilon: 0.1}), MultiscaleOptions{}},
		{"user cost", mustCloud(t, x, y, PointCloudOptions{Cost: userCost{}, Epsilon: 0.1}), MultiscaleOptions{}},
		{"scale rule", mustCloud(t, x, y, PointCloudOptions{ScaleCostRule: "mean", Epsilon: 0.1}), MultiscaleOptions{}},
		{"cost matrix", func() *Geometry {
			c, _ := NewGeometry(mat.NewDense(2, 2, []float64{0, 1, 1, 0}), GeometryOptions{Epsilon: 0.1})
			return c
		}(), MultiscaleOptions{}},
		{"tolerance 1", g, MultiscaleOptions{Tolerance: 1}},
		{"tolerance NaN", g, MultiscaleOptions{Tolerance: math.NaN()}},
		{"negative cell", g, MultiscaleOptions{CellSize: -1}},
		{"kernel mode", g, MultiscaleOptions{Sinkhorn: SinkhornOptions{KernelMode: true}}},
		{"anderson", g, MultiscaleOptions{Sinkhorn: SinkhornOptions{Anderson: 3}}},
		{"scaling", g, MultiscaleOptions{Scaling: 2}},
		{"tolerance too loose for the threshold", g, MultiscaleOptions{Tolerance: 1e-3}},
	}
	for _, c := range bad {
		if r, err := MultiscaleSinkhorn(c.g, nil, nil, c.o); err == nil || r != nil {
			t.Errorf("%s: want an error and no result, have %v", c.name, err)
		}
	}
	if _, err := MultiscaleSinkhorn(g, []float64{-1}, nil, MultiscaleOptions{}); err == nil {
		t.Error("bad weights: no error")
	}
	r, err := MultiscaleSinkhorn(g, nil, nil, MultiscaleOptions{Tolerance: 1e-12, Sinkhorn: SinkhornOptions{MaxIterations: 1, Threshold: 1e-9}})
	if err != nil || r == nil || r.Converged || !errors.Is(r.Err(), ErrNotConverged) || !isFinite(r.RegOTCost) {
		t.Fatalf("non-convergence: want a finite result with a nil error and Err wrapping ErrNotConverged, have %v", err)
	}
	for _, v := range append(append([]float64{}, r.F...), r.G...) {
		if !isFinite(v) {
			t.Fatal("non-finite potential")
		}
	}
	if _, err := MultiscaleDivergence(nil, y, nil, nil, MultiscaleDivergenceOptions{}); err == nil {
		t.Error("divergence nil cloud: no error")
	}
	if _, err := MultiscaleDivergence(x, y, nil, nil, MultiscaleDivergenceOptions{Epsilon: -1}); err == nil {
		t.Error("divergence negative epsilon: no error")
	}
}

// Zero weights (whole clusters of them included) keep −Inf potentials and
// leave everything else finite and converged, as in Sinkhorn.
func TestMultiscaleZeroWeights(t *testing.T) {
	x, y := unitCloud(91, 300, 2), unitCloud(92, 250, 2)
	a, b := uniform(300), uniform(250)
	for i := range a {
		if x.At(i, 0) < 0.2 || i%7 == 0 {
			a[i] = 0
		}
	}
	sa := sum(a)
	for j := range b {
		b[j] *= sa
	}
	g := mustCloud(t, x, y, PointCloudOptions{Epsilon: 0.005, Online: true})
	r := msSolve(t, g, a, b, MultiscaleOptions{CellSize: 0.05})
	for i, v := range a {
		if (v == 0) != math.IsInf(r.F[i], -1) {
			t.Fatalf("F[%d] = %g with weight %g", i, r.F[i], v)
		}
	}
	if !r.Converged || !isFinite(r.RegOTCost) {
		t.Fatalf("converged %v, cost %g", r.Converged, r.RegOTCost)
	}
	ref := denseReference(t, x, y, a, b, 0.005, SinkhornOptions{})
	if rel := math.Abs(r.RegOTCost-ref.RegOTCost) / ref.RegOTCost; rel > 1e-3 {
		t.Errorf("cost %.10g vs full %.10g", r.RegOTCost, ref.RegOTCost)
	}
}

// blockSparseRef is the reference of lse.BlockSparse: for every row (or
// column) the plain two-pass log-sum-exp with math.Exp over the kept
// entries, costs from the geometry's own cost function on the original
// points. It shares only the pattern with the kernel.
type blockSparseRef struct {
	g  *Geometry
	bk *lse.BlockSparse
}

func (k *blockSparseRef) RowLSE(out, h []float64, eps float64) { k.reduce(out, h, eps, true) }

func (k *blockSparseRef) ColLSE(out, h []float64, eps float64) { k.reduce(out, h, eps, false) }

func (k *blockSparseRef) reduce(out, h []float64, eps float64, rows bool) {
	g := k.g
	terms := make([][]float64, len(out))
	k.bk.EachKeptPair(func(i, j int) {
		cost := g.costFn.Cost(g.xRow(i), g.yRow(j)) * g.invScale
		if rows {
			terms[i] = append(terms[i], (h[j]-cost)/eps)
		} else {
			terms[j] = append(terms[j], (h[i]-cost)/eps)
		}
	})
	for o, ts := range terms {
		mx := math.Inf(-1)
		for _, v := range ts {
			mx = math.Max(mx, v)
		}
		if math.IsInf(mx, -1) {
			out[o] = mx
			continue
		}
		var sm float64
		for _, v := range ts {
			sm += math.Exp(v - mx)
		}
		out[o] = eps * (mx + math.Log(sm))
	}
}
