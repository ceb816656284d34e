package otkit

// The compute path of a solve is chosen here, once, and only what that path
// uses is built:
//
//   - scaling form (scaling.go): balanced stored problems with the plain
//     update (useScalingForm). The small form up to scalingMaxEntries
//     entries, the streamed K̃ (float64, or float32 with Float32) above.
//     Its occasional log-domain iterations (the first one of the small
//     form, a refused cold start, a return to the log domain) run on the
//     fast float64 kernel: a Float32 solve in this form keeps its float32
//     in K̃ and never builds float32 copies of C.
//   - float32 log domain (lse_fast32.go): Float32 where the scaling form is
//     not used, on a stored cost (float32 copies of C and Cᵀ, cached on the
//     geometry) or an online squared-Euclidean cloud, within float32Range;
//   - fast float64 log domain (lse_fast.go): a stored cost, or an online
//     squared-Euclidean cloud whose eps is large against the kernel's
//     rounding (onlineFastRoundingOK);
//   - reference log domain (lse_ref.go): online costs other than
//     SqEuclidean, and every solve with ReferenceKernel;
//   - block-sparse (multiscale_kernel.go): MultiscaleSinkhorn replaces the
//     kernel of its fine solve with blockSparseBackend.
//
// The result's methods and the solver's error checks use the backend's
// float64 kernel, so that everything a result reports is float64 given
// the potentials.

// backend is the chosen compute path of a Sinkhorn-type solve.
type backend struct {
	iter   lseKernel    // the log-domain reductions of the iterations
	report lseKernel    // float64 reductions: errors, marginals, Apply, gradients
	sc     *scalingForm // the scaling form, nil in the log domain
}

// chooseBackend picks the compute path of a solve of geom with weights a, b
// and the resolved options.
func chooseBackend(geom *Geometry, a, b []float64, cfg sinkhornConfig) backend {
	if useScalingForm(geom, a, b, cfg) {
		k := float64Kernel(geom, false)
		return backend{iter: k, report: k, sc: newScalingForm(geom, a, b, cfg)}
	}
	k := float64Kernel(geom, cfg.ReferenceKernel)
	if cfg.Float32 && !cfg.ReferenceKernel {
		if k32 := float32KernelFor(geom); k32 != nil {
			return backend{iter: k32, report: k}
		}
	}
	return backend{iter: k, report: k}
}

// blockSparseBackend is the path of a truncated multiscale solve: every
// reduction, the reported ones included, runs over the kept cluster pairs.
func blockSparseBackend(bk *blockSparseLSE) backend {
	return backend{iter: bk, report: bk}
}

// float64Kernel is the float64 LSE kernel of a geometry: the fast one where
// there is one (fastKernelFor), the reference one otherwise or when
// reference is set.
func float64Kernel(g *Geometry, reference bool) lseKernel {
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
	s.kern, s.report, s.sc = be.iter, be.report, be.sc
}
