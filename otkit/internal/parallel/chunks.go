package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// MinWork is the work (usually n·m terms) below which a reduction runs on
// the calling goroutine, in one piece and with the kernel's own scratch:
// starting goroutines (and allocating per-chunk buffers) costs more than it
// saves there.
const MinWork = 1 << 15

// Inline reports whether a reduction of n outputs in chunks of the given
// size and total work runs on the calling goroutine (the Chunks rule): one
// goroutine available, one chunk, or less than MinWork.
func Inline(n, chunk, work int) bool {
	nChunks := (n + chunk - 1) / chunk
	return min(runtime.GOMAXPROCS(0), nChunks) <= 1 || work < MinWork
}

// Chunks calls body(lo, hi) on consecutive chunks of [0, n) of the given
// size, from up to GOMAXPROCS goroutines that take chunks in turn. The
// chunks must write disjoint outputs, each computed the same way whichever
// goroutine runs it, so results do not depend on GOMAXPROCS.
func Chunks(n, chunk, work int, body func(lo, hi int)) {
	ChunksOrder(n, chunk, work, false, body)
}

// ChunksOrder is Chunks, handing out the chunks from the last one down when
// reverse is set (the streamed scaling passes alternate, to find the end of
// the previous pass in cache).
func ChunksOrder(n, chunk, work int, reverse bool, body func(lo, hi int)) {
	nChunks := (n + chunk - 1) / chunk
	run := func(c int) {
		if reverse {
			c = nChunks - 1 - c
		}
		lo := c * chunk
		body(lo, min(lo+chunk, n))
	}
	if Inline(n, chunk, work) {
		for c := 0; c < nChunks; c++ {
			run(c)
		}
		return
	}
	workers := min(runtime.GOMAXPROCS(0), nChunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= nChunks {
					return
				}
				run(c)
			}
		}()
	}
	wg.Wait()
}

// RowChunk picks how many rows a goroutine takes at a time: enough chunks
// for load balance on a shared machine, at most 64 rows so the per-row
// states of a chunk stay in cache.
func RowChunk(n int) int {
	return max(1, min(64, n/(8*runtime.GOMAXPROCS(0))))
}
