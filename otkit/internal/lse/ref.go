package lse

import "math"

// Dense reduces over a stored flat row-major cost matrix. Each reduction
// takes two passes: the maximum exponent, then the shifted sum.
type Dense struct {
	c    []float64
	n, m int
}

// NewDense returns the reference kernel of the row-major n×m matrix c.
func NewDense(c []float64, n, m int) *Dense { return &Dense{c: c[:n*m], n: n, m: m} }

func (k *Dense) RowLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	for i := 0; i < k.n; i++ {
		out[i] = eps * RowReduce(h, k.c[i*k.m:(i+1)*k.m], inv)
	}
}

// RowReduce returns log Σ_j exp((h[j] − c[j])·inv), −Inf when every term is.
func RowReduce(h, c []float64, inv float64) float64 {
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

func (k *Dense) ColLSE(out, h []float64, eps float64) {
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

// Online evaluates the cost one row at a time from the points and never
// holds more than one row (len m). Rows reduce in two passes over the
// freshly computed row; columns use a streaming log-sum-exp (running maximum,
// sum rescaled when the maximum grows), so each cost is computed once.
type Online struct {
	n, m int
	row  func(dst []float64, i int) // row(dst, i) sets dst_j = C_ij
	buf  []float64
}

// NewOnline returns the reference kernel of an n×m cost evaluated a row at
// a time by row.
func NewOnline(n, m int, row func(dst []float64, i int)) *Online {
	return &Online{n: n, m: m, row: row, buf: make([]float64, m)}
}

func (k *Online) RowLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	for i := 0; i < k.n; i++ {
		k.row(k.buf, i)
		out[i] = eps * RowReduce(h, k.buf, inv)
	}
}

func (k *Online) ColLSE(out, h []float64, eps float64) {
	inv := 1 / eps
	m := k.m
	mx := make([]float64, m)
	for j := range mx {
		mx[j] = math.Inf(-1)
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
		k.row(k.buf, i)
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
