package otkit

import (
	"math"
	"slices"
)

// floatSorter sorts float64 values with their original indices, reusing its
// buffers across calls. Large inputs go through an LSD radix sort on the
// order-preserving bit pattern of the values (4 passes of 16 bits, skipping
// passes whose digit is the same for every key); small ones through
// slices.SortFunc. Both give the ascending order; equal values keep their
// input order (both sorts are stable), so results are deterministic. NaN
// is not expected (callers reject it).
type floatSorter struct {
	keys, keys2 []uint64
	idx, idx2   []int32
	count       []int
}

// radixMin is the length from which the radix sort beats comparison sorting.
const radixMin = 2048

// sort writes the values of v in ascending order to vals and their indices
// in v to perm (both of len(v)).
func (s *floatSorter) sort(v, vals []float64, perm []int32) {
	n := len(v)
	if n < radixMin {
		for k := range perm {
			perm[k] = int32(k)
		}
		slices.SortStableFunc(perm, func(x, y int32) int {
			switch {
			case v[x] < v[y]:
				return -1
			case v[x] > v[y]:
				return 1
			}
			return 0
		})
		for k, i := range perm {
			vals[k] = v[i]
		}
		return
	}
	s.keys = grow(s.keys, n)
	s.keys2 = grow(s.keys2, n)
	s.idx = grow(s.idx, n)
	s.idx2 = grow(s.idx2, n)
	if s.count == nil {
		s.count = make([]int, 4<<16)
	}
	clear(s.count)
	for i, x := range v {
		// Flip all bits of negatives and the sign bit of the rest: the
		// unsigned order of the keys is then the order of the floats.
		b := math.Float64bits(x)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		s.keys[i] = b
		s.idx[i] = int32(i)
		for d := 0; d < 4; d++ {
			s.count[d<<16|int(b>>(16*d)&0xffff)]++
		}
	}
	keys, keys2, idx, idx2 := s.keys, s.keys2, s.idx, s.idx2
	for d := 0; d < 4; d++ {
		cnt := s.count[d<<16 : (d+1)<<16]
		if cnt[keys[0]>>(16*d)&0xffff] == n {
			continue // every key has this digit
		}
		pos := 0
		for k, c := range cnt {
			cnt[k] = pos
			pos += c
		}
		shift := uint(16 * d)
		for i, b := range keys {
			k := b >> shift & 0xffff
			p := cnt[k]
			cnt[k] = p + 1
			keys2[p] = b
			idx2[p] = idx[i]
		}
		keys, keys2, idx, idx2 = keys2, keys, idx2, idx
	}
	for k, i := range idx {
		perm[k] = i
		vals[k] = v[i]
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
