package lse

// Kernel is the seam between the Sinkhorn loop and the log-sum-exp
// reductions that dominate its cost. For the n×m cost matrix C of a geometry
// and a regularisation eps > 0 it computes
//
//	RowLSE: out[i] = eps · log Σ_j exp((h[j] − C[i][j]) / eps)   for i < n, len(h) = m
//	ColLSE: out[j] = eps · log Σ_i exp((h[i] − C[i][j]) / eps)   for j < m, len(h) = n
//
// Entries of h equal to −Inf (zero weights) contribute nothing; a reduction
// whose every term is −Inf yields −Inf. Implementations must never turn an
// underflow (all exponents very negative) into NaN or ±Inf other than that
// case: they shift by the running maximum.
//
// The reference kernels (Dense, Online) are plain loops over math.Exp;
// faster kernels are tested against them.
type Kernel interface {
	RowLSE(out, h []float64, eps float64)
	ColLSE(out, h []float64, eps float64)
}
