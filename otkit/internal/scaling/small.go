package scaling

import "math"

// The small form (up to SmallMaxEntries entries): K̃ and its transpose
// stored, one general step and an unrolled one for 3×3.

// stepGeneric is step for any shape; it is the reference step3 is tested
// against.
func (sc *Form) stepGeneric() bool {
	n, m := sc.n, sc.m
	kt, u, vn, un := sc.kt, sc.u[:n], sc.vn[:m], sc.un[:n]
	for j := range vn {
		col := sc.ktT[j*n : (j+1)*n]
		var sum float64
		for i, kij := range col {
			sum += kij * u[i]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		vn[j] = sc.b[j] / sum
	}
	for i := range un {
		row := kt[i*m : (i+1)*m]
		var sum float64
		for j, kij := range row {
			sum += kij * vn[j]
		}
		if !(sum > 0 && sum <= math.MaxFloat64) {
			return false
		}
		un[i] = sc.a[i] / sum
	}
	absorb := false
	for j, x := range vn {
		sc.v[j] = x
		absorb = absorb || x > scalingBound || x < 1/scalingBound
	}
	for i, x := range un {
		u[i] = x
		absorb = absorb || x > scalingBound || x < 1/scalingBound
	}
	if absorb {
		sc.absorbs++
		for i, x := range u {
			sc.ft[i] += math.Log(x)
		}
		for j, x := range sc.v {
			sc.gt[j] += math.Log(x)
		}
		sc.absorbKernel()
	}
	return true
}

// steps3 is steps for a 3×3 problem: step3's operations in a loop that
// reloads the kernel only after an absorption.
func (sc *Form) steps3(count int) int {
	kt, u, v, a, b := sc.kt[:9], sc.u[:3], sc.v[:3], sc.a[:3], sc.b[:3]
	a0, a1, a2, b0, b1, b2 := a[0], a[1], a[2], b[0], b[1], b[2]
	u0, u1, u2 := u[0], u[1], u[2]
	k00, k01, k02 := kt[0], kt[1], kt[2]
	k10, k11, k12 := kt[3], kt[4], kt[5]
	k20, k21, k22 := kt[6], kt[7], kt[8]
	const hi, lo = scalingBound, 1 / scalingBound
	for k := 0; k < count; k++ {
		var s0, s1, s2 float64
		s0 += k00 * u0
		s0 += k10 * u1
		s0 += k20 * u2
		s1 += k01 * u0
		s1 += k11 * u1
		s1 += k21 * u2
		s2 += k02 * u0
		s2 += k12 * u1
		s2 += k22 * u2
		if !(s0 > 0 && s0 <= math.MaxFloat64) || !(s1 > 0 && s1 <= math.MaxFloat64) || !(s2 > 0 && s2 <= math.MaxFloat64) {
			return k
		}
		v0, v1, v2 := b0/s0, b1/s1, b2/s2
		var r0, r1, r2 float64
		r0 += k00 * v0
		r0 += k01 * v1
		r0 += k02 * v2
		r1 += k10 * v0
		r1 += k11 * v1
		r1 += k12 * v2
		r2 += k20 * v0
		r2 += k21 * v1
		r2 += k22 * v2
		if !(r0 > 0 && r0 <= math.MaxFloat64) || !(r1 > 0 && r1 <= math.MaxFloat64) || !(r2 > 0 && r2 <= math.MaxFloat64) {
			return k
		}
		u0, u1, u2 = a0/r0, a1/r1, a2/r2
		v[0], v[1], v[2] = v0, v1, v2
		u[0], u[1], u[2] = u0, u1, u2
		if v0 > hi || v0 < lo || v1 > hi || v1 < lo || v2 > hi || v2 < lo ||
			u0 > hi || u0 < lo || u1 > hi || u1 < lo || u2 > hi || u2 < lo {
			sc.absorbs++
			for i, x := range u {
				sc.ft[i] += math.Log(x)
			}
			for j, x := range v {
				sc.gt[j] += math.Log(x)
			}
			sc.absorbKernel()
			u0, u1, u2 = u[0], u[1], u[2]
			k00, k01, k02 = kt[0], kt[1], kt[2]
			k10, k11, k12 = kt[3], kt[4], kt[5]
			k20, k21, k22 = kt[6], kt[7], kt[8]
		}
	}
	return count
}

// step3 is step for a 3×3 problem (the pair fit's K = 3 tutorial), with
// the kernel and scalings in registers and the loops unrolled. It performs
// the same operations in the same order as the general step, so the
// iterates are bit for bit the same (TestScalingStep3MatchesStep).
func (sc *Form) step3() bool {
	kt, u, v, a, b := sc.kt[:9], sc.u[:3], sc.v[:3], sc.a[:3], sc.b[:3]
	u0, u1, u2 := u[0], u[1], u[2]
	k00, k01, k02 := kt[0], kt[1], kt[2]
	k10, k11, k12 := kt[3], kt[4], kt[5]
	k20, k21, k22 := kt[6], kt[7], kt[8]
	var s0, s1, s2 float64
	s0 += k00 * u0
	s0 += k10 * u1
	s0 += k20 * u2
	s1 += k01 * u0
	s1 += k11 * u1
	s1 += k21 * u2
	s2 += k02 * u0
	s2 += k12 * u1
	s2 += k22 * u2
	if !(s0 > 0 && s0 <= math.MaxFloat64) || !(s1 > 0 && s1 <= math.MaxFloat64) || !(s2 > 0 && s2 <= math.MaxFloat64) {
		return false
	}
	v0, v1, v2 := b[0]/s0, b[1]/s1, b[2]/s2
	var r0, r1, r2 float64
	r0 += k00 * v0
	r0 += k01 * v1
	r0 += k02 * v2
	r1 += k10 * v0
	r1 += k11 * v1
	r1 += k12 * v2
	r2 += k20 * v0
	r2 += k21 * v1
	r2 += k22 * v2
	if !(r0 > 0 && r0 <= math.MaxFloat64) || !(r1 > 0 && r1 <= math.MaxFloat64) || !(r2 > 0 && r2 <= math.MaxFloat64) {
		return false
	}
	u0, u1, u2 = a[0]/r0, a[1]/r1, a[2]/r2
	v[0], v[1], v[2] = v0, v1, v2
	u[0], u[1], u[2] = u0, u1, u2
	const hi, lo = scalingBound, 1 / scalingBound
	if v0 > hi || v0 < lo || v1 > hi || v1 < lo || v2 > hi || v2 < lo ||
		u0 > hi || u0 < lo || u1 > hi || u1 < lo || u2 > hi || u2 < lo {
		sc.absorbs++
		for i, x := range u {
			sc.ft[i] += math.Log(x)
		}
		for j, x := range v {
			sc.gt[j] += math.Log(x)
		}
		sc.absorbKernel()
	}
	return true
}
