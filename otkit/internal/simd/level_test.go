package simd

// Instruction-set levels the tests force: the best available, AVX2 only,
// and the Go loops.
const (
	levelBest = iota
	levelAVX2
	levelGo
)

var levelName = [...]string{"best", "AVX2", "Go"}
