//go:build !purego

#include "textflag.h"

// AVX2+FMA inner loops of the fast log-sum-exp kernels (lse_fast.go). Each
// routine mirrors a pure-Go loop in lse_fast.go operation for operation (same
// fused multiply-adds, same order), so both paths give bit-identical results.

DATA expLog2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA expLog2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA expLog2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA expLog2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL expLog2e<>(SB), RODATA|NOPTR, $32

DATA expMagic<>+0(SB)/8, $0x4338000000000000
DATA expMagic<>+8(SB)/8, $0x4338000000000000
DATA expMagic<>+16(SB)/8, $0x4338000000000000
DATA expMagic<>+24(SB)/8, $0x4338000000000000
GLOBL expMagic<>(SB), RODATA|NOPTR, $32

DATA expLn2Hi<>+0(SB)/8, $0x3fe62e42fefa39ef
DATA expLn2Hi<>+8(SB)/8, $0x3fe62e42fefa39ef
DATA expLn2Hi<>+16(SB)/8, $0x3fe62e42fefa39ef
DATA expLn2Hi<>+24(SB)/8, $0x3fe62e42fefa39ef
GLOBL expLn2Hi<>(SB), RODATA|NOPTR, $32

DATA expLn2Lo<>+0(SB)/8, $0x3c7abc9e3b39803f
DATA expLn2Lo<>+8(SB)/8, $0x3c7abc9e3b39803f
DATA expLn2Lo<>+16(SB)/8, $0x3c7abc9e3b39803f
DATA expLn2Lo<>+24(SB)/8, $0x3c7abc9e3b39803f
GLOBL expLn2Lo<>(SB), RODATA|NOPTR, $32

DATA expLow<>+0(SB)/8, $0xc086200000000000
DATA expLow<>+8(SB)/8, $0xc086200000000000
DATA expLow<>+16(SB)/8, $0xc086200000000000
DATA expLow<>+24(SB)/8, $0xc086200000000000
GLOBL expLow<>(SB), RODATA|NOPTR, $32

DATA expOne<>+0(SB)/8, $0x3ff0000000000000
DATA expOne<>+8(SB)/8, $0x3ff0000000000000
DATA expOne<>+16(SB)/8, $0x3ff0000000000000
DATA expOne<>+24(SB)/8, $0x3ff0000000000000
GLOBL expOne<>(SB), RODATA|NOPTR, $32

// expSlack is shiftSlack (lse_fast.go), 300.
DATA expSlack<>+0(SB)/8, $0x4072c00000000000
DATA expSlack<>+8(SB)/8, $0x4072c00000000000
DATA expSlack<>+16(SB)/8, $0x4072c00000000000
DATA expSlack<>+24(SB)/8, $0x4072c00000000000
GLOBL expSlack<>(SB), RODATA|NOPTR, $32

DATA expBias<>+0(SB)/8, $0x00000000000003ff
DATA expBias<>+8(SB)/8, $0x00000000000003ff
DATA expBias<>+16(SB)/8, $0x00000000000003ff
DATA expBias<>+24(SB)/8, $0x00000000000003ff
GLOBL expBias<>(SB), RODATA|NOPTR, $32

DATA expC0<>+0(SB)/8, $0x3ff0000000000000
DATA expC0<>+8(SB)/8, $0x3ff0000000000000
DATA expC0<>+16(SB)/8, $0x3ff0000000000000
DATA expC0<>+24(SB)/8, $0x3ff0000000000000
GLOBL expC0<>(SB), RODATA|NOPTR, $32

DATA expC1<>+0(SB)/8, $0x3ff0000000000006
DATA expC1<>+8(SB)/8, $0x3ff0000000000006
DATA expC1<>+16(SB)/8, $0x3ff0000000000006
DATA expC1<>+24(SB)/8, $0x3ff0000000000006
GLOBL expC1<>(SB), RODATA|NOPTR, $32

DATA expC2<>+0(SB)/8, $0x3fe0000000000001
DATA expC2<>+8(SB)/8, $0x3fe0000000000001
DATA expC2<>+16(SB)/8, $0x3fe0000000000001
DATA expC2<>+24(SB)/8, $0x3fe0000000000001
GLOBL expC2<>(SB), RODATA|NOPTR, $32

DATA expC3<>+0(SB)/8, $0x3fc5555555550d7c
DATA expC3<>+8(SB)/8, $0x3fc5555555550d7c
DATA expC3<>+16(SB)/8, $0x3fc5555555550d7c
DATA expC3<>+24(SB)/8, $0x3fc5555555550d7c
GLOBL expC3<>(SB), RODATA|NOPTR, $32

