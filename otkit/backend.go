package otkit

import (
	"math"
	"sync"

	"github.com/otlab/gootlab/otkit/internal/lse"
	"github.com/otlab/gootlab/otkit/internal/scaling"
)

// The compute path of a solve is chosen here, once, and only what that path
// uses is built:
//
//   - scaling form (internal/scaling): balanced stored problems with the
//     plain update (useScalingForm). The small form up to
//     scaling.SmallMaxEntries entries, the streamed K̃ (float64, or float32
//     with Float32) above.
//     Its occasional log-domain iterations (the first one of the small
//     form, a refused cold start, a return to the log domain) run on the
//     fast float64 kernel: a Float32 solve in this form keeps its float32
//     in K̃ and never builds float32 copies of C.
//   - float32 log domain (lse.Dense32, lse.SqEuclid32): Float32 where the scaling form is
//     not used, on a stored cost (float32 copies of C and Cᵀ, cached on the
//     geometry) or an online squared-Euclidean cloud, within float32Range;
//   - fast float64 log domain (lse.DenseFast, lse.SqEuclidFast): a stored cost, or an online
//     squared-Euclidean cloud whose eps is large against the kernel's
//     rounding (onlineFastRoundingOK);
//   - reference log domain (lse.Dense, lse.Online): online costs other than
//     SqEuclidean, and every solve with ReferenceKernel;
//   - block-sparse (lse.BlockSparse): MultiscaleSinkhorn replaces the
//     kernel of its fine solve with blockSparseBackend.
//
// The result's methods and the solver's error checks use the backend's
// float64 kernel, so that everything a result reports is float64 given
// the potentials.

// backend is the chosen compute path of a Sinkhorn-type solve.
type backend struct {
	iter   lse.Kernel    // the log-domain reductions of the iterations
	report lse.Kernel    // float64 reductions: errors, marginals, Apply, gradients
	sc     *scaling.Form // the scaling form, nil in the log domain
}

// chooseBackend picks the compute path of a solve of geom with weights a, b
// and the resolved options.
func chooseBackend(geom *Geometry, a, b []float64, cfg sinkhornConfig) backend {
	if useScalingForm(geom, a, b, cfg) {
		k := float64Kernel(geom, false)
		n, m := geom.Shape()
		f32 := cfg.Float32 && scaling.Float32OK(a)
		return backend{iter: k, report: k, sc: scaling.New(geom.cost, n, m, geom.eps, a, b, f32)}
	}
	k := float64Kernel(geom, cfg.ReferenceKernel)
	if cfg.Float32 && !cfg.ReferenceKernel {
		if k32 := float32KernelFor(geom); k32 != nil {
			return backend{iter: k32, report: k}
		}
	}
	return backend{iter: k, report: k}
}

// useScalingForm reports whether the solve may run in scaling form, where it
// gives the log domain's iterates: balanced, stored cost, constant ε,
// sequential updates without acceleration, positive weights, zero start,
// fast kernel allowed (ReferenceKernel keeps the plain log-domain solver,
// which the tests compare it with); the small form up to
// scaling.SmallMaxEntries entries (not with Float32), the streamed form
// above, up to scaling.StreamMaxEntries.
func useScalingForm(geom *Geometry, a, b []float64, c sinkhornConfig) bool {
	n, m := geom.Shape()
	if geom.cost == nil || (n*m <= scaling.SmallMaxEntries && c.Float32) || n*m > scaling.StreamMaxEntries {
		return false
	}
	sch := geom.schedule
	if !(sch.Init == 1 && sch.Decay == 1) {
		return false
	}
	if c.TauA != 1 || c.TauB != 1 || c.KernelMode || c.ParallelDualUpdates || c.Momentum != 1 ||
		c.MomentumStart != 0 || c.Anderson != 0 || c.InitF != nil || c.InitG != nil || c.ReferenceKernel {
		return false
	}
	for _, w := range [][]float64{a, b} {
		for _, v := range w {
			if !(v > 0) {
				return false
			}
		}
	}
	return true
}

// blockSparseBackend is the path of a truncated multiscale solve: every
// reduction, the reported ones included, runs over the kept cluster pairs.
func blockSparseBackend(bk *lse.BlockSparse) backend {
	return backend{iter: bk, report: bk}
}

// float64Kernel is the float64 LSE kernel of a geometry: the fast one where
// there is one (fastKernelFor), the reference one otherwise or when
// reference is set.
func float64Kernel(g *Geometry, reference bool) lse.Kernel {
	if !reference {
		if k := fastKernelFor(g); k != nil {
			return k
		}
	}
	return g.referenceKernel()
}

// use switches a solver to the path be (MultiscaleSinkhorn's block-sparse
// rounds), dropping a scaling form chosen for the full kernel.
func (s *solver) use(be backend) {
	if s.sc != nil && s.sc != be.sc {
		s.sc.Done()
	}
	s.kern, s.report, s.sc = be.iter, be.report, be.sc
}

