package tutorial

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// The Gromov–Wasserstein example: an asymmetric planar cloud, a rotated,
// rescaled copy of it lifted into 3-D, and the reading of a matching.

// SpiralCloud returns n points along one arm of a spiral of growing width
// (row i at parameter i/(n−1), with a little noise from seed's stream). The
// shape has no symmetry, so the only isometry onto a copy of itself is the
// identity: a matching can be right or wrong point by point.
func SpiralCloud(n int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 4))
	x := mat.NewDense(n, 2, nil)
	for i := range n {
		t := float64(i) / math.Max(1, float64(n-1))
		r := 0.2 + t
		th := 2.5 * math.Pi * t
		noise := 0.01 + 0.03*t
		x.Set(i, 0, r*math.Cos(th)+noise*rng.NormFloat64())
		x.Set(i, 1, r*math.Sin(th)+noise*rng.NormFloat64())
	}
	return x
}

// LiftedCopy returns x (n×2) rotated by angle (radians) in its plane,
// multiplied by scale, and placed in 3-D on the plane through the origin
// tilted by tilt (radians) about the first axis: row i of the result is the
// image of row i of x. Distances are those of x times scale.
func LiftedCopy(x *mat.Dense, angle, scale, tilt float64) *mat.Dense {
	n, _ := x.Dims()
	y := mat.NewDense(n, 3, nil)
	c, s := math.Cos(angle), math.Sin(angle)
	ct, st := math.Cos(tilt), math.Sin(tilt)
	for i := range n {
		u := scale * (c*x.At(i, 0) - s*x.At(i, 1))
		v := scale * (s*x.At(i, 0) + c*x.At(i, 1))
		y.Set(i, 0, u)
		y.Set(i, 1, ct*v)
		y.Set(i, 2, st*v)
	}
	return y
}

// Matches returns, for each row i of a coupling, the column that receives
// most of its mass.
func Matches(t mat.Matrix) []int {
	n, m := t.Dims()
	out := make([]int, n)
	for i := range n {
		best := 0
		for j := 1; j < m; j++ {
			if t.At(i, j) > t.At(i, best) {
				best = j
			}
		}
		out[i] = best
	}
	return out
}

