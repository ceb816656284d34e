//go:build !noasm

#include "textflag.h"

// AVX2+FMA inner loops of the fast log-sum-exp kernels (lse_fast.go). Each
// routine mirrors a pure-Go loop in lse_fast.go operation for operation (same
// fused multiply-adds, same order), so both paths give bit-identical results.

DATA expMagic<>+0(SB)/8, $0x4338000000000000
DATA expMagic<>+8(SB)/8, $0x4338000000000000
DATA expMagic<>+16(SB)/8, $0x4338000000000000
DATA expMagic<>+24(SB)/8, $0x4338000000000000
GLOBL expMagic<>(SB), RODATA|NOPTR, $32

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

DATA expNegInf<>+0(SB)/8, $0xfff0000000000000
DATA expNegInf<>+8(SB)/8, $0xfff0000000000000
DATA expNegInf<>+16(SB)/8, $0xfff0000000000000
DATA expNegInf<>+24(SB)/8, $0xfff0000000000000
GLOBL expNegInf<>(SB), RODATA|NOPTR, $32

// Constants of the table exp (exp_table.go): 16/log 2, (log 2)/16 in two
// parts, the coefficients of q, the index mask, the exponent-field mask,
// and the table expTable.
DATA expInvStep<>+0(SB)/8, $0x40371547652b82fe
DATA expInvStep<>+8(SB)/8, $0x40371547652b82fe
DATA expInvStep<>+16(SB)/8, $0x40371547652b82fe
DATA expInvStep<>+24(SB)/8, $0x40371547652b82fe
GLOBL expInvStep<>(SB), RODATA|NOPTR, $32

DATA expStepHi<>+0(SB)/8, $0x3fa62e42fefa39ef
DATA expStepHi<>+8(SB)/8, $0x3fa62e42fefa39ef
DATA expStepHi<>+16(SB)/8, $0x3fa62e42fefa39ef
DATA expStepHi<>+24(SB)/8, $0x3fa62e42fefa39ef
GLOBL expStepHi<>(SB), RODATA|NOPTR, $32

DATA expStepLo<>+0(SB)/8, $0x3c3abc9e3b39803f
DATA expStepLo<>+8(SB)/8, $0x3c3abc9e3b39803f
DATA expStepLo<>+16(SB)/8, $0x3c3abc9e3b39803f
DATA expStepLo<>+24(SB)/8, $0x3c3abc9e3b39803f
GLOBL expStepLo<>(SB), RODATA|NOPTR, $32

DATA expQ0<>+0(SB)/8, $0x3fe0000000000000
DATA expQ0<>+8(SB)/8, $0x3fe0000000000000
DATA expQ0<>+16(SB)/8, $0x3fe0000000000000
DATA expQ0<>+24(SB)/8, $0x3fe0000000000000
GLOBL expQ0<>(SB), RODATA|NOPTR, $32

DATA expQ1<>+0(SB)/8, $0x3fc55555554dd10d
DATA expQ1<>+8(SB)/8, $0x3fc55555554dd10d
DATA expQ1<>+16(SB)/8, $0x3fc55555554dd10d
DATA expQ1<>+24(SB)/8, $0x3fc55555554dd10d
GLOBL expQ1<>(SB), RODATA|NOPTR, $32

DATA expQ2<>+0(SB)/8, $0x3fa5555555519332
DATA expQ2<>+8(SB)/8, $0x3fa5555555519332
DATA expQ2<>+16(SB)/8, $0x3fa5555555519332
DATA expQ2<>+24(SB)/8, $0x3fa5555555519332
GLOBL expQ2<>(SB), RODATA|NOPTR, $32

DATA expQ3<>+0(SB)/8, $0x3f811120b2d120f7
DATA expQ3<>+8(SB)/8, $0x3f811120b2d120f7
DATA expQ3<>+16(SB)/8, $0x3f811120b2d120f7
DATA expQ3<>+24(SB)/8, $0x3f811120b2d120f7
GLOBL expQ3<>(SB), RODATA|NOPTR, $32

