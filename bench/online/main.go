// Command online solves one large entropic OT problem between two 2-D point
// clouds in online mode (costs evaluated on the fly, O(n+m) memory) and
// reports the setup and solve times, iterations and peak memory.
//
//	go build -o /tmp/online ./bench/online && /usr/bin/time -v /tmp/online -n 100000
//
// The clouds are x ~ N(0, I) and y ~ N((1,1), I) (fixed seed), uniform
// weights, eps = 0.05·std(C) (OTT's default). The std of the n·m costs is
// computed in closed form from the moments of the points (exact for the
// squared Euclidean cost, O((n+m)·d²)) and passed as Epsilon, as in the
// recorded runs; the online geometry now computes the same from moments
// itself. With -build-only the command only times building the online
// geometry with the default epsilon (no Epsilon passed) and exits:
//
//	/tmp/online -n 100000 -build-only
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/otlab/gootlab/bench/internal/host"
	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

func main() {
	n := flag.Int("n", 100000, "points per cloud")
	threshold := flag.Float64("threshold", 1e-3, "Sinkhorn threshold (L1 column-marginal error)")
	maxIter := flag.Int("max", 2000, "maximum iterations")
	anderson := flag.Int("anderson", 0, "Anderson memory (0 = off, the default solver)")
	momentum := flag.Float64("momentum", 0, "constant momentum weight (0 = off)")
	buildOnly := flag.Bool("build-only", false, "only time building the online geometry with the default epsilon (no Epsilon passed) and exit")
	flag.Parse()

	fmt.Printf("n = m = %d, d = 2, Anderson %d, momentum %g, GOMAXPROCS=%d, load average before: %s\n",
		*n, *anderson, *momentum, runtime.GOMAXPROCS(0), host.LoadAvg())
	rng := rand.New(rand.NewPCG(2026, 100))
	x := mat.NewDense(*n, 2, nil)
	y := mat.NewDense(*n, 2, nil)
	for i := 0; i < *n; i++ {
		for k := 0; k < 2; k++ {
			x.Set(i, k, rng.NormFloat64())
			y.Set(i, k, rng.NormFloat64()+1)
		}
	}
	_, std := sqEuclidMoments(x.RawMatrix().Data, y.RawMatrix().Data, 2)
	eps := 0.05 * std
	if *buildOnly {
		start, c0 := time.Now(), host.CPUSeconds()
		g, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Online: true})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("default eps = %.17g (closed form here: %.17g); online geometry built in %.3f s (%.3f CPU s)\n",
			g.Epsilon(), eps, time.Since(start).Seconds(), host.CPUSeconds()-c0)
		fmt.Printf("peak RSS (VmHWM) = %s; load average after: %s\n", host.PeakRSS(), host.LoadAvg())
		return
	}
	if *n <= 5000 { // small enough to check the closed form against the geometry's scan
		gd, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("check: closed-form eps %.17g, geometry's eps %.17g\n", eps, gd.Epsilon())
	}

	start, c0 := time.Now(), host.CPUSeconds()
	g, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Online: true, Epsilon: eps})
	if err != nil {
		log.Fatal(err)
	}
	setup := time.Since(start)
	fmt.Printf("eps = 0.05·std(C) = %.6g; geometry built in %.1f s (%.1f CPU s)\n", eps, setup.Seconds(), host.CPUSeconds()-c0)

	start, c0 = time.Now(), host.CPUSeconds()
	r, err := otkit.Sinkhorn(g, nil, nil, otkit.SinkhornOptions{
		Threshold: *threshold, MaxIterations: *maxIter, Anderson: *anderson, Momentum: *momentum})
	if err != nil {
		log.Fatal(err)
	}
	solve := time.Since(start)
	cpu := host.CPUSeconds() - c0
	var errs []string
	for _, e := range r.Errors {
		if e >= 0 {
			errs = append(errs, fmt.Sprintf("%.2g", e))
		}
	}
	fmt.Printf("converged=%v after %d iterations in %.1f s (%.2f s/iteration; %.1f CPU s, %.2f CPU s/iteration)\n",
		r.Converged, r.Iterations, solve.Seconds(), solve.Seconds()/float64(r.Iterations), cpu, cpu/float64(r.Iterations))
	fmt.Printf("errors per 10 iterations: %s\n", strings.Join(errs, " "))
	fmt.Printf("reg_ot_cost = %.10g\n", r.RegOTCost)
	fmt.Printf("peak RSS (VmHWM) = %s; load average after: %s\n", host.PeakRSS(), host.LoadAvg())
}

// sqEuclidMoments returns the mean and population std of
// C_ij = ‖x_i − y_j‖² over all pairs, from moments of the points centred on
// their common mean (translation leaves the costs unchanged and avoids the
// cancellation of large norms).
func sqEuclidMoments(x, y []float64, d int) (mean, std float64) {
	n, m := len(x)/d, len(y)/d
	t := make([]float64, d)
	for _, p := range [][]float64{x, y} {
		for i := 0; i < len(p); i += d {
			for k := 0; k < d; k++ {
				t[k] += p[i+k]
			}
		}
	}
	for k := range t {
		t[k] /= float64(n + m)
	}
	// For a cloud: mean point, E‖p‖², E‖p‖⁴, E[p pᵀ], E[‖p‖² p].
	type mom struct {
		mu, up []float64
		u, u2  float64
		s      []float64
	}
	moments := func(p []float64, cnt int) mom {
		r := mom{mu: make([]float64, d), up: make([]float64, d), s: make([]float64, d*d)}
		c := make([]float64, d)
		for i := 0; i < cnt; i++ {
			u := 0.0
			for k := 0; k < d; k++ {
				c[k] = p[i*d+k] - t[k]
				u += c[k] * c[k]
			}
			r.u += u
			r.u2 += u * u
			for k := 0; k < d; k++ {
				r.mu[k] += c[k]
				r.up[k] += u * c[k]
				for l := 0; l < d; l++ {
					r.s[k*d+l] += c[k] * c[l]
				}
			}
		}
		f := 1 / float64(cnt)
		r.u *= f
		r.u2 *= f
		for k := range r.mu {
			r.mu[k] *= f
			r.up[k] *= f
		}
		for k := range r.s {
			r.s[k] *= f
		}
		return r
	}
	a, b := moments(x, n), moments(y, m)
	dot := func(p, q []float64) float64 {
		s := 0.0
		for k := range p {
			s += p[k] * q[k]
		}
		return s
	}
	mean = a.u + b.u - 2*dot(a.mu, b.mu)
	second := a.u2 + b.u2 + 4*dot(a.s, b.s) + 2*a.u*b.u - 4*dot(a.up, b.mu) - 4*dot(a.mu, b.up)
	return mean, math.Sqrt(math.Max(0, second-mean*mean))
}