// referenceKernel returns the plain kernel matching the geometry's storage.
func (g *Geometry) referenceKernel() lse.Kernel {
	if g.cost != nil {
		return lse.NewDense(g.cost, g.n, g.m)
	}
	return lse.NewOnline(g.n, g.m, g.evalRow)
}

// fastRoundingRatio is the largest bound on |C_fast − C|/eps (the online
// fast kernel's cost against evalRow's, in units of eps) at which the online
// fast kernel is used. Its exponents then differ from those of evalRow, the
// stored matrix, Matrix and CostMatrix by at most 1e-10, so every plan entry
// agrees to 1e-10 relative, well inside Check's 1e-9 on the plan mass.
const fastRoundingRatio = 1e-10

// onlineCostRoundingBound bounds the difference between the cost the online
// squared-Euclidean fast kernel effectively uses and evalRow's: the kernel
// rearranges s·(‖x‖² + ‖y‖² − 2⟨x, y⟩) as eps·(a_j + Σ_k x_k w_kj) − s‖x‖²
// with a_j = (h_j − s‖y_j‖²)/eps and w = 2s·y/eps, and each of its terms is
// at most s·(max‖x‖² + max‖y‖²) in size (|2⟨x, y⟩| ≤ ‖x‖² + ‖y‖²), with a
// few roundings of relative size 2⁻⁵³ each: 8·2⁻⁵²·s·(max‖x‖² + max‖y‖²)
// covers them (TestOnlineFastRoundingBound measures it).
func (g *Geometry) onlineCostRoundingBound() float64 {
	var mx, my float64
	for _, v := range g.nx {
		mx = math.Max(mx, v)
	}
	for _, v := range g.ny {
		my = math.Max(my, v)
	}
	return 8 * 0x1p-52 * g.invScale * (mx + my)
}

// onlineFastRoundingOK reports whether the online squared-Euclidean fast
// kernel may replace evalRow's arithmetic at the geometry's eps: only when
// its rounding is below fastRoundingRatio·eps. Below that (eps tiny against
// the size of the costs) the reference kernel, which calls evalRow, keeps
// every path on bit-identical costs. For points of norm ~1 the switch is at
// eps ≈ 1e-5.
func (g *Geometry) onlineFastRoundingOK() bool {
	return g.onlineCostRoundingBound() <= fastRoundingRatio*g.eps
}

// fastKernelFor is the fast float64 kernel of a geometry the dense kernel for a
// materialised cost matrix, the online kernel for an online squared-Euclidean cloud whose eps is large against
// the kernel's rounding (onlineFastRoundingOK). Other online costs keep the
// reference kernel (nil), whose time goes into evaluating the user's cost.
func fastKernelFor(g *Geometry) lse.Kernel {
	switch {
	case g.cost != nil:
		return lse.NewDenseFast(g.cost, g.n, g.m, g.self)
	case g.sqEuclid && g.onlineFastRoundingOK():
		return lse.NewSqEuclidFast(g.x, g.y, g.nx, g.ny, g.n, g.m, g.d, g.invScale)
	}
	return nil
}

// cost32Cache holds a geometry's float32 copies of its stored cost matrix.
// Converting and transposing touch 12 bytes per entry of fresh memory, as
// much time as several iterations, so they are built once per geometry, on
// the first float32 solve, and shared by later ones (read-only).
type cost32Cache struct {
	once   sync.Once
	c, ct  []float32
	maxAbs float64 // largest |C_ij|
}

// dense32 returns the float32 kernel of a stored geometry and the largest
// |C_ij|.
func (g *Geometry) dense32() (*lse.Dense32, float64) {
	cc := &g.cost32
	cc.once.Do(func() { cc.c, cc.ct, cc.maxAbs = lse.Float32Copies(g.cost, g.n, g.m, g.self) })
	return lse.NewDense32(cc.c, cc.ct, g.n, g.m), cc.maxAbs
}

// float32KernelFor is the float32 kernel of a geometry, nil where there is
// none (online costs other than SqEuclidean) or where a magnitude at the
// geometry's eps (the smallest a solve uses) exceeds lse.Float32Range: the
// solver then uses the float64 kernels.
func float32KernelFor(g *Geometry) lse.Kernel {
	if !(1/g.eps <= lse.Float32Range) {
		return nil
	}
	switch {
	case g.cost != nil:
		if k, big := g.dense32(); big/g.eps <= lse.Float32Range {
			return k
		}
	case g.sqEuclid:
		k := lse.NewSqEuclid32(g.x, g.y, g.n, g.m, g.d, g.invScale)
		if k.Fits(g.eps) {
			return k
		}
	}
	return nil
}
