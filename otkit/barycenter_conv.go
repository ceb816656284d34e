package otkit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit/internal/lse"
)

// ConvolutionalBarycenterOptions configures ConvolutionalBarycenter. Apart
// from Epsilon, which has no default and must be set, the zero value is
// POT's ot.bregman.convolutional_barycenter2d: uniform weights, threshold
// 1e-4, at most 10000 iterations.
type ConvolutionalBarycenterOptions struct {
	// Epsilon is the regularisation (POT's reg), on the unit-square pixel
	// coordinates: the kernel is exp(−‖p − q‖²/Epsilon). Required: a
	// sensible value depends on the image's resolution (POT's example uses
	// 0.004 at 50×50: a few pixels of blur), so 0 is an error.
	Epsilon       float64
	Weights       []float64 // λ_k, one per image (nil → uniform; normalised to sum 1)
	Threshold     float64   // 0 → 1e-4, on the inputs normalised to mass 1 (as Barycenter)
	MaxIterations int       // 0 → 10000
	// ReferenceConvolution uses the plain log-sum-exp for every pixel
	// (gridConvolution.applyReference), O(R·C·(R+C)) exponentials per
	// convolution, instead of the fast path.
	ReferenceConvolution bool
}

// resolve applies the defaults and checks the options for k images; the
// Weights of the result are normalised.
func (o ConvolutionalBarycenterOptions) resolve(k int) (ConvolutionalBarycenterOptions, error) {
	const op = "convolutional barycenter"
	if o.Epsilon == 0 {
		return o, errors.New("otkit: convolutional barycenter: ConvolutionalBarycenterOptions.Epsilon is 0; set it (POT's reg, e.g. 0.004 for a few pixels of blur at 50×50)")
	}
	if !(o.Epsilon > 0) || math.IsInf(o.Epsilon, 0) {
		return o, fmt.Errorf("otkit: convolutional barycenter: Epsilon must be positive and finite, have %g", o.Epsilon)
	}
	b, err := BarycenterOptions{Weights: o.Weights, Threshold: o.Threshold, MaxIterations: o.MaxIterations}.resolve(k, op)
	if err != nil {
		return o, err
	}
	o.Weights, o.Threshold, o.MaxIterations = b.Weights, b.Threshold, b.MaxIterations
	return o, nil
}

// ConvolutionalBarycenterResult is the barycenter image and its convergence
// record (see BarycenterResult for Errors; Iterations against
// ConvolutionalBarycenterOptions.MaxIterations).
type ConvolutionalBarycenterResult struct {
	Image *mat.Dense
	Convergence
	Epsilon float64
}

// convBarycenterLoop names ConvolutionalBarycenter's loop in its *ConvergenceError.
var convBarycenterLoop = &loopKind{op: "convolutional barycenter", cap: "ConvolutionalBarycenterOptions.MaxIterations",
	statistic: "spread of the couplings' marginals", help: "raise ConvolutionalBarycenterOptions.MaxIterations or its Threshold, or raise Epsilon"}

// convolutionCheckPhase: POT's convolutional barycenter evaluates its error
// after iterations 9, 19, 29, ... (0-based).
const convolutionCheckPhase = 9

