package otkit

import "testing"

// BenchmarkTutorialDivergenceFlow runs the tutorial's whole S_eps flow
// (25 → 50 points in 2-D, eps = 1, static_b with the OT_1(y,y) offset,
// 500 steps of lr 0.2, i.e. 501 divergence evaluations).
func BenchmarkTutorialDivergenceFlow(b *testing.B) {
	for b.Loop() {
		tutorialFlow(b, "c", 500)
	}
}

// BenchmarkTutorialRegOTFlow runs the tutorial's OT_eps flow at the default
// epsilon, recomputed every step (the slowest of the three: small epsilon).
func BenchmarkTutorialRegOTFlow(b *testing.B) {
	for b.Loop() {
		tutorialFlow(b, "a", 500)
	}
}
