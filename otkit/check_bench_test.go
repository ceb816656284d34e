package otkit

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkCheck measures what the invariant costs a solve: the default
// problem of BenchmarkSinkhorn (dense and online, n = 1000 and 4000), timed
// without Check (the solver's loop and result only) and Check alone, in the
// same run. It reports check/solve, the fraction Check adds to Sinkhorn.
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		x := randCloud(81, n, 2, 1, 0)
		y := randCloud(82, n, 2, 1, 1)
		for _, online := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/online=%v", n, online), func(b *testing.B) {
				g, err := NewPointCloud(x, y, PointCloudOptions{Online: online})
				if err != nil {
					b.Fatal(err)
				}
				cfg, _ := SinkhornOptions{}.resolve(n, n)
				var solve, check time.Duration
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					s := newSolver(g, uniform(n), uniform(n), cfg)
					s.run()
					r := s.result()
					t1 := time.Now()
					if err := r.Check(); err != nil {
						b.Fatal(err)
					}
					solve += t1.Sub(t0)
					check += time.Since(t1)
				}
				b.ReportMetric(float64(check)/float64(solve), "check/solve")
			})
		}
	}
}
