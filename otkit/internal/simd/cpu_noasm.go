//go:build !amd64 || noasm

package simd

// Path names the instruction set the kernels use: without assembly, "Go".
func Path() string { return "Go" }