DATA expC4<>+0(SB)/8, $0x3fa5555555553d64
DATA expC4<>+8(SB)/8, $0x3fa5555555553d64
DATA expC4<>+16(SB)/8, $0x3fa5555555553d64
DATA expC4<>+24(SB)/8, $0x3fa5555555553d64
GLOBL expC4<>(SB), RODATA|NOPTR, $32

DATA expC5<>+0(SB)/8, $0x3f811111123c1457
DATA expC5<>+8(SB)/8, $0x3f811111123c1457
DATA expC5<>+16(SB)/8, $0x3f811111123c1457
DATA expC5<>+24(SB)/8, $0x3f811111123c1457
GLOBL expC5<>(SB), RODATA|NOPTR, $32

DATA expC6<>+0(SB)/8, $0x3f56c16c1788b646
DATA expC6<>+8(SB)/8, $0x3f56c16c1788b646
DATA expC6<>+16(SB)/8, $0x3f56c16c1788b646
DATA expC6<>+24(SB)/8, $0x3f56c16c1788b646
GLOBL expC6<>(SB), RODATA|NOPTR, $32

DATA expC7<>+0(SB)/8, $0x3f2a01994bfc90de
DATA expC7<>+8(SB)/8, $0x3f2a01994bfc90de
DATA expC7<>+16(SB)/8, $0x3f2a01994bfc90de
DATA expC7<>+24(SB)/8, $0x3f2a01994bfc90de
GLOBL expC7<>(SB), RODATA|NOPTR, $32

DATA expC8<>+0(SB)/8, $0x3efa019b90eefe8e
DATA expC8<>+8(SB)/8, $0x3efa019b90eefe8e
DATA expC8<>+16(SB)/8, $0x3efa019b90eefe8e
DATA expC8<>+24(SB)/8, $0x3efa019b90eefe8e
GLOBL expC8<>(SB), RODATA|NOPTR, $32

DATA expC9<>+0(SB)/8, $0x3ec72e111e4b5775
DATA expC9<>+8(SB)/8, $0x3ec72e111e4b5775
DATA expC9<>+16(SB)/8, $0x3ec72e111e4b5775
DATA expC9<>+24(SB)/8, $0x3ec72e111e4b5775
GLOBL expC9<>(SB), RODATA|NOPTR, $32

DATA expC10<>+0(SB)/8, $0x3e92891834686c7e
DATA expC10<>+8(SB)/8, $0x3e92891834686c7e
DATA expC10<>+16(SB)/8, $0x3e92891834686c7e
DATA expC10<>+24(SB)/8, $0x3e92891834686c7e
GLOBL expC10<>(SB), RODATA|NOPTR, $32

DATA expNegInf<>+0(SB)/8, $0xfff0000000000000
DATA expNegInf<>+8(SB)/8, $0xfff0000000000000
DATA expNegInf<>+16(SB)/8, $0xfff0000000000000
DATA expNegInf<>+24(SB)/8, $0xfff0000000000000
GLOBL expNegInf<>(SB), RODATA|NOPTR, $32

// EXPNEG overwrites X with exp(X). Inputs below -708, and NaN, give +0;
// inputs must be below 709. T, N and MASK are clobbered.
// Range reduction x = n·ln2 + r with |r| ≤ ln2/2 (n by the 1.5·2^52
// rounding trick, r with two fused steps), a degree-10 polynomial in r
// (Chebyshev interpolation of e^r on |r| ≤ 0.3466 with p(0) = 1; error
// below 6e-16 relative), and 2^n built in the exponent field.
#define EXPNEG(X, T, N, MASK) \
	VCMPPD       $0x1d, expLow<>(SB), X, MASK; \
	VMAXPD       expLow<>(SB), X, X; \
	VMOVUPD      expLog2e<>(SB), T; \
	VFMADD213PD  expMagic<>(SB), X, T; \
	VSUBPD       expMagic<>(SB), T, N; \
	VFNMADD231PD expLn2Hi<>(SB), N, X; \
	VFNMADD231PD expLn2Lo<>(SB), N, X; \
	VMOVUPD      expC10<>(SB), N; \
	VFMADD213PD  expC9<>(SB), X, N; \
	VFMADD213PD  expC8<>(SB), X, N; \
	VFMADD213PD  expC7<>(SB), X, N; \
	VFMADD213PD  expC6<>(SB), X, N; \
	VFMADD213PD  expC5<>(SB), X, N; \
	VFMADD213PD  expC4<>(SB), X, N; \
	VFMADD213PD  expC3<>(SB), X, N; \
	VFMADD213PD  expC2<>(SB), X, N; \
	VFMADD213PD  expC1<>(SB), X, N; \
	VFMADD213PD  expC0<>(SB), X, N; \
	VPADDQ       expBias<>(SB), T, T; \
	VPSLLQ       $52, T, T; \
	VMULPD       T, N, X; \
	VANDPD       MASK, X, X

