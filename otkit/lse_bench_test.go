package otkit

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Kernel benchmarks. One op of BenchmarkLSEIteration is one log-domain
// Sinkhorn iteration's worth of reductions (rowLSE + colLSE, 2·n·m terms);
// it reports ns/term and the kernel's exp throughput as a percentage of the
// bare vectorised exp (BenchmarkExpCeiling) on the same goroutines.
//
//	go test ./otkit -run '^$' -bench 'ExpCeiling|LSEIteration' -benchtime 10x

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
			expVec(dst, src)
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*expCeilingLen), "ns/exp")
}

// expCeiling measures what BenchmarkExpCeiling does (testing.Benchmark
// cannot run inside a benchmark): 2000 passes per goroutine, wall time per
// exp.
var expCeiling = sync.OnceValue(func() float64 {
	const passes = 2000
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := make([]float64, expCeilingLen)
			for i := range src {
				src[i] = -30 * float64(i) / expCeilingLen
			}
			dst := make([]float64, expCeilingLen)
			for k := 0; k < passes; k++ {
				expVec(dst, src)
			}
		}()
	}
	wg.Wait()
	return float64(time.Since(start).Nanoseconds()) / float64(passes*workers*expCeilingLen)
})

// lseBenchClouds draws the d=2 clouds of the POT comparison: x ~ N(0, I),
// y ~ N((1, 1), I).
func lseBenchClouds(n, m int) (x, y []float64) {
	rng := rand.New(rand.NewPCG(42, 0))
	x = make([]float64, 2*n)
	y = make([]float64, 2*m)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64() + 1
	}
	return x, y
}

func BenchmarkLSEIteration(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		for _, mode := range []string{"dense", "online"} {
			b.Run(fmt.Sprintf("%s/n=%d", mode, n), func(b *testing.B) {
				x, y := lseBenchClouds(n, n)
				var kern lseKernel
				online := newSqEuclidFastLSE(x, y, lseTestNorms(x, 2), lseTestNorms(y, 2), n, n, 2, 1)
				if mode == "dense" {
					c := make([]float64, n*n)
					for i := 0; i < n; i++ {
						for j := 0; j < n; j++ {
							d0, d1 := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
							c[i*n+j] = d0*d0 + d1*d1
						}
					}
					kern = newDenseFastLSE(c, n, n, false)
				} else {
					kern = online
				}
				// Realistic potentials: a few fixed-point steps from zero.
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
				row, col := make([]float64, n), make([]float64, n)
				b.ResetTimer()
				for b.Loop() {
					kern.colLSE(col, f, eps)
					kern.rowLSE(row, g, eps)
				}
				nsTerm := float64(b.Elapsed().Nanoseconds()) / (float64(b.N) * 2 * float64(n) * float64(n))
				b.ReportMetric(nsTerm, "ns/term")
				b.ReportMetric(100*expCeiling()/nsTerm, "%exp-ceiling")
			})
		}
	}
}
