package otkit

import (
	"fmt"
	"testing"
)

// BenchmarkSinkhorn solves the default problem (eps = 0.05·std(C), threshold
// 1e-3) between two 2-D Gaussian clouds of n points each, with the cost
// matrix stored (dense) or evaluated on the fly (online). Geometry
// construction is included: it is part of every solve in a gradient flow.
// The solver picks its LSE kernel as usual (the fast one once it exists).
func BenchmarkSinkhorn(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		x := randCloud(81, n, 2, 1, 0)
		y := randCloud(82, n, 2, 1, 1)
		for _, online := range []bool{false, true} {
			name := fmt.Sprintf("n=%d/dense", n)
			if online {
				name = fmt.Sprintf("n=%d/online", n)
			}
			b.Run(name, func(b *testing.B) {
				iters := 0
				for i := 0; i < b.N; i++ {
					g, err := NewPointCloud(x, y, PointCloudOptions{Online: online})
					if err != nil {
						b.Fatal(err)
					}
					r, err := Sinkhorn(g, nil, nil, SinkhornOptions{})
					if err != nil || !r.Converged {
						b.Fatalf("solve failed: %v", err)
					}
					iters = r.Iterations
				}
				b.ReportMetric(float64(iters), "iters")
			})
		}
	}
}
