package otkit

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// shapeImages returns three R×C images of unit mass: a disk, a square ring
// and a cross, with a 1e-6 floor so that every pixel has mass (as in POT's
// examples, whose log-domain form adds 1e-30).
func shapeImages(R, C int) []*mat.Dense {
	ims := make([]*mat.Dense, 3)
	for k := range ims {
		im := mat.NewDense(R, C, nil)
		for i := 0; i < R; i++ {
			for j := 0; j < C; j++ {
				u := 2*float64(i)/float64(R-1) - 1
				v := 2*float64(j)/float64(C-1) - 1
				var in bool
				switch k {
				case 0:
					in = u*u+v*v < 0.5
				case 1:
					m := math.Max(math.Abs(u), math.Abs(v))
					in = m > 0.45 && m < 0.7
				case 2:
					in = math.Min(math.Abs(u), math.Abs(v)) < 0.15 && math.Max(math.Abs(u), math.Abs(v)) < 0.8
				}
				val := 1e-6
				if in {
					val = 1
				}
				im.Set(i, j, val)
			}
		}
		im.Scale(1/mat.Sum(im), im)
		ims[k] = im
	}
	return ims
}

// BenchmarkConvolutionalBarycenter: three 100×100 shapes, eps = 0.004,
// POT's default threshold 1e-4. With OTKIT_BENCH_POT=1 the same images go
// to POT's convolutional_barycenter2d (default scaling form and the
// log-domain form otkit's iterates follow) in /usr/bin/python3, timed there
// around the call only, and the ratios are reported.
func BenchmarkConvolutionalBarycenter(b *testing.B) {
	const R, C, eps = 100, 100, 0.004
	ims := shapeImages(R, C)
	var res *ConvolutionalBarycenterResult
	b.Run("otkit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, err := ConvolutionalBarycenter(ims, ConvolutionalBarycenterOptions{Epsilon: eps})
			if err != nil || !r.Converged {
				b.Fatalf("not converged: %v", err)
			}
			res = r
		}
		b.ReportMetric(float64(res.Iterations), "iters")
	})
	if os.Getenv("OTKIT_BENCH_POT") == "" || res == nil {
		return
	}
	ours := timeOf(func() { _, _ = ConvolutionalBarycenter(ims, ConvolutionalBarycenterOptions{Epsilon: eps}) }, 3)
	pot := potConvTimes(b, ims, eps)
	b.Logf("otkit %.4f s (%d iterations); POT scaling %.4f s (%g iterations, %.1f×), POT log %.4f s (%.1f×), POT log vs otkit max |Δ| %.1e",
		ours, res.Iterations, pot["scaling"], pot["scaling_iters"], pot["scaling"]/ours, pot["log"], pot["log"]/ours, pot["maxdiff"])
}

func timeOf(f func(), reps int) float64 {
	best := math.Inf(1)
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		f()
		best = math.Min(best, time.Since(t0).Seconds())
	}
	return best
}

// potConvTimes runs POT on the images and returns its times (best of 3 for the scaling form, one run of the slow log form).
func potConvTimes(b *testing.B, ims []*mat.Dense, eps float64) map[string]float64 {
	dir := b.TempDir()
	var data [][][]float64
	for _, im := range ims {
		r, _ := im.Dims()
		rows := make([][]float64, r)
		for i := range rows {
			rows[i] = mat.Row(nil, i, im)
		}
		data = append(data, rows)
	}
	raw, _ := json.Marshal(data)
	in := filepath.Join(dir, "images.json")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		b.Fatal(err)
	}
	ours, err := ConvolutionalBarycenter(ims, ConvolutionalBarycenterOptions{Epsilon: eps})
	if err != nil {
		b.Fatal(err)
	}
	ourRaw, _ := json.Marshal(ours.Image.RawMatrix().Data)
	oursPath := filepath.Join(dir, "ours.json")
	if err := os.WriteFile(oursPath, ourRaw, 0o644); err != nil {
		b.Fatal(err)
	}
	script := `
import json, sys, time, numpy as np, ot
A = np.array(json.load(open(sys.argv[1]))); reg = float(sys.argv[2])
ours = np.array(json.load(open(sys.argv[3]))).reshape(A.shape[1:])
def best(f):
    t = []
    for _ in range(3):
        t0 = time.perf_counter(); r = f(); t.append(time.perf_counter() - t0)
    return min(t), r
ts, (_, ls) = best(lambda: ot.bregman.convolutional_barycenter2d(A, reg, warn=False, log=True))
t0 = time.perf_counter(); bl = ot.bregman.convolutional_barycenter2d(A, reg, method="sinkhorn_log", warn=False); tl = time.perf_counter() - t0
print("scaling", ts); print("scaling_iters", ls["niter"] + 1); print("log", tl); print("maxdiff", np.abs(bl - ours).max())
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, in, strconv.FormatFloat(eps, 'g', -1, 64), oursPath).CombinedOutput()
	if err != nil {
		b.Fatalf("POT peer: %v\n%s", err, out)
	}
	res := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			v, err := strconv.ParseFloat(f[1], 64)
			if err == nil {
				res[f[0]] = v
			}
		}
	}
	return res
}
