package otkit

import (
	"fmt"
	"sync"

	"github.com/otlab/gootlab/otkit/internal/parallel"
	"github.com/otlab/gootlab/otkit/internal/simd"
)

// The plan's mass and primal cost summed entry by entry (Check's first
// path, next to TransportMass from the LSE kernel).

// maxExpArg is the largest x with a finite exp(x).
const maxExpArg = 709.78

// planSums sums the plan entry by entry from the geometry's cost rows: its
// mass and ⟨P, C⟩, or a description of the first entry that is not finite.
// The exponentials use the vectorised simd.ExpNeg (within 1e-15 of math.Exp);
// exponents above maxExpArg are reported, not evaluated. Blocks of
// planBlockRows rows run in parallel and their partial sums are added in
// block order, so the sums do not depend on GOMAXPROCS.
func (r *SinkhornResult) planSums() (mass, primal float64, bad string) {
	n, m := r.Geom.Shape()
	nBlocks := (n + planBlockRows - 1) / planBlockRows
	parts := make([]planPart, nBlocks)
	parallel.Chunks(n, planBlockRows, n*m, func(lo, hi int) {
		sc := planScratchPool.Get().(*planScratch)
		sc.grow(m)
		parts[lo/planBlockRows] = r.planBlock(lo, hi, sc)
		planScratchPool.Put(sc)
	})
	for _, p := range parts {
		if p.bad != "" {
			return 0, 0, p.bad
		}
		mass += p.mass
		primal += p.primal
	}
	return mass, primal, ""
}

// planBlockRows is the row block of planSums; fixed, so that the order of
// the additions is too.
const planBlockRows = 32

// planPart is one block's share of planSums.
type planPart struct {
	mass, primal float64
	bad          string
}

// planScratch holds a block's plan entries, (online geometries) cost row,
// and ones to sum a row with simd.DotRow64.
type planScratch struct{ p, row, ones []float64 }

func (sc *planScratch) grow(m int) {
	if cap(sc.p) < m {
		sc.p, sc.row, sc.ones = make([]float64, m), make([]float64, m), make([]float64, m)
		for j := range sc.ones {
			sc.ones[j] = 1
		}
	}
	sc.p, sc.row, sc.ones = sc.p[:m], sc.row[:m], sc.ones[:m]
}

var planScratchPool = sync.Pool{New: func() any { return new(planScratch) }}

// planBlock sums the plan over rows [lo, hi).
func (r *SinkhornResult) planBlock(lo, hi int, sc *planScratch) planPart {
	var part planPart
	inv := 1 / r.Epsilon
	for i := lo; i < hi; i++ {
		row := r.Geom.costRow(sc.row, i)
		if mx := simd.PlanExpRow(sc.p, row, r.G, r.F[i], inv); !(mx <= maxExpArg) {
			for j, cv := range row {
				if v := (r.F[i] + r.G[j] - cv) * inv; !(v <= maxExpArg) {
					part.bad = fmt.Sprintf("plan entry P[%d,%d] = exp(%g) is not finite (F = %g, G = %g, C = %g)", i, j, v, r.F[i], r.G[j], cv)
					break
				}
			}
			return part
		}
		part.mass += simd.DotRow64(sc.p, sc.ones)
		part.primal += simd.DotRow64(sc.p, row)
	}
	return part
}
