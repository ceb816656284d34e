// Package scaling runs the balanced Sinkhorn iterations of stored problems
// in stabilised scaling form.
//
// With f = ε(F̃ + log u) and g = ε(G̃ + log v) the log-domain updates
//
//	g_j = ε log b_j − ε LSE_i (f_i − C_ij)/ε,  f_i = ε log a_i − ε LSE_j (g_j − C_ij)/ε
//
// are exactly v_j = b_j / Σ_i K̃_ij u_i and u_i = a_i / Σ_j K̃_ij v_j with the
// stabilised kernel K̃_ij = exp(F̃_i + G̃_j − C_ij/ε) (Schmitzer's
// absorption): the same iterates, a multiply-add per entry and no exp or
// log. When a scaling leaves [1e-50, 1e50] it is absorbed into F̃, G̃ and K̃
// is recomputed; an entry of K̃ that underflowed then stays below 1e-270 of
// the sums it would enter. If a sum is zero or not finite the solve returns
// to the log domain for good.
//
// Two forms share these rules. The small form (small.go; up to
// SmallMaxEntries entries) serves the pair fit, which solves a K0×K1
// component problem (K of a few) hundreds of times, each up to
// MaxIterations iterations: there a log-domain iteration costs far more in
// exponentials and per-call bookkeeping than the arithmetic. Its first
// iteration runs in the log domain, so K̃ starts as the current coupling,
// whose rows carry the weights. The streamed form (stream.go) serves
// larger problems, where an iteration becomes one pass over K̃ in memory
// instead of two passes of exponentials; it starts before the first
// iteration where it can (enterCold).
//
// The loop rules (blocks, error checks, stopping, iteration count) are the
// caller's (otkit's solver); only the iteration and the balanced §2.3 error
// change form. The caller uses it where it gives the log domain's iterates:
// balanced, stored cost, constant ε, sequential updates without
// acceleration, positive weights, zero start (otkit's backend.go).
package scaling
