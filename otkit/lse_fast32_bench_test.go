package otkit

import (
	"fmt"
	"testing"
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
func expFloor32(workers int) float64 { return measureExpFloor(workers, expVec32) }

// BenchmarkLSEIteration32 is BenchmarkLSEIteration for the float32
// kernels, against the float32 exp floor.
//
//	go test ./otkit -run '^$' -bench LSEIteration32 -benchtime 10x
func BenchmarkLSEIteration32(b *testing.B) {
	benchLSEIteration(b, lseIterationKernels{
		online:    func(x, y []float64, n int) lseKernel { return newSqEuclid32LSE(x, y, n, n, 2, 1) },
		dense:     func(c []float64, n int) lseKernel { return newDense32LSE(c, n, n, false) },
		floor:     expFloor32,
		floorName: "floor",
	})
}
