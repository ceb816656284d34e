// Command accel counts Sinkhorn iterations to threshold with and without
// the accelerations otkit offers (epsilon schedule, constant or adaptive
// momentum, Anderson), on the tutorial's gradient flows and on one large
// problem.
//
//	go run ./bench/accel            # flows + 10k×10k online
//	go run ./bench/accel -n 0       # flows only
//
// Flows: x = 0.25·N(0, I) (25 points), y = 0.5·N(0, I) + (6, 0) (50 points),
// fixed seed (not JAX's, so not the tutorial's exact points), 501
// evaluations with x ← x − 0.2·∇x: (a) reg_ot_cost with the default eps
// recomputed at each step, (b) reg_ot_cost with eps = 1, (c) the Sinkhorn
// divergence with eps = 1 and y static. The totals count Sinkhorn
// iterations over the 501 evaluations. The options apply to the x–y solves;
// the x–x solves of (c) keep the divergence's symmetric update.
// Large problem: x ~ N(0, I), y ~ N((1,1), I), n = m = -n, d = 2, online,
// default eps, threshold 1e-3.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/otlab/gootlab/otkit"
	"gonum.org/v1/gonum/mat"
)

type config struct {
	name  string
	sched otkit.EpsilonSchedule
	opt   otkit.SinkhornOptions
}

var configs = []config{
	{name: "defaults"},
	{name: "eps schedule init 20, decay 0.8", sched: otkit.EpsilonSchedule{Init: 20, Decay: 0.8}},
	{name: "eps schedule init 5, decay 0.9", sched: otkit.EpsilonSchedule{Init: 5, Decay: 0.9}},
	{name: "momentum 1.3", opt: otkit.SinkhornOptions{Momentum: 1.3}},
	{name: "momentum 1.6", opt: otkit.SinkhornOptions{Momentum: 1.6}},
	{name: "adaptive momentum from 20", opt: otkit.SinkhornOptions{MomentumStart: 20}},
	{name: "Anderson 2", opt: otkit.SinkhornOptions{Anderson: 2}},
	{name: "Anderson 5", opt: otkit.SinkhornOptions{Anderson: 5}},
}

func main() {
	n := flag.Int("n", 10000, "size of the large problem (0 = skip)")
	noFlows := flag.Bool("noflows", false, "skip the flows")
	flag.Parse()
	fmt.Printf("GOMAXPROCS=%d, load average before: %s\n\n", runtime.GOMAXPROCS(0), loadavg())

	if !*noFlows {
		flows()
	}
	if *n > 0 {
		large(*n)
	}
	fmt.Printf("\nload average after: %s\n", loadavg())
}

func flows() {
	rng := rand.New(rand.NewPCG(2026, 7))
	x0 := gauss(rng, 25, 0.25, 0, 0)
	y := gauss(rng, 50, 0.5, 6, 0)
	fmt.Println("Flows (501 solves each): total Sinkhorn iterations, solves not converged")
	fmt.Println()
	fmt.Println("| options | (a) reg_ot_cost, default eps | (b) reg_ot_cost, eps = 1 | (c) Sinkhorn divergence, eps = 1, static y (x–y + x–x solves) |")
	fmt.Println("|---|---|---|---|")
	offset, err := otkit.NewPointCloud(y, nil, otkit.PointCloudOptions{Epsilon: 1})
	if err != nil {
		log.Fatal(err)
	}
	ryy, err := otkit.Sinkhorn(offset, nil, nil, otkit.SinkhornOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range configs {
		var cells []string
		for _, eps := range []float64{0, 1} {
			it, bad, final := flow(x0, y, eps, c)
			cells = append(cells, fmt.Sprintf("%d it, %d not converged, final %.5f", it, bad, final))
		}
		if c.sched == (otkit.EpsilonSchedule{}) {
			it, bad, final := divFlow(x0, y, ryy.RegOTCost, c)
			cells = append(cells, fmt.Sprintf("%d it, %d not converged, final %.5f", it, bad, final))
		} else {
			cells = append(cells, "n/a (no schedule option)")
		}
		fmt.Printf("| %s | %s |\n", c.name, strings.Join(cells, " | "))
	}
}

func large(n int) {
	{
		rng := rand.New(rand.NewPCG(2026, 100))
		x := gauss(rng, n, 1, 0, 0)
		yb := gauss(rng, n, 1, 1, 1)
		fmt.Printf("\n%d×%d online, d = 2, threshold 1e-3\n\n", n, n)
		fmt.Println("| options | iterations | converged | seconds | reg_ot_cost |")
		fmt.Println("|---|---|---|---|---|")
		var eps float64
		for _, c := range configs {
			g, err := otkit.NewPointCloud(x, yb, otkit.PointCloudOptions{Online: true, Epsilon: eps, Schedule: c.sched})
			if err != nil {
				log.Fatal(err)
			}
			eps = g.Epsilon() // computed once, reused
			start := time.Now()
			r, err := otkit.Sinkhorn(g, nil, nil, c.opt)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("| %s | %d | %v | %.1f | %.8f |\n", c.name, r.Iterations, r.Converged, time.Since(start).Seconds(), r.RegOTCost)
		}
	}
}

func gauss(rng *rand.Rand, n int, sd, mx, my float64) *mat.Dense {
	x := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, sd*rng.NormFloat64()+mx)
		x.Set(i, 1, sd*rng.NormFloat64()+my)
	}
	return x
}

// flow runs the 501-step reg_ot_cost flow and returns the total Sinkhorn
// iterations, the number of solves that did not converge and the last value.
func flow(x0, y *mat.Dense, eps float64, c config) (iters, bad int, value float64) {
	x := mat.DenseCopyOf(x0)
	for step := 0; step <= 500; step++ {
		g, err := otkit.NewPointCloud(x, y, otkit.PointCloudOptions{Epsilon: eps, Schedule: c.sched})
		if err != nil {
			log.Fatal(err)
		}
		r, err := otkit.Sinkhorn(g, nil, nil, c.opt)
		if err != nil {
			log.Fatal(err)
		}
		iters += r.Iterations
		if !r.Converged {
			bad++
		}
		value = r.RegOTCost
		grad, err := r.GradX()
		if err != nil {
			log.Fatal(err)
		}
		grad.Scale(0.2, grad)
		x.Sub(x, grad)
	}
	return iters, bad, value
}

// divFlow is flow (c): the Sinkhorn divergence with eps = 1 and the y–y
// term fixed to offset; it counts the iterations of the x–y and x–x solves
// (the latter always uses the symmetric update).
func divFlow(x0, y *mat.Dense, offset float64, c config) (iters, bad int, value float64) {
	x := mat.DenseCopyOf(x0)
	for step := 0; step <= 500; step++ {
		r, err := otkit.Divergence(x, y, nil, nil, otkit.DivergenceOptions{
			Epsilon: 1, Sinkhorn: c.opt, StaticB: true, OffsetStaticB: offset})
		if err != nil {
			log.Fatal(err)
		}
		iters += r.XY.Iterations + r.XX.Iterations
		if !r.Converged {
			bad++
		}
		value = r.Divergence
		grad, err := r.GradX()
		if err != nil {
			log.Fatal(err)
		}
		grad.Scale(0.2, grad)
		x.Sub(x, grad)
	}
	return iters, bad, value
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
