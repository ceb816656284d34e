package tutorial

import (
	"fmt"
	"io"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// PrintMarginals prints whether a Sinkhorn solve converged, and its
// coupling's normalised row and column sums next to the weights a and b.
func PrintMarginals(w io.Writer, sk *otkit.SinkhornResult, a, b []float64) {
	fmt.Fprintf(w, "Sinkhorn converged: %v after %d iterations (total mass %.6f)\n", sk.Converged, sk.Iterations, sk.TransportMass())
	fmt.Fprintln(w, "row sums   ", Vec(Normalize(sk.RowMarginal())), " GMM 0 masses", Vec(a))
	fmt.Fprintln(w, "column sums", Vec(Normalize(sk.ColMarginal())), " GMM 1 masses", Vec(b))
}

// Reweighting is how a point travelling from source component From to
// destination component To is reweighted in an unbalanced coupling P (the
// tutorial's reading): Leaves = row sum / a_From, Arrives = b_To / column sum,
// Net = Leaves·Arrives.
type Reweighting struct {
	From, To             int
	Leaves, Arrives, Net float64
}

// Reweightings gives, for each source component, where most of its mass
// goes and the factors on the way (see Reweighting).
func Reweightings(p mat.Matrix, a, b []float64) []Reweighting {
	r, c := p.Dims()
	rows, cols := make([]float64, r), make([]float64, c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			rows[i] += p.At(i, j)
			cols[j] += p.At(i, j)
		}
	}
	var out []Reweighting
	for i := 0; i < r; i++ {
		best := 0
		for j := 1; j < c; j++ {
			if p.At(i, j) > p.At(i, best) {
				best = j
			}
		}
		rw := Reweighting{From: i, To: best, Leaves: rows[i] / a[i], Arrives: b[best] / cols[best]}
		rw.Net = rw.Leaves * rw.Arrives
		out = append(out, rw)
	}
	return out
}
