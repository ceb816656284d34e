package lse

import (
	"testing"

	"github.com/otlab/gootlab/otkit/internal/simd"
)

// expFloor32 is expCeiling for the float32 exp.
func expFloor32(workers int) float64 { return measureExpFloor(workers, simd.ExpVec32) }

// BenchmarkLSEIteration32 is BenchmarkLSEIteration for the float32
// kernels, against the float32 exp floor.
//
//	go test ./otkit/internal/lse -run '^$' -bench LSEIteration32 -benchtime 10x
func BenchmarkLSEIteration32(b *testing.B) {
	benchLSEIteration(b, lseIterationKernels{
		online:    func(x, y []float64, n int) Kernel { return NewSqEuclid32(x, y, n, n, 2, 1) },
		dense:     func(c []float64, n int) Kernel { return newDense32(c, n, n, false) },
		floor:     expFloor32,
		floorName: "floor",
	})
}