// func zDenseMaxAVX(c, h, z *float64, n int, invEps float64) float64
// z_j = (h_j - c_j)·invEps stored, and their maximum returned (-Inf if all
// are -Inf). n a multiple of 8, at least 8.
TEXT ·zDenseMaxAVX(SB), NOSPLIT, $0-48
	MOVQ         c+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         z+16(FP), R9
	MOVQ         n+24(FP), CX
	VBROADCASTSD invEps+32(FP), Y15
	VMOVUPD      expNegInf<>(SB), Y0
	VMOVUPD      Y0, Y1
	XORQ         AX, AX

zdloop:
	VMOVUPD (DI)(AX*8), Y4
	VSUBPD  (SI)(AX*8), Y4, Y4
	VMULPD  Y15, Y4, Y4
	VMOVUPD 32(DI)(AX*8), Y5
	VSUBPD  32(SI)(AX*8), Y5, Y5
	VMULPD  Y15, Y5, Y5
	VMOVUPD Y4, (R9)(AX*8)
	VMOVUPD Y5, 32(R9)(AX*8)
	VMAXPD  Y4, Y0, Y0
	VMAXPD  Y5, Y1, Y1
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     zdloop

	VMAXPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VMAXSD       X1, X0, X0
	VMOVSD       X0, ret+40(FP)
	VZEROUPPER
	RET

// func accColShiftAVX(c *float64, n int, hi, invEps float64, mx, s, next *float64)
// The vector twin of shiftStep, n a multiple of 8: x = z - mx; where no
// lane has x > shiftSlack (the usual case) s += exp(x) and mx is left as
// it is; otherwise those lanes take mx = z, s = s·exp(-x) + 1 (a branch to
// a second exp). The next row's segment at next is prefetched.
TEXT ·accColShiftAVX(SB), NOSPLIT, $0-56
	MOVQ         next+48(FP), R8
	MOVQ         c+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD hi+16(FP), Y14
	VBROADCASTSD invEps+24(FP), Y15
	MOVQ         mx+32(FP), DI
	MOVQ         s+40(FP), DX
	VBROADCASTSD expSlack<>(SB), Y13
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          cs3done

cs3loop:
	PREFETCHT0 (R8)(AX*8)
	VSUBPD     (SI)(AX*8), Y14, Y4
	VMULPD     Y15, Y4, Y4
	VSUBPD     32(SI)(AX*8), Y14, Y5
	VMULPD     Y15, Y5, Y5
	VSUBPD     (DI)(AX*8), Y4, Y6
	VSUBPD     32(DI)(AX*8), Y5, Y10
	VCMPPD     $0x1e, Y13, Y6, Y0
	VCMPPD     $0x1e, Y13, Y10, Y1
	VORPD      Y1, Y0, Y2
	VMOVMSKPD  Y2, BX
	TESTL      BX, BX
	JNE        cs3slow
	EXPNEG(Y6, Y7, Y8, Y9)
	EXPNEG(Y10, Y11, Y12, Y2)
	VADDPD     (DX)(AX*8), Y6, Y6
	VADDPD     32(DX)(AX*8), Y10, Y10
	VMOVUPD    Y6, (DX)(AX*8)
	VMOVUPD    Y10, 32(DX)(AX*8)

cs3next:
	ADDQ $8, AX
	CMPQ AX, CX
	JLT  cs3loop

cs3done:
	VZEROUPPER
	RET