// MatchFraction is the fraction of rows i whose match is truth[i].
func MatchFraction(matches, truth []int) (float64, error) {
	if len(matches) != len(truth) || len(truth) == 0 {
		return 0, fmt.Errorf("tutorial: %d matches for %d true indices", len(matches), len(truth))
	}
	ok := 0
	for i, j := range matches {
		if j == truth[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(truth)), nil
}

// PlaneView returns a 2-D drawing of y (n×d, d ≥ 2) to place next to a
// reference cloud ref (k×2): y centred and projected on its two main axes,
// rescaled to ref's spread, and shifted right of ref by a quarter of ref's
// width. When matches is not nil (matches[i] = the row of y matched to row
// i of ref, e.g. Matches of a coupling), the drawing is also turned (and
// mirrored if need be) so that matched points face each other: the
// orthogonal map that best carries them onto ref's points (Procrustes).
// Only the placement changes; distance ratios within y are kept.
func PlaneView(y, ref *mat.Dense, matches []int) (*mat.Dense, error) {
	n, d := y.Dims()
	k, dr := ref.Dims()
	if n < 3 || d < 2 || dr != 2 || k < 1 {
		return nil, fmt.Errorf("tutorial: PlaneView needs y n×d (n ≥ 3, d ≥ 2) and ref k×2, got %d×%d and %d×%d", n, d, k, dr)
	}
	if matches != nil && len(matches) != k {
		return nil, fmt.Errorf("tutorial: PlaneView: %d matches for %d reference points", len(matches), k)
	}
	for _, j := range matches {
		if j < 0 || j >= n {
			return nil, fmt.Errorf("tutorial: PlaneView: match %d is not a row of y (%d rows)", j, n)
		}
	}
	p, err := mainPlane(y)
	if err != nil {
		return nil, err
	}
	refMin, refMax := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	refMean := [2]float64{}
	for i := range k {
		for j := range 2 {
			refMin[j] = math.Min(refMin[j], ref.At(i, j))
			refMax[j] = math.Max(refMax[j], ref.At(i, j))
			refMean[j] += ref.At(i, j) / float64(k)
		}
	}
	spread := func(m mat.Matrix, rows int, c [2]float64) float64 {
		s := 0.0
		for i := range rows {
			dx, dy := m.At(i, 0)-c[0], m.At(i, 1)-c[1]
			s += dx*dx + dy*dy
		}
		return math.Sqrt(s / float64(rows))
	}
	f := spread(ref, k, refMean) / spread(p, n, [2]float64{})
	if matches != nil {
		// M = Σ_i (ref_i − mean) p_{matches[i]}ᵀ = U S Vᵀ; the best orthogonal map is U Vᵀ.
		m := mat.NewDense(2, 2, nil)
		for i, j := range matches {
			for a := range 2 {
				for b := range 2 {
					m.Set(a, b, m.At(a, b)+(ref.At(i, a)-refMean[a])*p.At(j, b))
				}
			}
		}
		var svd mat.SVD
		if !svd.Factorize(m, mat.SVDFull) {
			return nil, fmt.Errorf("tutorial: PlaneView: SVD did not converge")
		}
		var u, v, r mat.Dense
		svd.UTo(&u)
		svd.VTo(&v)
		r.Mul(&u, v.T())
		var turned mat.Dense
		turned.Mul(p, r.T())
		p = &turned
	}
	width := refMax[0] - refMin[0]
	shift := refMax[0] + 0.25*width - f*minCol(p, 0)
	out := mat.NewDense(n, 2, nil)
	for i := range n {
		out.Set(i, 0, shift+f*p.At(i, 0))
		out.Set(i, 1, refMean[1]+f*p.At(i, 1))
	}
	return out, nil
}

// mainPlane returns y (n×d) centred and projected on its top two principal
// axes (n×2).
func mainPlane(y *mat.Dense) (*mat.Dense, error) {
	n, d := y.Dims()
	cy := mat.NewDense(n, d, nil)
	for j := range d {
		mean := 0.0
		for i := range n {
			mean += y.At(i, j)
		}
		mean /= float64(n)
		for i := range n {
			cy.Set(i, j, y.At(i, j)-mean)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(cy, mat.SVDThin) {
		return nil, fmt.Errorf("tutorial: PlaneView: SVD did not converge")
	}
	var v mat.Dense
	svd.VTo(&v)
	var p mat.Dense
	p.Mul(cy, v.Slice(0, d, 0, 2))
	return &p, nil
}

func minCol(m *mat.Dense, j int) float64 {
	r, _ := m.Dims()
	v := math.Inf(1)
	for i := range r {
		v = math.Min(v, m.At(i, j))
	}
	return v
}

// SortByFirst returns the rows of x sorted by their first coordinate, so
// that a coupling between two sorted clouds, drawn as an image, reads from
// left to right along both axes.
func SortByFirst(x *mat.Dense) *mat.Dense {
	n, d := x.Dims()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(p, q int) bool { return x.At(idx[p], 0) < x.At(idx[q], 0) })
	out := mat.NewDense(n, d, nil)
	for i, k := range idx {
		out.SetRow(i, x.RawRowView(k))
	}
	return out
}

// MarginalError is the L1 distance of a solve's row and column sums to the
// weights it was given (r.A, r.B): the sum of the two sides' errors.
func MarginalError(r *otkit.SinkhornResult) float64 {
	e := 0.0
	for i, v := range r.RowMarginal() {
		e += math.Abs(v - r.A[i])
	}
	for j, v := range r.ColMarginal() {
		e += math.Abs(v - r.B[j])
	}
	return e
}

// UniformClouds returns n points uniform in the unit square and n points
// uniform in the square [0.2, 1]×[0, 0.8] (two streams of seed): the
// large-cloud example's source and target.
func UniformClouds(n int, seed uint64) (x, y *mat.Dense) {
	rx, ry := rand.New(rand.NewPCG(seed, 5)), rand.New(rand.NewPCG(seed, 6))
	x, y = mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := range n {
		x.Set(i, 0, rx.Float64())
		x.Set(i, 1, rx.Float64())
		y.Set(i, 0, 0.2+0.8*ry.Float64())
		y.Set(i, 1, 0.8*ry.Float64())
	}
	return x, y
}