// ConvolutionalBarycenter computes the entropic barycenter of images (R×C
// histograms of equal mass) on the grid of their pixels, with POT's
// geometry: pixel (i, j) sits at (i/(R−1), j/(C−1)) in the unit square (0
// for a single row or column), the cost is the squared Euclidean distance
// and the Gibbs kernel exp(−C/eps) is the product of two 1-D Gaussian
// kernels, so it is applied one axis at a time and the (R·C)² matrix is
// never formed. The iteration is Barycenter's (log domain), with the error
// evaluated at POT's iterations 9, 19, ...; the result equals Barycenter on
// the dense grid geometry (tested on small grids).
//
// Images must be non-empty, of one size, finite, non-negative and of equal
// positive mass; opt.Epsilon must be positive and finite.
func ConvolutionalBarycenter(images []*mat.Dense, opt ConvolutionalBarycenterOptions) (*ConvolutionalBarycenterResult, error) {
	const op = "convolutional barycenter"
	if len(images) == 0 {
		return nil, errors.New("otkit: convolutional barycenter: no images")
	}
	o, err := opt.resolve(len(images))
	if err != nil {
		return nil, err
	}
	eps := o.Epsilon
	var rows, cols int
	hists := make([][]float64, len(images))
	for k, im := range images {
		if im == nil || im.IsEmpty() {
			return nil, fmt.Errorf("otkit: convolutional barycenter: image %d is empty", k)
		}
		r, c := im.Dims()
		if k == 0 {
			rows, cols = r, c
		} else if r != rows || c != cols {
			return nil, fmt.Errorf("otkit: convolutional barycenter: image %d is %d×%d, image 0 is %d×%d (mismatched supports)", k, r, c, rows, cols)
		}
		h := make([]float64, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				h[i*c+j] = im.At(i, j)
			}
		}
		hists[k] = h
	}
	hs, mass, err := checkHistograms(hists, rows*cols, op)
	if err != nil {
		return nil, err
	}
	conv := newGridConvolution(rows, cols, eps)
	apply := conv.apply
	if opt.ReferenceConvolution {
		apply = conv.applyReference
	}
	// The grid cost is symmetric and rows and columns are the same pixels,
	// so both reductions are the same convolution.
	r, err := bregmanBarycenter(bregmanProblem{
		eps: eps, n: rows * cols, m: rows * cols, hists: hs, lambda: o.Weights,
		rowLSE: apply, colLSE: apply,
		threshold: o.Threshold, mass: mass, maxIter: o.MaxIterations, checkPhase: convolutionCheckPhase,
		kind: convBarycenterLoop,
	})
	if err != nil {
		return nil, within(op, err)
	}
	return &ConvolutionalBarycenterResult{Image: mat.NewDense(rows, cols, r.Histogram), Convergence: r.Convergence, Epsilon: eps}, nil
}

// gridConvolution applies the log-domain Gaussian convolution of an R×C
// image (flat, row-major):
//
//	out_ij = eps·log Σ_kl exp((h_kl − (s_i − s_k)² − (t_j − t_l)²)/eps)
//
// as two 1-D passes, first along the rows index i, then along j.
type gridConvolution struct {
	rows, cols int
	eps        float64
	c1, c2     []float64 // squared 1-D distances (R×R, C×C)
	k1, k2     []float64 // exp(−c/eps)
	u, e, s    []float64 // scratch, R·C each
	shift      []float64
}

// gridCoordinates returns POT's pixel positions k/(n−1) (0 when n = 1).
func gridCoordinates(n int) []float64 {
	t := make([]float64, n)
	for k := range t {
		if n > 1 {
			t[k] = float64(k) / float64(n-1)
		}
	}
	return t
}

func newGridConvolution(rows, cols int, eps float64) *gridConvolution {
	g := &gridConvolution{rows: rows, cols: cols, eps: eps}
	g.c1, g.k1 = gaussian1D(rows, eps)
	g.c2, g.k2 = gaussian1D(cols, eps)
	g.u = make([]float64, rows*cols)
	g.e = make([]float64, rows*cols)
	g.s = make([]float64, rows*cols)
	g.shift = make([]float64, max(rows, cols))
	return g
}

func gaussian1D(n int, eps float64) (c, k []float64) {
	t := gridCoordinates(n)
	c = make([]float64, n*n)
	k = make([]float64, n*n)
	for i := range t {
		for j := range t {
			d := t[i] - t[j]
			c[i*n+j] = d * d
			k[i*n+j] = math.Exp(-d * d / eps)
		}
	}
	return c, k
}

