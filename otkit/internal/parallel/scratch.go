package parallel

import (
	"sync"
	"sync/atomic"
)

// Scratch is a kernel's reusable buffer for inline reductions, so that a
// small solve does not allocate in every iteration. A kernel may be shared
// (a result's methods can be called from several goroutines), so the buffer
// is taken with a flag and a caller that finds it taken allocates its own.
// The zero value is ready to use.
type Scratch[T float32 | float64] struct {
	busy atomic.Bool
	buf  []T
}

// Take returns a buffer of length k and whether it is the shared one (then
// Release must follow).
func (sc *Scratch[T]) Take(k int) ([]T, bool) {
	if !sc.busy.CompareAndSwap(false, true) {
		return make([]T, k), false
	}
	if cap(sc.buf) < k {
		sc.buf = make([]T, k)
	}
	return sc.buf[:k], true
}

// Release gives the shared buffer back when own (Take's second result).
func (sc *Scratch[T]) Release(own bool) {
	if own {
		sc.busy.Store(false)
	}
}

// chunk buffers of parallel chunks: allocating them afresh in every
// reduction (megabytes an iteration) kept the collector running and made
// iterations uneven.
var (
	bufs64 = sync.Pool{New: func() any { return new([]float64) }}
	bufs32 = sync.Pool{New: func() any { return new([]float32) }}
)

// Buf64 returns a pooled buffer of length k (give it back with Put64); its
// contents are arbitrary.
func Buf64(k int) *[]float64 {
	p := bufs64.Get().(*[]float64)
	if cap(*p) < k {
		*p = make([]float64, k)
	}
	*p = (*p)[:k]
	return p
}

// Put64 returns a buffer from Buf64 to the pool.
func Put64(p *[]float64) { bufs64.Put(p) }

// Buf32 is Buf64 for float32.
func Buf32(k int) *[]float32 {
	p := bufs32.Get().(*[]float32)
	if cap(*p) < k {
		*p = make([]float32, k)
	}
	*p = (*p)[:k]
	return p
}

// Put32 returns a buffer from Buf32 to the pool.
func Put32(p *[]float32) { bufs32.Put(p) }
