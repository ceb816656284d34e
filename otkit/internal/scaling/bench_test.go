package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/otlab/gootlab/otkit/internal/simd"
)

// BenchmarkStreamPass times one streamed scaling iteration (one pass over
// K̃: a dot product and a scaled row addition per row) at n = m = 1000,
// 4000 and 16000 with a float64 and a float32 K̃, on 1 and 2 cores, and
// reports it against the machine's limit for that pass, the time to read
// K̃ once (dot products only, same blocks, same cores), measured in the
// same run: "%read-floor". The pass reads K̃ from memory once and its rows
// again from cache.
func BenchmarkStreamPass(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		cost := make([]float64, n*n)
		for k := range cost {
			cost[k] = 4 * rng.Float64()
		}
		a := make([]float64, n)
		for i := range a {
			a[i] = 1 / float64(n)
		}
		for _, f32 := range []bool{false, true} {
			st := newStreamKernel(cost, n, n, f32)
			ft, gt := make([]float64, n), make([]float64, n)
			if !st.rebuild(ft, gt, 1, nil) {
				b.Fatal("rebuild failed")
			}
			v := make([]float64, n)
			for j := range v {
				v[j] = 1 / st.c[j]
			}
			un := make([]float64, n)
			prec := "float64"
			bytes := 8.0
			if f32 {
				prec, bytes = "float32", 4
			}
			for _, procs := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/n=%d/procs=%d", prec, n, procs), func(b *testing.B) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					read := streamReadFloor(st, v)
					entries := float64(n) * float64(n)
					fastest := math.Inf(1)
					b.ResetTimer()
					for b.Loop() {
						t0 := time.Now()
						if !st.stream(a, v, un) {
							b.Fatal("pass failed")
						}
						fastest = min(fastest, float64(time.Since(t0).Nanoseconds()))
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*entries), "ns/entry")
					b.ReportMetric(entries*bytes/fastest, "GB/s")
					b.ReportMetric(100*read/fastest, "%read-floor")
				})
			}
			st.done()
		}
	}
}

// streamReadFloor returns the fastest of five reads of K̃ (dot products of
// its rows with v, in the pass's blocks and on the current cores), in ns.
func streamReadFloor(st *streamKernel, v []float64) float64 {
	n, m := st.n, st.m
	sink := make([]float64, n)
	best := math.Inf(1)
	for r := 0; r < 5; r++ {
		t0 := time.Now()
		forBlocks(n, n*m, r%2 == 1, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				if st.f32 {
					sink[i] = simd.DotRow32(st.k32[i*m:(i+1)*m], v)
				} else {
					sink[i] = simd.DotRow64(st.k64[i*m:(i+1)*m], v)
				}
			}
		})
		best = min(best, float64(time.Since(t0).Nanoseconds()))
	}
	return best
}
