//go:build !amd64 || noasm

package simd

// atLevel runs f: without assembly there is only the Go level.
func atLevel(level int, f func()) { f() }

func levels() []int { return []int{levelGo} }

func path() string { return "Go" }
