package parallel

import (
	"runtime"
	"sync"
	"testing"
)

// TestChunksCoverOnce: every index of [0, n) is handed to exactly one call,
// in chunks of the given size (the last one shorter), whether the chunks run
// inline or on goroutines and in either order.
func TestChunksCoverOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, c := range []struct{ n, chunk, work int }{
			{0, 4, MinWork}, {1, 4, MinWork}, {10, 3, 0}, {10, 3, MinWork}, {1000, 64, MinWork}, {1000, 1000, MinWork}, {1001, 7, 4 * MinWork},
		} {
			for _, reverse := range []bool{false, true} {
				seen := make([]int, c.n)
				var mu sync.Mutex
				var order []int
				ChunksOrder(c.n, c.chunk, c.work, reverse, func(lo, hi int) {
					if lo%c.chunk != 0 || hi-lo > c.chunk || hi <= lo || (hi-lo < c.chunk && hi != c.n) {
						t.Errorf("procs %d %+v: chunk [%d, %d) is not a chunk of size %d", procs, c, lo, hi, c.chunk)
					}
					for i := lo; i < hi; i++ {
						seen[i]++ // disjoint chunks: no two calls write the same entry
					}
					mu.Lock()
					order = append(order, lo)
					mu.Unlock()
				})
				for i, k := range seen {
					if k != 1 {
						t.Fatalf("procs %d %+v reverse %v: index %d handed out %d times", procs, c, reverse, i, k)
					}
				}
				if Inline(c.n, c.chunk, c.work) {
					// Inline chunks run in order: ascending, or descending when reversed.
					for k := 1; k < len(order); k++ {
						if (order[k] > order[k-1]) == reverse {
							t.Fatalf("procs %d %+v reverse %v: inline order %v", procs, c, reverse, order)
						}
					}
				}
			}
		}
	}
}

// TestInlineRule: one goroutine, one chunk, or little work runs inline; more
// work over several chunks with several goroutines does not.
func TestInlineRule(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	for _, c := range []struct {
		n, chunk, work int
		inline         bool
	}{
		{100, 10, MinWork - 1, true},
		{100, 100, 10 * MinWork, true},
		{100, 10, MinWork, false},
	} {
		if got := Inline(c.n, c.chunk, c.work); got != c.inline {
			t.Errorf("Inline(%d, %d, %d) = %v at GOMAXPROCS 2, want %v", c.n, c.chunk, c.work, got, c.inline)
		}
	}
	runtime.GOMAXPROCS(1)
	if !Inline(100, 10, 10*MinWork) {
		t.Error("GOMAXPROCS 1 must run inline")
	}
}

// TestScratchShared: the first Take gets the shared buffer until Release; a
// concurrent Take gets a buffer of its own, never the shared one.
func TestScratchShared(t *testing.T) {
	var sc Scratch[float64]
	a, ownA := sc.Take(8)
	if !ownA || len(a) != 8 {
		t.Fatalf("first Take: len %d, shared %v", len(a), ownA)
	}
	b, ownB := sc.Take(4)
	if ownB || len(b) != 4 || &a[0] == &b[0] {
		t.Fatalf("second Take while busy: len %d, shared %v, aliases the first %v", len(b), ownB, &a[0] == &b[0])
	}
	sc.Release(ownB) // not the shared buffer: no effect
	if _, own := sc.Take(1); own {
		t.Fatal("Release of a private buffer freed the shared one")
	}
	sc.Release(ownA)
	c, ownC := sc.Take(16)
	if !ownC || len(c) != 16 {
		t.Fatalf("Take after Release: len %d, shared %v", len(c), ownC)
	}
	sc.Release(ownC)
}

// TestPoolBuffers: pooled buffers have the asked length whatever was put
// back before.
func TestPoolBuffers(t *testing.T) {
	for _, k := range []int{5, 100, 3} {
		p := Buf64(k)
		q := Buf32(k)
		if len(*p) != k || len(*q) != k {
			t.Fatalf("Buf64/Buf32(%d): lengths %d, %d", k, len(*p), len(*q))
		}
		Put64(p)
		Put32(q)
	}
}

// TestRowChunk: between 1 and 64 rows, smaller with more goroutines.
func TestRowChunk(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	for _, c := range []struct{ n, want int }{{0, 1}, {10, 1}, {160, 10}, {100000, 64}} {
		if got := RowChunk(c.n); got != c.want {
			t.Errorf("RowChunk(%d) = %d at GOMAXPROCS 2, want %d", c.n, got, c.want)
		}
	}
}
