// Package otkit does entropic optimal transport and Gaussian-mixture fitting
// with the semantics of OTT-JAX, in float64 and without automatic
// differentiation.
//
// The package has two halves.
//
// The transport half works on point clouds and cost matrices: a Geometry
// holds the cost (squared Euclidean, Euclidean, Bures between Gaussians, or a
// user Cost) and the regularisation epsilon; Sinkhorn solves the balanced or
// unbalanced entropic problem with OTT's log-domain iterates (EpsScaling anneals ε on
// any geometry; MultiscaleSinkhorn adds grid clustering and a truncated
// kernel for large clouds in d ≤ 3); Divergence computes the
// debiased Sinkhorn divergence; closed-form gradients (envelope theorem) move
// points in GradientFlow; NewEntropicMap turns a Sinkhorn solution into
// out-of-sample potentials and a transport map. Exact (unregularised)
// transport: EMD and EMDPoints (network simplex, POT's ot.emd),
// Wasserstein1D (POT's ot.wasserstein_1d) and SlicedWasserstein (sliced
// and max-sliced distances).
//
// Beyond pairs of measures: Barycenter averages histograms on a shared
// support by iterative Bregman projections, ConvolutionalBarycenter does the
// same for images with a separable Gaussian kernel, FreeSupportBarycenter
// moves a point cloud to the barycenter of several clouds, and
// EntropicGromovWasserstein matches spaces known only through their
// internal distances (POT's conventions, cross-checked against POT).
//
// Transport that need not move all the mass: PartialEMD and
// PartialEMDLagrange (exact partial transport, a given mass or a price per
// unit moved), EntropicPartial, UnbalancedMM (majorisation–minimisation
// with KL or squared-L2 marginal penalties), UnbalancedBarycenter, and the
// relaxed Gromov–Wasserstein family (SemiRelaxedGW, EntropicSemiRelaxedGW,
// PartialGW, EntropicPartialGW). Many problems at once: EMDBatch and
// SinkhornBatch (results bit-identical to solving each alone). Large clouds
// in any dimension: LowRankSinkhorn (a rank-r coupling, factored cost).
//
// The mixture half holds Gaussians and Gaussian mixtures in OTT's
// parameterisation (Cholesky factor with log-diagonal, K-1 free logits),
// fits them by EM after a k-means++ start, and fits a coupled pair of
// mixtures whose EM objective is penalised by the entropic transport cost
// between their components (MW2, or the unbalanced UW2).
//
// Errors and convergence. Every solver reports in the same three ways:
//
//   - Bad input (wrong lengths, negative or non-finite weights, unequal
//     masses where they must agree, out-of-range options) is an error
//     naming the offending value and, where one exists, the fix.
//   - A computation float64 cannot hold (an overflow, an underflow that
//     leaves nothing to normalise, rounding not small against epsilon) is
//     an error wrapping ErrNumerical (or ErrDiverged for an accelerated
//     Sinkhorn that blew up) that names the cause. No solver returns a
//     non-finite number with a nil error, except where a result type
//     documents it (potentials are −Inf at zero weights).
//   - A solve that stops at its iteration cap without reaching its
//     threshold is not an error: the result is returned with a nil error,
//     finite and usable, and its Err method says so.
//
// Every iterative result (SinkhornResult and so EpsScalingResult and
// MultiscaleResult, DivergenceResult, BarycenterResult,
// ConvolutionalBarycenterResult, FreeSupportBarycenterResult, GromovResult,
// EMDResult, EMResult, PairFitResult, FlowResult) embeds a Convergence
// record: Converged, Iterations (in the unit of the cap), MaxIterations,
// the Errors trace and the Threshold. Its Err returns nil when the solve
// converged, and otherwise an error wrapping ErrNotConverged: a
// *ConvergenceError whose message names the option that caps the loop and
// counts against it ("12 outer iterations (cap GromovOptions.MaxIterations
// = 12)"), or, when an inner solve is the reason, an error naming the outer
// step that wraps the inner solve's *ConvergenceError. A caller that needs
// convergence writes
//
//	res, err := otkit.Sinkhorn(geom, a, b, opt)
//	if err != nil {
//		return err // bad input or ErrNumerical
//	}
//	if err := res.Err(); err != nil {
//		return err // errors.Is(err, otkit.ErrNotConverged)
//	}
//
// Epsilon is given one way: a solver that takes a *Geometry reads it from
// the geometry (Sinkhorn, EpsScaling, MultiscaleSinkhorn, Barycenter); every
// other solver takes it as the Epsilon field of its options, where the zero
// value is the family's default (DivergenceOptions, MultiscaleDivergenceOptions
// and PointCloudOptions: 0.05·std of the costs, OTT's; GromovOptions: 0.1,
// POT's; MixturePairOptions: 1e-2, OTT's; FreeSupportBarycenterOptions: 0 is
// the exact solve) or, for ConvolutionalBarycenterOptions, which has no
// sensible default, an error naming the field. Each options type's zero
// value is the usual default, resolved by its resolve method next to its
// declaration.
//
// Speed. Sinkhorn's log-domain iterations run in vectorised kernels
// (AVX-512, AVX2 or pure Go, chosen at start-up from the CPU and
// bit-identical; parallel and deterministic at any GOMAXPROCS). A balanced
// problem with a stored cost matrix runs in stabilised scaling form
// instead: the same iterates, each iteration one pass over a stored kernel
// in memory rather than two passes of exponentials. One function picks a
// solve's path and builds only what it uses (backend.go); the kernels live
// in internal packages (internal/simd, internal/lse, internal/scaling).
// SinkhornOptions.Float32 trades accuracy (errors of 1e-7 to 1e-6 of the
// cost scale) for float32 kernels or storage.
// bench/README.md has the measurements against PyTorch and POT.
//
// Where OTT-JAX has a quirk that changes numbers, the default here is the
// mathematically consistent choice and OTT's behaviour is an explicit option;
// each such place says so in its documentation.
package otkit
