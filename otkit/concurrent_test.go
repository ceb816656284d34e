package otkit

import (
	"runtime"
	"sync"
	"testing"
)

// TestResultMethodsConcurrent calls the methods of one result from several
// goroutines at once. They share the solve's kernel and its scratch buffer
// (lseScratch), so this is the test the race detector (docker/test.sh) needs
// to see; every goroutine must also get the serial answer bit for bit.
func TestResultMethodsConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	x := randCloud(95, 120, 2, 1, 0)
	y := randCloud(96, 90, 2, 1, 1)
	for _, online := range []bool{false, true} {
		r := mustSinkhorn(t, mustCloud(t, x, y, PointCloudOptions{Online: online}), nil, nil, SinkhornOptions{})
		v := make([]float64, 90)
		for j := range v {
			v[j] = float64(j%7) - 3
		}
		want, err := r.Apply(v)
		if err != nil {
			t.Fatal(err)
		}
		wantMass := r.TransportMass()
		var wg sync.WaitGroup
		errs := make(chan string, 16)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rep := 0; rep < 5; rep++ {
					got, err := r.Apply(v)
					if err != nil || !equalSlices(got, want) {
						errs <- "Apply differs"
						return
					}
					if r.TransportMass() != wantMass {
						errs <- "TransportMass differs"
						return
					}
					if err := r.Check(); err != nil {
						errs <- err.Error()
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("online %v: %s", online, e)
		}
	}
}
