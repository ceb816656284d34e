package otkit

import "math"

// referenceKernel returns the plain kernel matching the geometry's storage.
func (g *Geometry) referenceKernel() lseKernel {
	if g.cost != nil {
		return &denseLSE{c: g.cost, n: g.n, m: g.m}
	}
	return &onlineLSE{g: g, buf: make([]float64, g.m)}
}

// denseLSE reduces over a stored flat row-major cost matrix. Each reduction
// takes two passes: the maximum exponent, then the shifted sum.
type denseLSE struct {
	c    []float64
	n, m int
}

func (k *denseLSE) rowLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	for i := 0; i < k.n; i++ {
		out[i] = eps * rowReduce(h, k.c[i*k.m:(i+1)*k.m], inv)
	}
}

// rowReduce returns log Σ_j exp((h[j] − c[j])·inv), −Inf when every term is.
func rowReduce(h, c []float64, inv float64) float64 {
	mx := math.Inf(-1)
	for j, cj := range c {
		if v := (h[j] - cj) * inv; v > mx {
			mx = v
		}
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	var s float64
	for j, cj := range c {
		s += math.Exp((h[j]-cj)*inv - mx)
	}
	return mx + math.Log(s)
}

func (k *denseLSE) colLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	m := k.m
	mx := make([]float64, m)
	for j := range mx {
		mx[j] = math.Inf(-1)
	}
	for i := 0; i < k.n; i++ {
		hi := h[i]
		if math.IsInf(hi, -1) {
			continue
		}
		row := k.c[i*m : (i+1)*m]
		for j, cij := range row {
			if v := (hi - cij) * inv; v > mx[j] {
				mx[j] = v
			}
		}
	}
	sum := out
	for j := range sum {
		sum[j] = 0
	}
	for i := 0; i < k.n; i++ {
		hi := h[i]
		if math.IsInf(hi, -1) {
			continue
		}
		row := k.c[i*m : (i+1)*m]
		for j, cij := range row {
			sum[j] += math.Exp((hi-cij)*inv - mx[j])
		}
	}
	for j := range out {
		if math.IsInf(mx[j], -1) {
			out[j] = mx[j]
			continue
		}
		out[j] = eps * (mx[j] + math.Log(sum[j]))
	}
}

// onlineLSE evaluates the cost one row at a time from the points and never
// holds more than one row (len m). Rows reduce in two passes over the
// freshly computed row; columns use a streaming log-sum-exp (running maximum,
// sum rescaled when the maximum grows), so each cost is computed once.
type onlineLSE struct {
	g   *Geometry
	buf []float64
}

func (k *onlineLSE) rowLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	for i := 0; i < k.g.n; i++ {
		k.g.evalRow(k.buf, i)
		out[i] = eps * rowReduce(h, k.buf, inv)
	}
}

func (k *onlineLSE) colLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	m := k.g.m
	mx := make([]float64, m)
	for j := range mx {
		mx[j] = math.Inf(-1)
	}
	sum := out
	for j := range sum {
		sum[j] = 0
	}
	for i := 0; i < k.g.n; i++ {
		hi := h[i]
		if math.IsInf(hi, -1) {
			continue
		}
		k.g.evalRow(k.buf, i)
		for j, cij := range k.buf {
			v := (hi - cij) * inv
			if v > mx[j] {
				sum[j] = sum[j]*math.Exp(mx[j]-v) + 1
				mx[j] = v
			} else {
				sum[j] += math.Exp(v - mx[j])
			}
		}
	}
	for j := range out {
		if math.IsInf(mx[j], -1) {
			out[j] = mx[j]
			continue
		}
		out[j] = eps * (mx[j] + math.Log(sum[j]))
	}
}

// fastRoundingRatio is the largest bound on |C_fast − C|/eps (the online
// fast kernel's cost against evalRow's, in units of eps) at which the online
// fast kernel is used. Its exponents then differ from those of evalRow, the
// stored matrix, Matrix and CostMatrix by at most 1e-10, so every plan entry
// agrees to 1e-10 relative, well inside Check's 1e-9 on the plan mass.
const fastRoundingRatio = 1e-10

// onlineCostRoundingBound bounds the difference between the cost the online
// squared-Euclidean fast kernel effectively uses and evalRow's: the kernel
// rearranges s·(‖x‖² + ‖y‖² − 2⟨x, y⟩) as eps·(a_j + Σ_k x_k w_kj) − s‖x‖²
// with a_j = (h_j − s‖y_j‖²)/eps and w = 2s·y/eps, and each of its terms is
// at most s·(max‖x‖² + max‖y‖²) in size (|2⟨x, y⟩| ≤ ‖x‖² + ‖y‖²), with a
// few roundings of relative size 2⁻⁵³ each: 8·2⁻⁵²·s·(max‖x‖² + max‖y‖²)
// covers them (TestOnlineFastRoundingBound measures it).
func (g *Geometry) onlineCostRoundingBound() float64 {
	var mx, my float64
	for _, v := range g.nx {
		mx = math.Max(mx, v)
	}
	for _, v := range g.ny {
		my = math.Max(my, v)
	}
	return 8 * 0x1p-52 * g.invScale * (mx + my)
}

// onlineFastRoundingOK reports whether the online squared-Euclidean fast
// kernel may replace evalRow's arithmetic at the geometry's eps: only when
// its rounding is below fastRoundingRatio·eps. Below that (eps tiny against
// the size of the costs) the reference kernel, which calls evalRow, keeps
// every path on bit-identical costs. For points of norm ~1 the switch is at
// eps ≈ 1e-5.
func (g *Geometry) onlineFastRoundingOK() bool {
	return g.onlineCostRoundingBound() <= fastRoundingRatio*g.eps
}
