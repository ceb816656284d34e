package netsimplex

import "math"

// emdReference solves the transportation problem by successive shortest
// paths (Bellman–Ford on the dense residual graph): the simple, slow
// reference the network simplex is tested against (O(paths·(n+m)·n·m)),
// for small problems only. c is n×m row-major; a and b have equal mass.
// It returns the dense plan and its cost.
//
// Shipping along a shortest augmenting path keeps the partial plan optimal
// for the mass shipped so far, so when every supply is exhausted the plan
// is optimal. Bellman–Ford handles the negative costs of backward arcs.
func emdReference(c []float64, a, b []float64) ([]float64, float64) {
	n, m := len(a), len(b)
	x := make([]float64, n*m)
	remA := append([]float64(nil), a...)
	remB := append([]float64(nil), b...)
	distR, distC := make([]float64, n), make([]float64, m)
	// Predecessors: a column is reached from a row (forward arc); a row is
	// reached from a column (backward arc, undoing flow) or is a source.
	fromR, fromC := make([]int, n), make([]int, m)
	// Rounding leaves residues of ~1e-17 when b was rescaled to Σa; they
	// are not worth a path (and could make degenerate augmentations).
	var sa float64
	for _, v := range a {
		sa += v
	}
	tiny := 1e-14 * sa
	// Relax only on a clear improvement: a zero-cost cycle evaluated with
	// rounding could look negative and make the predecessors cyclic.
	var cmax float64
	for _, v := range c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	slack := 1e-12 * (1 + cmax)
	for paths := 0; ; paths++ {
		if paths > 4*(n+m)*(n*m+1) {
			return x, math.NaN() // cycling: the caller's comparison fails
		}
		for i := range distR {
			distR[i], fromR[i] = math.Inf(1), -1
			if remA[i] > tiny {
				distR[i] = 0
			}
		}
		for j := range distC {
			distC[j], fromC[j] = math.Inf(1), -1
		}
		for round := 0; round < n+m; round++ {
			changed := false
			for i := 0; i < n; i++ {
				if math.IsInf(distR[i], 1) {
					continue
				}
				for j := 0; j < m; j++ {
					if d := distR[i] + c[i*m+j]; d < distC[j]-slack {
						distC[j], fromC[j], changed = d, i, true
					}
				}
			}
			for j := 0; j < m; j++ {
				if math.IsInf(distC[j], 1) {
					continue
				}
				for i := 0; i < n; i++ {
					if x[i*m+j] > 0 {
						if d := distC[j] - c[i*m+j]; d < distR[i]-slack {
							distR[i], fromR[i], changed = d, j, true
						}
					}
				}
			}
			if !changed {
				break
			}
		}
		sink := -1
		for j := range distC {
			if remB[j] > tiny && !math.IsInf(distC[j], 1) && (sink < 0 || distC[j] < distC[sink]) {
				sink = j
			}
		}
		if sink < 0 {
			break
		}
		// Bottleneck along the path back to a source row.
		delta := remB[sink]
		j := sink
		var i int
		for {
			i = fromC[j]
			if fromR[i] < 0 {
				break
			}
			j = fromR[i]
			delta = math.Min(delta, x[i*m+j])
		}
		delta = math.Min(delta, remA[i])
		remA[i] -= delta
		remB[sink] -= delta
		j = sink
		for {
			i = fromC[j]
			x[i*m+j] += delta
			if fromR[i] < 0 {
				break
			}
			j = fromR[i]
			x[i*m+j] -= delta
		}
	}
	var cost float64
	for k, v := range x {
		cost += v * c[k]
	}
	return x, cost
}
