//go:build !noasm

package simd

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 assembly loops (which also need FMA3) and
// useAVX512 their AVX-512 versions, twice as wide (the AVX-512 loops use
// AVX2 loops for nothing, but a CPU with AVX-512F has both). x/sys/cpu
// reports a feature only when the OS also saves its registers. Every path
// gives the same bits, so the choice is made once, here, and never by a
// caller; this package's tests switch the flags to compare the paths.
//
// GODEBUG=cpu.avx512f=off (or cpu.avx2=off) limits a whole program to the
// AVX2 (or Go) loops, and the noasm build tag removes the assembly.
var (
	useAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX512 = useAVX2 && cpu.X86.HasAVX512F
)
