//go:build !noasm

package simd

// atLevel runs f with the kernels limited to the given instruction-set
// level (the package's own dispatch flags; restored afterwards). Tests
// that use it must not run in parallel.
func atLevel(level int, f func()) {
	saved2, saved512 := useAVX2, useAVX512
	defer func() { useAVX2, useAVX512 = saved2, saved512 }()
	if level >= levelAVX2 {
		useAVX512 = false
	}
	if level >= levelGo {
		useAVX2 = false
	}
	f()
}

// levels returns the levels this machine can run, best first.
func levels() []int {
	switch {
	case useAVX512:
		return []int{levelBest, levelAVX2, levelGo}
	case useAVX2:
		return []int{levelBest, levelGo}
	}
	return []int{levelGo}
}

// path names the instruction set the kernels use (benchmark labels).
func path() string {
	switch {
	case useAVX512:
		return "AVX-512"
	case useAVX2:
		return "AVX2"
	}
	return "Go"
}