cs3slow:
	VXORPD      Y2, Y2, Y2
	VSUBPD      Y6, Y2, Y2
	EXPNEG(Y2, Y3, Y7, Y8)
	VMOVUPD     0(DX)(AX*8), Y9
	VMOVAPD     Y9, Y11
	VFMADD213PD expOne<>(SB), Y2, Y11
	EXPNEG(Y6, Y3, Y7, Y8)
	VADDPD      Y9, Y6, Y6
	VBLENDVPD   Y0, Y11, Y6, Y6
	VMOVUPD     Y6, 0(DX)(AX*8)
	VMOVUPD     0(DI)(AX*8), Y9
	VBLENDVPD   Y0, Y4, Y9, Y9
	VMOVUPD     Y9, 0(DI)(AX*8)
	VXORPD      Y2, Y2, Y2
	VSUBPD      Y10, Y2, Y2
	EXPNEG(Y2, Y3, Y7, Y8)
	VMOVUPD     32(DX)(AX*8), Y9
	VMOVAPD     Y9, Y11
	VFMADD213PD expOne<>(SB), Y2, Y11
	EXPNEG(Y10, Y3, Y7, Y8)
	VADDPD      Y9, Y10, Y10
	VBLENDVPD   Y1, Y11, Y10, Y10
	VMOVUPD     Y10, 32(DX)(AX*8)
	VMOVUPD     32(DI)(AX*8), Y9
	VBLENDVPD   Y1, Y5, Y9, Y9
	VMOVUPD     Y9, 32(DI)(AX*8)
	JMP         cs3next

// func expVecAVX(dst, src *float64, n int)
// dst_j = exp(src_j) with the same EXPNEG as the kernels, n a multiple of 8.
TEXT ·expVecAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  evdone

evloop:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y4
	EXPNEG(Y0, Y1, Y2, Y3)
	EXPNEG(Y4, Y5, Y6, Y7)
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y4, 32(DI)(AX*8)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     evloop

evdone:
	VZEROUPPER
	RET

// func cpuid(leaf, sub uint32) (a, b, c, d uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

