//go:build !purego

package otkit

// expVecTable512 is expVecTable's AVX-512 loop (exp_table_amd64.s), n a
// multiple of 16.
//
//go:noescape
func expVecTable512(dst, src *float64, n int)
