package otkit

import "fmt"

// Permute returns a copy of m whose component i is m's component perm[i].
// The mixture is the same distribution; only the listing changes. The logits
// are recomputed against the new last component, so the weights carry over
// exactly (up to rounding). Order matters wherever components are updated
// through their free logits, as in the pair fit's Adam steps.
func (m *GaussianMixture) Permute(perm []int) (*GaussianMixture, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	k := m.K()
	if len(perm) != k {
		return nil, fmt.Errorf("otkit: Permute: permutation of length %d for %d components", len(perm), k)
	}
	seen := make([]bool, k)
	for _, p := range perm {
		if p < 0 || p >= k || seen[p] {
			return nil, fmt.Errorf("otkit: Permute: %v is not a permutation of 0..%d", perm, k-1)
		}
		seen[p] = true
	}
	lw := m.LogWeights()
	last := lw[perm[k-1]]
	out := &GaussianMixture{Loc: make([][]float64, k), Scale: make([][]float64, k), Logits: make([]float64, k-1)}
	for i, p := range perm {
		out.Loc[i] = append([]float64(nil), m.Loc[p]...)
		out.Scale[i] = append([]float64(nil), m.Scale[p]...)
		if i < k-1 {
			out.Logits[i] = lw[p] - last
		}
	}
	return out, nil
}
