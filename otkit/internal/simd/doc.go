// Package simd holds otkit's vectorised inner loops: the table exps
// (ExpNeg, ExpNeg32) and the row kernels of the log-sum-exp reductions,
// the plan rows and the streamed scaling form.
//
// Each kernel is one exported function, defined in kernels_amd64.go and,
// for other platforms or the noasm build tag, in kernels_noasm.go. Its Go
// loop (lse64.go, lse32.go, rows.go) is the specification: on amd64 an
// AVX-512 or AVX2 assembly loop (stubs_amd64.go declares them, *_amd64.s
// hold them) does the longest prefix it takes and the Go loop the rest, and
// every path performs the same IEEE operations in the same order, so
// results are bit-identical whichever runs. The instruction set is picked once, from
// golang.org/x/sys/cpu (cpu_amd64.go); callers never choose it. The tests
// run every level against the Go loop. To run a whole program on a lower
// level: GODEBUG=cpu.avx512f=off (AVX2), GODEBUG=cpu.avx2=off or -tags
// noasm (Go).
package simd