// applyReference is the plain two-pass log-sum-exp, one reduction per output
// pixel and pass; the fast apply is tested against it.
func (g *gridConvolution) applyReference(out, h []float64, eps float64) {
	R, C := g.rows, g.cols
	inv := 1 / eps
	col := make([]float64, R)
	for j := 0; j < C; j++ {
		for k := 0; k < R; k++ {
			col[k] = h[k*C+j]
		}
		for i := 0; i < R; i++ {
			g.u[i*C+j] = eps * lse.RowReduce(col, g.c1[i*R:(i+1)*R], inv)
		}
	}
	for i := 0; i < R; i++ {
		row := g.u[i*C : (i+1)*C]
		for j := 0; j < C; j++ {
			out[i*C+j] = eps * lse.RowReduce(row, g.c2[j*C:(j+1)*C], inv)
		}
	}
}

// tinySum is the smallest kernel sum the fast path trusts. Every term it
// loses to underflow is below 2^−1022 and there are at most max(R, C) of
// them, so a sum above 1e-200 is exact to ~1e-100 relative; below it the
// pixel is recomputed with the plain log-sum-exp.
const tinySum = 1e-200

// apply computes the same convolution as applyReference with two matrix
// products: each line (column in the first pass, row in the second) is
// shifted by its maximum, exponentiated once, multiplied by the 1-D kernel
// and taken back to the log domain. That needs R·C exponentials and
// logarithms per pass instead of R·C·(R+C).
func (g *gridConvolution) apply(out, h []float64, eps float64) {
	R, C := g.rows, g.cols
	inv := 1 / eps
	// Pass 1, along i for every column j: u_ij = eps·log Σ_k K1_ik exp(h_kj/eps).
	shift := g.shift[:C]
	for j := range shift {
		shift[j] = math.Inf(-1)
	}
	for k := 0; k < R; k++ {
		for j, v := range h[k*C : (k+1)*C] {
			shift[j] = math.Max(shift[j], v*inv)
		}
	}
	for k := 0; k < R; k++ {
		for j, v := range h[k*C : (k+1)*C] {
			g.e[k*C+j] = expShifted(v*inv, shift[j])
		}
	}
	gemm(g.k1, R, R, g.e, C, g.s)
	col := make([]float64, 0)
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			s := g.s[i*C+j]
			if s >= tinySum && !math.IsInf(shift[j], -1) {
				g.u[i*C+j] = eps * (shift[j] + math.Log(s))
				continue
			}
			if len(col) == 0 {
				col = make([]float64, R)
			}
			for k := 0; k < R; k++ {
				col[k] = h[k*C+j]
			}
			g.u[i*C+j] = eps * lse.RowReduce(col, g.c1[i*R:(i+1)*R], inv)
		}
	}
	// Pass 2, along j for every row i, shifted by the row maximum.
	for i := 0; i < R; i++ {
		row := g.u[i*C : (i+1)*C]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v*inv)
		}
		g.shift[i] = mx
		for j, v := range row {
			g.e[i*C+j] = expShifted(v*inv, mx)
		}
	}
	// S = E·K2ᵀ (K2 is symmetric, so no transpose is needed).
	gemm(g.e, R, C, g.k2, C, g.s)
	for i := 0; i < R; i++ {
		mx := g.shift[i]
		row := g.u[i*C : (i+1)*C]
		for j := 0; j < C; j++ {
			s := g.s[i*C+j]
			if s >= tinySum && !math.IsInf(mx, -1) {
				out[i*C+j] = eps * (mx + math.Log(s))
				continue
			}
			out[i*C+j] = eps * lse.RowReduce(row, g.c2[j*C:(j+1)*C], inv)
		}
	}
}

// expShifted returns exp(v − shift), 0 for a −Inf entry or line.
func expShifted(v, shift float64) float64 {
	if math.IsInf(v, -1) {
		return 0
	}
	return math.Exp(v - shift)
}

// gemm sets c (p×q, row-major) to a·b with a p×r and b r×q. gonum's Dgemm
// splits only over blocks of c and sums each block's k range in order, so
// the bits do not depend on GOMAXPROCS.
func gemm(a []float64, p, r int, b []float64, q int, c []float64) {
	A := blas64.General{Rows: p, Cols: r, Stride: r, Data: a}
	B := blas64.General{Rows: r, Cols: q, Stride: q, Data: b}
	Cm := blas64.General{Rows: p, Cols: q, Stride: q, Data: c}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, A, B, 0, Cm)
}