DATA expQ4<>+0(SB)/8, $0x3f56c17bb88025e5
DATA expQ4<>+8(SB)/8, $0x3f56c17bb88025e5
DATA expQ4<>+16(SB)/8, $0x3f56c17bb88025e5
DATA expQ4<>+24(SB)/8, $0x3f56c17bb88025e5
GLOBL expQ4<>(SB), RODATA|NOPTR, $32

DATA expIdxMask<>+0(SB)/8, $0x000000000000000f
DATA expIdxMask<>+8(SB)/8, $0x000000000000000f
DATA expIdxMask<>+16(SB)/8, $0x000000000000000f
DATA expIdxMask<>+24(SB)/8, $0x000000000000000f
GLOBL expIdxMask<>(SB), RODATA|NOPTR, $32

DATA expExpMask<>+0(SB)/8, $0xfff0000000000000
DATA expExpMask<>+8(SB)/8, $0xfff0000000000000
DATA expExpMask<>+16(SB)/8, $0xfff0000000000000
DATA expExpMask<>+24(SB)/8, $0xfff0000000000000
GLOBL expExpMask<>(SB), RODATA|NOPTR, $32

DATA expTab<>+0(SB)/8, $0x3ff0000000000000
DATA expTab<>+8(SB)/8, $0x3ff0b5586cf9890f
DATA expTab<>+16(SB)/8, $0x3ff172b83c7d517b
DATA expTab<>+24(SB)/8, $0x3ff2387a6e756238
DATA expTab<>+32(SB)/8, $0x3ff306fe0a31b715
DATA expTab<>+40(SB)/8, $0x3ff3dea64c123422
DATA expTab<>+48(SB)/8, $0x3ff4bfdad5362a27
DATA expTab<>+56(SB)/8, $0x3ff5ab07dd485429
DATA expTab<>+64(SB)/8, $0x3ff6a09e667f3bcd
DATA expTab<>+72(SB)/8, $0x3ff7a11473eb0187
DATA expTab<>+80(SB)/8, $0x3ff8ace5422aa0db
DATA expTab<>+88(SB)/8, $0x3ff9c49182a3f090
DATA expTab<>+96(SB)/8, $0x3ffae89f995ad3ad
DATA expTab<>+104(SB)/8, $0x3ffc199bdd85529c
DATA expTab<>+112(SB)/8, $0x3ffd5818dcfba487
DATA expTab<>+120(SB)/8, $0x3ffea4afa2a490da
GLOBL expTab<>(SB), RODATA|NOPTR, $128

