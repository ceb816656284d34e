// Package lse holds otkit's log-sum-exp reductions, the two halves of a
// log-domain Sinkhorn iteration over an n×m cost: the reference loops
// (Dense, Online: math.Exp, two passes per row; every other kernel is tested
// against them), the fast float64 kernels of a stored matrix (DenseFast)
// and of an online squared-Euclidean cloud (SqEuclidFast), their float32
// versions (Dense32, SqEuclid32), and the block-sparse kernel of a
// truncated multiscale solve (BlockSparse). They take plain slices (or a
// row-evaluating function) and run on internal/simd's vector loops; each
// output is reduced by one goroutine in a fixed order, so results do not
// depend on GOMAXPROCS. otkit's backend.go picks one per solve.
package lse
