//go:build !purego

#include "textflag.h"

// AVX-512 loop of the table-based exp (exp_table.go), operation for operation
// the twin of expNegTable. Scalar constants are broadcast from memory; the
// 16-entry table (expTable) is two ZMM registers.

DATA expTabInvStep<>+0(SB)/8, $0x40371547652b82fe
GLOBL expTabInvStep<>(SB), RODATA|NOPTR, $8

DATA expTabStepHi<>+0(SB)/8, $0x3fa62e42fefa39ef
GLOBL expTabStepHi<>(SB), RODATA|NOPTR, $8

DATA expTabStepLo<>+0(SB)/8, $0x3c3abc9e3b39803f
GLOBL expTabStepLo<>(SB), RODATA|NOPTR, $8

DATA expTabQ0<>+0(SB)/8, $0x3fe0000000000000
GLOBL expTabQ0<>(SB), RODATA|NOPTR, $8

DATA expTabQ1<>+0(SB)/8, $0x3fc55555554dd10d
GLOBL expTabQ1<>(SB), RODATA|NOPTR, $8

DATA expTabQ2<>+0(SB)/8, $0x3fa5555555519332
GLOBL expTabQ2<>(SB), RODATA|NOPTR, $8

DATA expTabQ3<>+0(SB)/8, $0x3f811120b2d120f7
GLOBL expTabQ3<>(SB), RODATA|NOPTR, $8

DATA expTabQ4<>+0(SB)/8, $0x3f56c17bb88025e5
GLOBL expTabQ4<>(SB), RODATA|NOPTR, $8

DATA expTabLow<>+0(SB)/8, $0xc086200000000000
GLOBL expTabLow<>(SB), RODATA|NOPTR, $8

DATA expTabMagic<>+0(SB)/8, $0x4338000000000000
GLOBL expTabMagic<>(SB), RODATA|NOPTR, $8

DATA expTab<>+0(SB)/8, $0x3ff0000000000000
DATA expTab<>+8(SB)/8, $0x3fefb5586cf9890f
DATA expTab<>+16(SB)/8, $0x3fef72b83c7d517b
DATA expTab<>+24(SB)/8, $0x3fef387a6e756238
DATA expTab<>+32(SB)/8, $0x3fef06fe0a31b715
DATA expTab<>+40(SB)/8, $0x3feedea64c123422
DATA expTab<>+48(SB)/8, $0x3feebfdad5362a27
DATA expTab<>+56(SB)/8, $0x3feeab07dd485429
DATA expTab<>+64(SB)/8, $0x3feea09e667f3bcd
DATA expTab<>+72(SB)/8, $0x3feea11473eb0187
DATA expTab<>+80(SB)/8, $0x3feeace5422aa0db
DATA expTab<>+88(SB)/8, $0x3feec49182a3f090
DATA expTab<>+96(SB)/8, $0x3feee89f995ad3ad
DATA expTab<>+104(SB)/8, $0x3fef199bdd85529c
DATA expTab<>+112(SB)/8, $0x3fef5818dcfba487
DATA expTab<>+120(SB)/8, $0x3fefa4afa2a490da
GLOBL expTab<>(SB), RODATA|NOPTR, $128

// EXPTAB512 overwrites X with expNegTable(X) lane by lane; TLO and THI hold
// expTable[0:8] and expTable[8:16]. T, N, S, U and K are clobbered.
// x ≥ −708 (ordered) selects the lanes kept; the others (below the limit,
// NaN) are zeroed by the last, masked, step, so no clamp is needed.
// VPERMI2PD looks up the table with the low four bits of t, which hold
// n mod 16, and overwrites t (its shifted copy S is taken first).
#define EXPTAB512(X, T, N, S, U, K, TLO, THI) \
	VCMPPD.BCST       $0x1d, expTabLow<>(SB), X, K; \
	VBROADCASTSD      expTabInvStep<>(SB), T; \
	VFMADD213PD.BCST  expTabMagic<>(SB), X, T; \
	VSUBPD.BCST       expTabMagic<>(SB), T, N; \
	VFNMADD231PD.BCST expTabStepHi<>(SB), N, X; \
	VFNMADD231PD.BCST expTabStepLo<>(SB), N, X; \
	VPSLLQ            $48, T, S; \
	VPERMI2PD         THI, TLO, T; \
	VPADDQ            S, T, T; \
	VMULPD            X, X, U; \
	VBROADCASTSD      expTabQ4<>(SB), N; \
	VFMADD213PD.BCST  expTabQ3<>(SB), X, N; \
	VFMADD213PD.BCST  expTabQ2<>(SB), X, N; \
	VFMADD213PD.BCST  expTabQ1<>(SB), X, N; \
	VFMADD213PD.BCST  expTabQ0<>(SB), X, N; \
	VFMADD231PD       U, N, X; \
	VFMADD213PD.Z     T, T, K, X

// func expVecTable512(dst, src *float64, n int)
TEXT ·expVecTable512(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPD expTab<>+0(SB), Z30
	VMOVUPD expTab<>+64(SB), Z31
	XORQ    AX, AX
	CMPQ    AX, CX
	JGE     etdone

etloop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z8
	EXPTAB512(Z0, Z1, Z2, Z3, Z4, K1, Z30, Z31)
	EXPTAB512(Z8, Z9, Z10, Z11, Z12, K2, Z30, Z31)
	VMOVUPD Z0, (DI)(AX*8)
	VMOVUPD Z8, 64(DI)(AX*8)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     etloop

etdone:
	VZEROUPPER
	RET