// EXPNEG overwrites X with expNeg(X) (exp_table.go) lane by lane: inputs
// below -708, and NaN, give +0; inputs must be below 709. TAB holds the
// address of expTab; T, N, S, D and MASK are clobbered. n = round(x·16/log 2)
// sits in the low bits of T (1.5·2^52 rounding), r = x − n·(log 2)/16 by two
// fused steps, the table entry s_j, j = n mod 16, is gathered into D,
// y = s_j + s_j·(r + r²·q(r)) with q of degree 4, and k = (n − j)/16 is
// added to y's exponent field (T<<48 with j's bits cleared).
#define EXPNEG(X, T, N, S, D, MASK, TAB) \
	VCMPPD       $0x1d, expLow<>(SB), X, MASK; \
	VMOVUPD      expInvStep<>(SB), T; \
	VFMADD213PD  expMagic<>(SB), X, T; \
	VSUBPD       expMagic<>(SB), T, N; \
	VFNMADD231PD expStepHi<>(SB), N, X; \
	VFNMADD231PD expStepLo<>(SB), N, X; \
	VPAND        expIdxMask<>(SB), T, N; \
	VPCMPEQQ     S, S, S; \
	VGATHERQPD   S, (TAB)(N*8), D; \
	VPSLLQ       $48, T, T; \
	VPAND        expExpMask<>(SB), T, T; \
	VMULPD       X, X, S; \
	VMOVUPD      expQ4<>(SB), N; \
	VFMADD213PD  expQ3<>(SB), X, N; \
	VFMADD213PD  expQ2<>(SB), X, N; \
	VFMADD213PD  expQ1<>(SB), X, N; \
	VFMADD213PD  expQ0<>(SB), X, N; \
	VFMADD231PD  S, N, X; \
	VFMADD213PD  D, D, X; \
	VPADDQ       T, X, X; \
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
	LEAQ         expTab<>(SB), R9
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
	EXPNEG(Y6, Y7, Y8, Y9, Y11, Y12, R9)
	EXPNEG(Y10, Y0, Y1, Y2, Y3, Y4, R9)
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
	EXPNEG(Y2, Y3, Y7, Y8, Y9, Y12, R9)
	VMOVUPD     0(DX)(AX*8), Y9
	VMOVAPD     Y9, Y11
	VFMADD213PD expOne<>(SB), Y2, Y11
	EXPNEG(Y6, Y3, Y7, Y8, Y2, Y12, R9)
	VADDPD      Y9, Y6, Y6
	VBLENDVPD   Y0, Y11, Y6, Y6
	VMOVUPD     Y6, 0(DX)(AX*8)
	VMOVUPD     0(DI)(AX*8), Y9
	VBLENDVPD   Y0, Y4, Y9, Y9
	VMOVUPD     Y9, 0(DI)(AX*8)
	VXORPD      Y2, Y2, Y2
	VSUBPD      Y10, Y2, Y2
	EXPNEG(Y2, Y3, Y7, Y8, Y9, Y12, R9)
	VMOVUPD     32(DX)(AX*8), Y9
	VMOVAPD     Y9, Y11
	VFMADD213PD expOne<>(SB), Y2, Y11
	EXPNEG(Y10, Y3, Y7, Y8, Y2, Y12, R9)
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
	LEAQ expTab<>(SB), R9
	XORQ AX, AX
	CMPQ AX, CX
	JGE  evdone

evloop:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y4
	EXPNEG(Y0, Y1, Y2, Y3, Y8, Y9, R9)
	EXPNEG(Y4, Y5, Y6, Y7, Y10, Y11, R9)
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y4, 32(DI)(AX*8)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     evloop

evdone:
	VZEROUPPER
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
	LEAQ         expTab<>(SB), R9
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
	EXPNEG(Y4, Y6, Y7, Y8, Y2, Y3, R9)
	EXPNEG(Y5, Y9, Y10, Y11, Y12, Y13, R9)
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
	LEAQ         expTab<>(SB), R9
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
	EXPNEG(Y4, Y6, Y7, Y8, Y2, Y3, R9)
	EXPNEG(Y5, Y9, Y10, Y11, Y12, Y13, R9)
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

// EXPNEG512 is EXPNEG on a ZMM register with the table in two registers,
// TLO = expTab[0:8] and THI = expTab[8:16], looked up with one VPERMI2PD
// (its index is the low four bits of T, n mod 16; it overwrites T, whose
// shifted copy S is taken first). The lanes below the limit (and NaN) are
// zeroed by the last, masked, step. T, N, S, U and K are clobbered.
#define EXPNEG512(X, T, N, S, U, K, TLO, THI) \
	VCMPPD.BCST       $0x1d, expLow<>(SB), X, K; \
	VBROADCASTSD      expInvStep<>(SB), T; \
	VFMADD213PD.BCST  expMagic<>(SB), X, T; \
	VSUBPD.BCST       expMagic<>(SB), T, N; \
	VFNMADD231PD.BCST expStepHi<>(SB), N, X; \
	VFNMADD231PD.BCST expStepLo<>(SB), N, X; \
	VPSLLQ            $48, T, S; \
	VPANDQ.BCST       expExpMask<>(SB), S, S; \
	VPERMI2PD         THI, TLO, T; \
	VMULPD            X, X, U; \
	VBROADCASTSD      expQ4<>(SB), N; \
	VFMADD213PD.BCST  expQ3<>(SB), X, N; \
	VFMADD213PD.BCST  expQ2<>(SB), X, N; \
	VFMADD213PD.BCST  expQ1<>(SB), X, N; \
	VFMADD213PD.BCST  expQ0<>(SB), X, N; \
	VFMADD231PD       U, N, X; \
	VFMADD213PD       T, T, X; \
	VPADDQ.Z          S, X, K, X

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
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPD expTab<>+0(SB), Z30
	VMOVUPD expTab<>+64(SB), Z31
	XORQ    AX, AX
	CMPQ    AX, CX
	JGE     e5done

