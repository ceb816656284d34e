package tutorial

import (
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/otlab/gootlab/otkit"
)

// Vec writes a vector as numpy prints it, with 8 decimals: "[0.1 0.2]".
func Vec(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.8f", x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Rows writes a list of vectors on one line: "[[1 2] [3 4]]".
func Rows(rows [][]float64) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = Vec(r)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Matrix writes a matrix row by row, as numpy prints a 2-D array.
func Matrix(m mat.Matrix) string {
	r, _ := m.Dims()
	var b strings.Builder
	for i := 0; i < r; i++ {
		if i == 0 {
			b.WriteString("[")
		} else {
			b.WriteString("\n ")
		}
		b.WriteString(Vec(mat.Row(nil, i, m)))
	}
	b.WriteString("]")
	return b.String()
}

// Sym2 writes a 2×2 symmetric matrix on one line with 4 decimals.
func Sym2(c mat.Symmetric) string {
	return fmt.Sprintf("[[%.4f %.4f] [%.4f %.4f]]", c.At(0, 0), c.At(0, 1), c.At(1, 0), c.At(1, 1))
}

// Normalize returns v divided by its sum.
func Normalize(v []float64) []float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x / t
	}
	return out
}

// MeanLabels names each component of g by its mean, e.g. "(4.0, 3.0)".
func MeanLabels(g *otkit.GaussianMixture) []string {
	var l []string
	for _, m := range g.Means() {
		l = append(l, fmt.Sprintf("(%.1f, %.1f)", m[0], m[1]))
	}
	return l
}
