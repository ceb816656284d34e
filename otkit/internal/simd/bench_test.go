package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

const expCeilingLen = 4096 // 32 KB: the buffer stays in L1/L2

// BenchmarkExpCeiling runs the bare vectorised exp over an in-cache buffer
// on every GOMAXPROCS goroutine; ns/exp is wall time per exp on all cores.
func BenchmarkExpCeiling(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(1, 0))
		src := make([]float64, expCeilingLen)
		for i := range src {
			src[i] = -30 * rng.Float64()
		}
		dst := make([]float64, expCeilingLen)
		for pb.Next() {
			ExpVec(dst, src)
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*expCeilingLen), "ns/exp")
}

// BenchmarkExpFloor reports the exp floor of a Sinkhorn iteration, float64
// (ExpVec) and float32 (ExpVec32), on 1 and 2 goroutines: the fastest of
// 2000 passes over an in-cache buffer on every goroutine, divided by the
// number of goroutines (ns per exp on all of them; robust on a shared
// machine). The kernel path is in the name. bench/sinkbench runs it to
// print the fraction of the floor its solves reach.
//
//	go test ./otkit/internal/simd -run '^$' -bench ExpFloor -benchtime 1x
func BenchmarkExpFloor(b *testing.B) {
	for _, prec := range []string{"float64", "float32"} {
		for _, procs := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/kernel=%s/procs=%d", prec, path(), procs), func(b *testing.B) {
				var floor float64
				for b.Loop() {
					if prec == "float64" {
						floor = measureExpFloor(procs, ExpVec)
					} else {
						floor = measureExpFloor(procs, ExpVec32)
					}
				}
				b.ReportMetric(floor, "floor-ns/exp")
			})
		}
	}
}

// measureExpFloor times exp (ExpVec or ExpVec32): the fastest of 2000
// passes over an in-cache buffer on each of workers goroutines, in ns per
// exp on all of them.
func measureExpFloor[T float32 | float64](workers int, exp func(dst, src []T)) float64 {
	const passes = 2000
	best := make([]float64, workers)
	var wg sync.WaitGroup
	for w := range best {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := make([]T, expCeilingLen)
			for i := range src {
				src[i] = T(-30 * float64(i) / expCeilingLen)
			}
			dst := make([]T, expCeilingLen)
			best[w] = math.Inf(1)
			for k := 0; k < passes; k++ {
				t0 := time.Now()
				exp(dst, src)
				best[w] = min(best[w], float64(time.Since(t0).Nanoseconds()))
			}
		}()
	}
	wg.Wait()
	return slices.Max(best) / float64(workers*expCeilingLen)
}