// func xgetbv0() uint32
TEXT ·xgetbv0(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, ret+0(FP)
	RET

// func zPC2MaxAVX(a, y0, y1, z *float64, n int, x0, x1 float64) float64
// z_j = fma(x1, y1_j, fma(x0, y0_j, a_j)) stored, and their maximum
// returned (-Inf if all are -Inf). n a multiple of 8, at least 8.
TEXT ·zPC2MaxAVX(SB), NOSPLIT, $0-64
	MOVQ         a+0(FP), SI
	MOVQ         y0+8(FP), DI
	MOVQ         y1+16(FP), R8
	MOVQ         z+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSD x0+40(FP), Y14
	VBROADCASTSD x1+48(FP), Y15
	VMOVUPD      expNegInf<>(SB), Y0
	VMOVUPD      Y0, Y1
	XORQ         AX, AX

zploop:
	VMOVUPD     (SI)(AX*8), Y4
	VFMADD231PD (DI)(AX*8), Y14, Y4
	VFMADD231PD (R8)(AX*8), Y15, Y4
	VMOVUPD     32(SI)(AX*8), Y5
	VFMADD231PD 32(DI)(AX*8), Y14, Y5
	VFMADD231PD 32(R8)(AX*8), Y15, Y5
	VMOVUPD     Y4, (R9)(AX*8)
	VMOVUPD     Y5, 32(R9)(AX*8)
	VMAXPD      Y4, Y0, Y0
	VMAXPD      Y5, Y1, Y1
	ADDQ        $8, AX
	CMPQ        AX, CX
	JLT         zploop

	VMAXPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VMAXSD       X1, X0, X0
	VMOVSD       X0, ret+56(FP)
	VZEROUPPER
	RET

// func expSumAVX(z *float64, n int, shift float64, sums *[8]float64)
// sums[l] += exp(z_j - shift) over j ≡ l (mod 8); n a multiple of 8.
TEXT ·expSumAVX(SB), NOSPLIT, $0-32
	MOVQ         z+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD shift+16(FP), Y15
	MOVQ         sums+24(FP), DX
	VMOVUPD      0(DX), Y0
	VMOVUPD      32(DX), Y1
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          esdone

esloop:
	VMOVUPD (SI)(AX*8), Y4
	VSUBPD  Y15, Y4, Y4
	VMOVUPD 32(SI)(AX*8), Y5
	VSUBPD  Y15, Y5, Y5
	EXPNEG(Y4, Y6, Y7, Y8)
	EXPNEG(Y5, Y9, Y10, Y11)
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y1, Y1
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     esloop

esdone:
	VMOVUPD Y0, 0(DX)
	VMOVUPD Y1, 32(DX)
	VZEROUPPER
	RET

// func expSumPFAVX(z *float64, n int, shift float64, sums *[8]float64, pf *float64)
// expSumAVX that also prefetches pf[0:n] (the next block of a streamed
// cost matrix), 64 bytes per 8 terms, so memory keeps streaming while this
// pass computes.
TEXT ·expSumPFAVX(SB), NOSPLIT, $0-40
	MOVQ         z+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD shift+16(FP), Y15
	MOVQ         sums+24(FP), DX
	MOVQ         pf+32(FP), R8
	VMOVUPD      0(DX), Y0
	VMOVUPD      32(DX), Y1
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          epdone

eploop:
	PREFETCHT0 (R8)(AX*8)
	VMOVUPD    (SI)(AX*8), Y4
	VSUBPD     Y15, Y4, Y4
	VMOVUPD    32(SI)(AX*8), Y5
	VSUBPD     Y15, Y5, Y5
	EXPNEG(Y4, Y6, Y7, Y8)
	EXPNEG(Y5, Y9, Y10, Y11)
	VADDPD     Y4, Y0, Y0
	VADDPD     Y5, Y1, Y1
	ADDQ       $8, AX
	CMPQ       AX, CX
	JLT        eploop

epdone:
	VMOVUPD Y0, 0(DX)
	VMOVUPD Y1, 32(DX)
	VZEROUPPER
	RET

// AVX-512 versions: the same operations on eight lanes, two vectors (16
// terms) per loop iteration; lengths are multiples of 16.

// EXPNEG512 is EXPNEG on a ZMM register; K is clobbered.
#define EXPNEG512(X, T, N, K) \
	VCMPPD.BCST       $0x1d, expLow<>(SB), X, K; \
	VMAXPD.BCST       expLow<>(SB), X, X; \
	VBROADCASTSD      expLog2e<>(SB), T; \
	VFMADD213PD.BCST  expMagic<>(SB), X, T; \
	VSUBPD.BCST       expMagic<>(SB), T, N; \
	VFNMADD231PD.BCST expLn2Hi<>(SB), N, X; \
	VFNMADD231PD.BCST expLn2Lo<>(SB), N, X; \
	VBROADCASTSD      expC10<>(SB), N; \
	VFMADD213PD.BCST  expC9<>(SB), X, N; \
	VFMADD213PD.BCST  expC8<>(SB), X, N; \
	VFMADD213PD.BCST  expC7<>(SB), X, N; \
	VFMADD213PD.BCST  expC6<>(SB), X, N; \
	VFMADD213PD.BCST  expC5<>(SB), X, N; \
	VFMADD213PD.BCST  expC4<>(SB), X, N; \
	VFMADD213PD.BCST  expC3<>(SB), X, N; \
	VFMADD213PD.BCST  expC2<>(SB), X, N; \
	VFMADD213PD.BCST  expC1<>(SB), X, N; \
	VFMADD213PD.BCST  expC0<>(SB), X, N; \
	VPADDQ.BCST       expBias<>(SB), T, T; \
	VPSLLQ            $52, T, T; \
	VMULPD            T, N, X; \
	VMOVAPD.Z         X, K, X

// HMAX512 leaves the largest of the eight lanes of Z0 in X0 (clobbers Z1).
#define HMAX512 \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VMAXPD        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VMAXPD        X1, X0, X0; \
	VPERMILPD     $1, X0, X1; \
	VMAXSD        X1, X0, X0

// func expVec512(dst, src *float64, n int)
TEXT ·expVec512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  e5done

e5loop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z4
	EXPNEG512(Z0, Z1, Z2, K1)
	EXPNEG512(Z4, Z5, Z6, K2)
	VMOVUPD Z0, (DI)(AX*8)
	VMOVUPD Z4, 64(DI)(AX*8)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     e5loop

e5done:
	VZEROUPPER
	RET

// func zDenseMax512(c, h, z *float64, n int, invEps float64) float64
TEXT ·zDenseMax512(SB), NOSPLIT, $0-48
	MOVQ         c+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         z+16(FP), R9
	MOVQ         n+24(FP), CX
	VBROADCASTSD invEps+32(FP), Z15
	VBROADCASTSD expNegInf<>(SB), Z0
	VMOVAPD      Z0, Z2
	XORQ         AX, AX

zd5loop:
	VMOVUPD (DI)(AX*8), Z4
	VSUBPD  (SI)(AX*8), Z4, Z4
	VMULPD  Z15, Z4, Z4
	VMOVUPD 64(DI)(AX*8), Z5
	VSUBPD  64(SI)(AX*8), Z5, Z5
	VMULPD  Z15, Z5, Z5
	VMOVUPD Z4, (R9)(AX*8)
	VMOVUPD Z5, 64(R9)(AX*8)
	VMAXPD  Z4, Z0, Z0
	VMAXPD  Z5, Z2, Z2
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     zd5loop

	VMAXPD Z2, Z0, Z0
	HMAX512
	VMOVSD X0, ret+40(FP)
	VZEROUPPER
	RET

// func zPC2Max512(a, y0, y1, z *float64, n int, x0, x1 float64) float64
TEXT ·zPC2Max512(SB), NOSPLIT, $0-64
	MOVQ         a+0(FP), SI
	MOVQ         y0+8(FP), DI
	MOVQ         y1+16(FP), R8
	MOVQ         z+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSD x0+40(FP), Z14
	VBROADCASTSD x1+48(FP), Z15
	VBROADCASTSD expNegInf<>(SB), Z0
	VMOVAPD      Z0, Z2
	XORQ         AX, AX

zp5loop:
	VMOVUPD     (SI)(AX*8), Z4
	VFMADD231PD (DI)(AX*8), Z14, Z4
	VFMADD231PD (R8)(AX*8), Z15, Z4
	VMOVUPD     64(SI)(AX*8), Z5
	VFMADD231PD 64(DI)(AX*8), Z14, Z5
	VFMADD231PD 64(R8)(AX*8), Z15, Z5
	VMOVUPD     Z4, (R9)(AX*8)
	VMOVUPD     Z5, 64(R9)(AX*8)
	VMAXPD      Z4, Z0, Z0
	VMAXPD      Z5, Z2, Z2
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         zp5loop

	VMAXPD Z2, Z0, Z0
	HMAX512
	VMOVSD X0, ret+56(FP)
	VZEROUPPER
	RET

// func expSum512(z *float64, n int, shift float64, sums *[8]float64, pf *float64)
// One accumulator: lane l adds the terms j ≡ l (mod 8) in order of j, as
// the AVX2 and Go loops do. pf may be nil (no prefetch) only if n is 0;
// callers pass z itself when there is nothing to prefetch.
TEXT ·expSum512(SB), NOSPLIT, $0-40
	MOVQ         z+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD shift+16(FP), Z15
	MOVQ         sums+24(FP), DX
	MOVQ         pf+32(FP), R8
	VMOVUPD      0(DX), Z0
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          es5done

es5loop:
	PREFETCHT0 (R8)(AX*8)
	PREFETCHT0 64(R8)(AX*8)
	VMOVUPD    (SI)(AX*8), Z4
	VSUBPD     Z15, Z4, Z4
	VMOVUPD    64(SI)(AX*8), Z5
	VSUBPD     Z15, Z5, Z5
	EXPNEG512(Z4, Z6, Z7, K1)
	EXPNEG512(Z5, Z9, Z10, K2)
	VADDPD     Z4, Z0, Z0
	VADDPD     Z5, Z0, Z0
	ADDQ       $16, AX
	CMPQ       AX, CX
	JLT        es5loop

es5done:
	VMOVUPD Z0, 0(DX)
	VZEROUPPER
	RET

// func accColShift512(c *float64, n int, hi, invEps float64, mx, s, next *float64)
// accColShiftAVX on sixteen lanes at a time (n a multiple of 16).
TEXT ·accColShift512(SB), NOSPLIT, $0-56
	MOVQ         next+48(FP), R8
	MOVQ         c+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD hi+16(FP), Z14
	VBROADCASTSD invEps+24(FP), Z15
	MOVQ         mx+32(FP), DI
	MOVQ         s+40(FP), DX
	VBROADCASTSD expSlack<>(SB), Z13
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          cs5done

cs5loop:
	PREFETCHT0 (R8)(AX*8)
	PREFETCHT0 64(R8)(AX*8)
	VSUBPD     (SI)(AX*8), Z14, Z4
	VMULPD     Z15, Z4, Z4
	VSUBPD     64(SI)(AX*8), Z14, Z5
	VMULPD     Z15, Z5, Z5
	VSUBPD     (DI)(AX*8), Z4, Z6
	VSUBPD     64(DI)(AX*8), Z5, Z10
	VCMPPD     $0x1e, Z13, Z6, K1
	VCMPPD     $0x1e, Z13, Z10, K2
	KORTESTW   K1, K2
	JNE        cs5slow
	EXPNEG512(Z6, Z7, Z8, K3)
	EXPNEG512(Z10, Z11, Z12, K4)
	VADDPD     (DX)(AX*8), Z6, Z6
	VADDPD     64(DX)(AX*8), Z10, Z10
	VMOVUPD    Z6, (DX)(AX*8)
	VMOVUPD    Z10, 64(DX)(AX*8)

cs5next:
	ADDQ $16, AX
	CMPQ AX, CX
	JLT  cs5loop

cs5done:
	VZEROUPPER
	RET

cs5slow:
	VXORPD           Z16, Z16, Z16
	VSUBPD           Z6, Z16, Z16
	EXPNEG512(Z16, Z17, Z18, K5)
	VMOVUPD          0(DX)(AX*8), Z19
	VMOVAPD          Z19, Z20
	VFMADD213PD.BCST expOne<>(SB), Z16, Z20
	EXPNEG512(Z6, Z17, Z18, K6)
	VADDPD           Z19, Z6, Z6
	VMOVAPD          Z20, K1, Z6
	VMOVUPD          Z6, 0(DX)(AX*8)
	VMOVUPD          0(DI)(AX*8), Z19
	VMOVAPD          Z4, K1, Z19
	VMOVUPD          Z19, 0(DI)(AX*8)
	VXORPD           Z16, Z16, Z16
	VSUBPD           Z10, Z16, Z16
	EXPNEG512(Z16, Z17, Z18, K5)
	VMOVUPD          64(DX)(AX*8), Z19
	VMOVAPD          Z19, Z20
	VFMADD213PD.BCST expOne<>(SB), Z16, Z20
	EXPNEG512(Z10, Z17, Z18, K6)
	VADDPD           Z19, Z10, Z10
	VMOVAPD          Z20, K2, Z10
	VMOVUPD          Z10, 64(DX)(AX*8)
	VMOVUPD          64(DI)(AX*8), Z19
	VMOVAPD          Z5, K2, Z19
	VMOVUPD          Z19, 64(DI)(AX*8)
	JMP              cs5next

// func zDenseExpSum512(c, h *float64, n int, invEps, shift float64, sums *[8]float64, pf *float64) float64
// zDenseMax512 then expSum512 at the given shift (n a multiple of 16), in
// one pass: the exponents stay in registers and the loads of c overlap the
// exps; the same operations, so the same bits. Returns the exponents'
// maximum.
TEXT ·zDenseExpSum512(SB), NOSPLIT, $0-64
	MOVQ         c+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         n+16(FP), CX
	VBROADCASTSD invEps+24(FP), Z15
	VBROADCASTSD shift+32(FP), Z14
	MOVQ         sums+40(FP), DX
	MOVQ         pf+48(FP), R8
	VMOVUPD      0(DX), Z0
	VBROADCASTSD expNegInf<>(SB), Z2
	VMOVAPD      Z2, Z3
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          fd5done

fd5loop:
	PREFETCHT0 (R8)(AX*8)
	PREFETCHT0 64(R8)(AX*8)
	VMOVUPD    (DI)(AX*8), Z4
	VSUBPD     (SI)(AX*8), Z4, Z4
	VMULPD     Z15, Z4, Z4
	VMAXPD     Z4, Z2, Z2
	VSUBPD     Z14, Z4, Z4
	VMOVUPD    64(DI)(AX*8), Z5
	VSUBPD     64(SI)(AX*8), Z5, Z5
	VMULPD     Z15, Z5, Z5
	VMAXPD     Z5, Z3, Z3
	VSUBPD     Z14, Z5, Z5
	EXPNEG512(Z4, Z6, Z7, K1)
	EXPNEG512(Z5, Z9, Z10, K2)
	VADDPD     Z4, Z0, Z0
	VADDPD     Z5, Z0, Z0
	ADDQ       $16, AX
	CMPQ       AX, CX
	JLT        fd5loop

fd5done:
	VMOVUPD Z0, 0(DX)
	VMAXPD  Z3, Z2, Z0
	HMAX512
	VMOVSD  X0, ret+56(FP)
	VZEROUPPER
	RET

// func zPC2ExpSum512(a, y0, y1 *float64, n int, x0, x1, shift float64, sums *[8]float64) float64
// zPC2Max512 then expSum512 at the given shift (n a multiple of 16), in
// one pass, as zDenseExpSum512 is for a stored matrix.
TEXT ·zPC2ExpSum512(SB), NOSPLIT, $0-72
	MOVQ         a+0(FP), SI
	MOVQ         y0+8(FP), DI
	MOVQ         y1+16(FP), R8
	MOVQ         n+24(FP), CX
	VBROADCASTSD x0+32(FP), Z14
	VBROADCASTSD x1+40(FP), Z15
	VBROADCASTSD shift+48(FP), Z13
	MOVQ         sums+56(FP), DX
	VMOVUPD      0(DX), Z0
	VBROADCASTSD expNegInf<>(SB), Z2
	VMOVAPD      Z2, Z3
	XORQ         AX, AX
	CMPQ         AX, CX
	JGE          fp5done

fp5loop:
	VMOVUPD     (SI)(AX*8), Z4
	VFMADD231PD (DI)(AX*8), Z14, Z4
	VFMADD231PD (R8)(AX*8), Z15, Z4
	VMAXPD      Z4, Z2, Z2
	VSUBPD      Z13, Z4, Z4
	VMOVUPD     64(SI)(AX*8), Z5
	VFMADD231PD 64(DI)(AX*8), Z14, Z5
	VFMADD231PD 64(R8)(AX*8), Z15, Z5
	VMAXPD      Z5, Z3, Z3
	VSUBPD      Z13, Z5, Z5
	EXPNEG512(Z4, Z6, Z7, K1)
	EXPNEG512(Z5, Z9, Z10, K2)
	VADDPD      Z4, Z0, Z0
	VADDPD      Z5, Z0, Z0
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         fp5loop

fp5done:
	VMOVUPD Z0, 0(DX)
	VMAXPD  Z3, Z2, Z0
	HMAX512
	VMOVSD  X0, ret+64(FP)
	VZEROUPPER
	RET

// func planExpRowAVX(dst, c, h *float64, n int, fi, inv float64) float64
// dst_j = expNeg((fi + h_j − c_j)·inv); returns the largest exponent. n a
// multiple of 8 (the twin of planExpRowGo, plan.go).
TEXT ·planExpRowAVX(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), R9
	MOVQ         c+8(FP), SI
	MOVQ         h+16(FP), DI
	MOVQ         n+24(FP), CX
	VBROADCASTSD fi+32(FP), Y14
	VBROADCASTSD inv+40(FP), Y15
	VMOVUPD      expNegInf<>(SB), Y0
	VMOVUPD      Y0, Y1
	XORQ         AX, AX

peloop:
	VMOVUPD (DI)(AX*8), Y4
	VADDPD  Y14, Y4, Y4
	VSUBPD  (SI)(AX*8), Y4, Y4
	VMULPD  Y15, Y4, Y4
	VMOVUPD 32(DI)(AX*8), Y5
	VADDPD  Y14, Y5, Y5
	VSUBPD  32(SI)(AX*8), Y5, Y5
	VMULPD  Y15, Y5, Y5
	VMAXPD  Y4, Y0, Y0
	VMAXPD  Y5, Y1, Y1
	EXPNEG(Y4, Y6, Y7, Y8)
	EXPNEG(Y5, Y9, Y10, Y11)
	VMOVUPD Y4, (R9)(AX*8)
	VMOVUPD Y5, 32(R9)(AX*8)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     peloop

	VMAXPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VMAXSD       X1, X0, X0
	VMOVSD       X0, ret+48(FP)
	VZEROUPPER
	RET

// func planExpRow512(dst, c, h *float64, n int, fi, inv float64) float64
// planExpRowAVX on ZMM registers; n a multiple of 16.
TEXT ·planExpRow512(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), R9
	MOVQ         c+8(FP), SI
	MOVQ         h+16(FP), DI
	MOVQ         n+24(FP), CX
	VBROADCASTSD fi+32(FP), Z14
	VBROADCASTSD inv+40(FP), Z15
	VBROADCASTSD expNegInf<>(SB), Z0
	VMOVAPD      Z0, Z2
	XORQ         AX, AX

pe5loop:
	VMOVUPD (DI)(AX*8), Z4
	VADDPD  Z14, Z4, Z4
	VSUBPD  (SI)(AX*8), Z4, Z4
	VMULPD  Z15, Z4, Z4
	VMOVUPD 64(DI)(AX*8), Z7
	VADDPD  Z14, Z7, Z7
	VSUBPD  64(SI)(AX*8), Z7, Z7
	VMULPD  Z15, Z7, Z7
	VMAXPD  Z4, Z0, Z0
	VMAXPD  Z7, Z2, Z2
	EXPNEG512(Z4, Z5, Z6, K1)
	EXPNEG512(Z7, Z8, Z9, K2)
	VMOVUPD Z4, (R9)(AX*8)
	VMOVUPD Z7, 64(R9)(AX*8)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     pe5loop

	VMAXPD Z2, Z0, Z0
	HMAX512
	VMOVSD X0, ret+48(FP)
	VZEROUPPER
	RET
