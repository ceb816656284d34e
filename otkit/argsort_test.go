package otkit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestFloatSorterMatchesStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 14))
	var s floatSorter
	for _, n := range []int{1, 5, radixMin - 1, radixMin, 5000} {
		v := make([]float64, n)
		for i := range v {
			switch rng.IntN(4) {
			case 0:
				v[i] = float64(rng.IntN(5) - 2) // ties, zeros
			case 1:
				v[i] = math.Copysign(0, -1)
			default:
				v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
			}
		}
		vals, perm := make([]float64, n), make([]int32, n)
		s.sort(v, vals, perm)
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(x, y int) int {
			switch {
			case v[x] < v[y]:
				return -1
			case v[x] > v[y]:
				return 1
			}
			return 0
		})
		for k := range want {
			if vals[k] != v[perm[k]] {
				t.Fatalf("n=%d: vals[%d] = %g is not v[perm[%d]] = %g", n, k, vals[k], k, v[perm[k]])
			}
			if vals[k] != v[want[k]] {
				t.Fatalf("n=%d: position %d holds %g, stable sort has %g", n, k, vals[k], v[want[k]])
			}
		}
	}
}