e5loop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z8
	EXPNEG512(Z0, Z1, Z2, Z3, Z4, K1, Z30, Z31)
	EXPNEG512(Z8, Z9, Z10, Z11, Z12, K2, Z30, Z31)
	VMOVUPD Z0, (DI)(AX*8)
	VMOVUPD Z8, 64(DI)(AX*8)
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
	VMOVUPD      expTab<>+0(SB), Z30
	VMOVUPD      expTab<>+64(SB), Z31
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
	EXPNEG512(Z4, Z6, Z7, Z8, Z16, K1, Z30, Z31)
	EXPNEG512(Z5, Z9, Z10, Z11, Z12, K2, Z30, Z31)
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
	VMOVUPD      expTab<>+0(SB), Z30
	VMOVUPD      expTab<>+64(SB), Z31
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
	EXPNEG512(Z6, Z7, Z8, Z9, Z21, K3, Z30, Z31)
	EXPNEG512(Z10, Z11, Z12, Z22, Z23, K4, Z30, Z31)
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
	EXPNEG512(Z16, Z17, Z18, Z21, Z22, K5, Z30, Z31)
	VMOVUPD          0(DX)(AX*8), Z19
	VMOVAPD          Z19, Z20
	VFMADD213PD.BCST expOne<>(SB), Z16, Z20
	EXPNEG512(Z6, Z17, Z18, Z21, Z22, K6, Z30, Z31)
	VADDPD           Z19, Z6, Z6
	VMOVAPD          Z20, K1, Z6
	VMOVUPD          Z6, 0(DX)(AX*8)
	VMOVUPD          0(DI)(AX*8), Z19
	VMOVAPD          Z4, K1, Z19
	VMOVUPD          Z19, 0(DI)(AX*8)
	VXORPD           Z16, Z16, Z16
	VSUBPD           Z10, Z16, Z16
	EXPNEG512(Z16, Z17, Z18, Z21, Z22, K5, Z30, Z31)
	VMOVUPD          64(DX)(AX*8), Z19
	VMOVAPD          Z19, Z20
	VFMADD213PD.BCST expOne<>(SB), Z16, Z20
	EXPNEG512(Z10, Z17, Z18, Z21, Z22, K6, Z30, Z31)
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
	VMOVUPD      expTab<>+0(SB), Z30
	VMOVUPD      expTab<>+64(SB), Z31
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
	EXPNEG512(Z4, Z6, Z7, Z8, Z16, K1, Z30, Z31)
	EXPNEG512(Z5, Z9, Z10, Z11, Z12, K2, Z30, Z31)
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
	VMOVUPD      expTab<>+0(SB), Z30
	VMOVUPD      expTab<>+64(SB), Z31
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
	EXPNEG512(Z4, Z6, Z7, Z8, Z16, K1, Z30, Z31)
	EXPNEG512(Z5, Z9, Z10, Z11, Z12, K2, Z30, Z31)
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
	LEAQ         expTab<>(SB), R8
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
	EXPNEG(Y4, Y6, Y7, Y8, Y9, Y10, R8)
	EXPNEG(Y5, Y11, Y12, Y13, Y2, Y3, R8)
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
	VMOVUPD      expTab<>+0(SB), Z30
	VMOVUPD      expTab<>+64(SB), Z31
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
	EXPNEG512(Z4, Z5, Z6, Z16, Z17, K1, Z30, Z31)
	EXPNEG512(Z7, Z8, Z9, Z18, Z19, K2, Z30, Z31)
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
