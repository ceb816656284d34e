package otkit

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// simdPath names the instruction set the fast kernels use on this machine.
func simdPath() string {
	switch {
	case useAVX512:
		return "AVX-512"
	case useAVX:
		return "AVX2"
	}
	return "Go"
}

// BenchmarkExpFloor reports the exp floor of a Sinkhorn iteration, float64
// (expVec) and float32 (expVec32), on 1 and 2 goroutines: the fastest of
// 2000 passes over an in-cache buffer on every goroutine, divided by the
// number of goroutines (ns per exp on all of them; see expCeiling). The
// kernel path is in the name. bench/sinkbench runs it to print the fraction
// of the floor its solves reach.
//
//	go test ./otkit -run '^$' -bench ExpFloor -benchtime 1x
func BenchmarkExpFloor(b *testing.B) {
	for _, prec := range []string{"float64", "float32"} {
		for _, procs := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/kernel=%s/procs=%d", prec, simdPath(), procs), func(b *testing.B) {
				var floor float64
				for b.Loop() {
					if prec == "float64" {
						floor = expCeiling(procs)
					} else {
						floor = expFloor32(procs)
					}
				}
				b.ReportMetric(floor, "floor-ns/exp")
			})
		}
	}
}

// expFloor32 is measureExpCeiling for the float32 exp.
func expFloor32(workers int) float64 {
	const passes = 2000
	best := make([]float64, workers)
	var wg sync.WaitGroup
	for w := range best {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := make([]float32, expCeilingLen)
			for i := range src {
				src[i] = float32(-30 * float64(i) / expCeilingLen)
			}
			dst := make([]float32, expCeilingLen)
			best[w] = math.Inf(1)
			for k := 0; k < passes; k++ {
				t0 := time.Now()
				expVec32(dst, src)
				best[w] = min(best[w], float64(time.Since(t0).Nanoseconds()))
			}
		}()
	}
	wg.Wait()
	return slices.Max(best) / float64(workers*expCeilingLen)
}

// BenchmarkLSEIteration32 is BenchmarkLSEIteration for the float32
// kernels, against the float32 exp floor.
//
//	go test ./otkit -run '^$' -bench LSEIteration32 -benchtime 10x
func BenchmarkLSEIteration32(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		x, y := lseBenchClouds(n, n)
		online := newSqEuclid32LSE(x, y, n, n, 2, 1)
		f, g := make([]float64, n), make([]float64, n)
		const eps = 0.2
		for k := 0; k < 3; k++ {
			online.colLSE(g, f, eps)
			for j := range g {
				g[j] = -g[j]
			}
			online.rowLSE(f, g, eps)
			for i := range f {
				f[i] = -f[i]
			}
		}
		for _, mode := range []string{"dense", "online"} {
			var kern lseKernel = online
			if mode == "dense" {
				c := make([]float64, n*n)
				for i := 0; i < n; i++ {
					for j := 0; j < n; j++ {
						d0, d1 := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
						c[i*n+j] = d0*d0 + d1*d1
					}
				}
				kern = newDense32LSE(c, n, n, false)
			}
			for _, procs := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/n=%d/procs=%d", mode, n, procs), func(b *testing.B) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					floor := expFloor32(procs)
					row, col := make([]float64, n), make([]float64, n)
					terms := 2 * float64(n) * float64(n)
					fastest := math.Inf(1)
					b.ResetTimer()
					for b.Loop() {
						t0 := time.Now()
						kern.colLSE(col, f, eps)
						kern.rowLSE(row, g, eps)
						fastest = min(fastest, float64(time.Since(t0).Nanoseconds()))
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*terms), "ns/term")
					b.ReportMetric(fastest/terms, "min-ns/term")
					b.ReportMetric(floor, "floor-ns/exp")
					b.ReportMetric(100*floor/(fastest/terms), "%exp-floor")
				})
			}
		}
	}
}
