//go:build !purego

#include "textflag.h"

// The degree-10 polynomial exp that the kernels used before the table exp
// (exp_poly.go), kept as the measured peer of BenchmarkExpTable: AVX2 and
// AVX-512 loops, the twins of expNegPoly.

DATA polyExpLog2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA polyExpLog2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA polyExpLog2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA polyExpLog2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL polyExpLog2e<>(SB), RODATA|NOPTR, $32

DATA polyExpMagic<>+0(SB)/8, $0x4338000000000000
DATA polyExpMagic<>+8(SB)/8, $0x4338000000000000
DATA polyExpMagic<>+16(SB)/8, $0x4338000000000000
DATA polyExpMagic<>+24(SB)/8, $0x4338000000000000
GLOBL polyExpMagic<>(SB), RODATA|NOPTR, $32

DATA polyExpLn2Hi<>+0(SB)/8, $0x3fe62e42fefa39ef
DATA polyExpLn2Hi<>+8(SB)/8, $0x3fe62e42fefa39ef
DATA polyExpLn2Hi<>+16(SB)/8, $0x3fe62e42fefa39ef
DATA polyExpLn2Hi<>+24(SB)/8, $0x3fe62e42fefa39ef
GLOBL polyExpLn2Hi<>(SB), RODATA|NOPTR, $32

DATA polyExpLn2Lo<>+0(SB)/8, $0x3c7abc9e3b39803f
DATA polyExpLn2Lo<>+8(SB)/8, $0x3c7abc9e3b39803f
DATA polyExpLn2Lo<>+16(SB)/8, $0x3c7abc9e3b39803f
DATA polyExpLn2Lo<>+24(SB)/8, $0x3c7abc9e3b39803f
GLOBL polyExpLn2Lo<>(SB), RODATA|NOPTR, $32

DATA polyExpLow<>+0(SB)/8, $0xc086200000000000
DATA polyExpLow<>+8(SB)/8, $0xc086200000000000
DATA polyExpLow<>+16(SB)/8, $0xc086200000000000
DATA polyExpLow<>+24(SB)/8, $0xc086200000000000
GLOBL polyExpLow<>(SB), RODATA|NOPTR, $32

DATA polyExpBias<>+0(SB)/8, $0x00000000000003ff
DATA polyExpBias<>+8(SB)/8, $0x00000000000003ff
DATA polyExpBias<>+16(SB)/8, $0x00000000000003ff
DATA polyExpBias<>+24(SB)/8, $0x00000000000003ff
GLOBL polyExpBias<>(SB), RODATA|NOPTR, $32

DATA polyExpC0<>+0(SB)/8, $0x3ff0000000000000
DATA polyExpC0<>+8(SB)/8, $0x3ff0000000000000
DATA polyExpC0<>+16(SB)/8, $0x3ff0000000000000
DATA polyExpC0<>+24(SB)/8, $0x3ff0000000000000
GLOBL polyExpC0<>(SB), RODATA|NOPTR, $32

DATA polyExpC1<>+0(SB)/8, $0x3ff0000000000006
DATA polyExpC1<>+8(SB)/8, $0x3ff0000000000006
DATA polyExpC1<>+16(SB)/8, $0x3ff0000000000006
DATA polyExpC1<>+24(SB)/8, $0x3ff0000000000006
GLOBL polyExpC1<>(SB), RODATA|NOPTR, $32

DATA polyExpC2<>+0(SB)/8, $0x3fe0000000000001
DATA polyExpC2<>+8(SB)/8, $0x3fe0000000000001
DATA polyExpC2<>+16(SB)/8, $0x3fe0000000000001
DATA polyExpC2<>+24(SB)/8, $0x3fe0000000000001
GLOBL polyExpC2<>(SB), RODATA|NOPTR, $32

DATA polyExpC3<>+0(SB)/8, $0x3fc5555555550d7c
DATA polyExpC3<>+8(SB)/8, $0x3fc5555555550d7c
DATA polyExpC3<>+16(SB)/8, $0x3fc5555555550d7c
DATA polyExpC3<>+24(SB)/8, $0x3fc5555555550d7c
GLOBL polyExpC3<>(SB), RODATA|NOPTR, $32

DATA polyExpC4<>+0(SB)/8, $0x3fa5555555553d64
DATA polyExpC4<>+8(SB)/8, $0x3fa5555555553d64
DATA polyExpC4<>+16(SB)/8, $0x3fa5555555553d64
DATA polyExpC4<>+24(SB)/8, $0x3fa5555555553d64
GLOBL polyExpC4<>(SB), RODATA|NOPTR, $32

DATA polyExpC5<>+0(SB)/8, $0x3f811111123c1457
DATA polyExpC5<>+8(SB)/8, $0x3f811111123c1457
DATA polyExpC5<>+16(SB)/8, $0x3f811111123c1457
DATA polyExpC5<>+24(SB)/8, $0x3f811111123c1457
GLOBL polyExpC5<>(SB), RODATA|NOPTR, $32

DATA polyExpC6<>+0(SB)/8, $0x3f56c16c1788b646
DATA polyExpC6<>+8(SB)/8, $0x3f56c16c1788b646
DATA polyExpC6<>+16(SB)/8, $0x3f56c16c1788b646
DATA polyExpC6<>+24(SB)/8, $0x3f56c16c1788b646
GLOBL polyExpC6<>(SB), RODATA|NOPTR, $32

DATA polyExpC7<>+0(SB)/8, $0x3f2a01994bfc90de
DATA polyExpC7<>+8(SB)/8, $0x3f2a01994bfc90de
DATA polyExpC7<>+16(SB)/8, $0x3f2a01994bfc90de
DATA polyExpC7<>+24(SB)/8, $0x3f2a01994bfc90de
GLOBL polyExpC7<>(SB), RODATA|NOPTR, $32

DATA polyExpC8<>+0(SB)/8, $0x3efa019b90eefe8e
DATA polyExpC8<>+8(SB)/8, $0x3efa019b90eefe8e
DATA polyExpC8<>+16(SB)/8, $0x3efa019b90eefe8e
DATA polyExpC8<>+24(SB)/8, $0x3efa019b90eefe8e
GLOBL polyExpC8<>(SB), RODATA|NOPTR, $32

DATA polyExpC9<>+0(SB)/8, $0x3ec72e111e4b5775
DATA polyExpC9<>+8(SB)/8, $0x3ec72e111e4b5775
DATA polyExpC9<>+16(SB)/8, $0x3ec72e111e4b5775
DATA polyExpC9<>+24(SB)/8, $0x3ec72e111e4b5775
GLOBL polyExpC9<>(SB), RODATA|NOPTR, $32

DATA polyExpC10<>+0(SB)/8, $0x3e92891834686c7e
DATA polyExpC10<>+8(SB)/8, $0x3e92891834686c7e
DATA polyExpC10<>+16(SB)/8, $0x3e92891834686c7e
DATA polyExpC10<>+24(SB)/8, $0x3e92891834686c7e
GLOBL polyExpC10<>(SB), RODATA|NOPTR, $32

// EXPPOLY overwrites X with exp(X). Inputs below -708, and NaN, give +0;
// inputs must be below 709. T, N and MASK are clobbered.
// Range reduction x = n·ln2 + r with |r| ≤ ln2/2 (n by the 1.5·2^52
// rounding trick, r with two fused steps), a degree-10 polynomial in r
// (Chebyshev interpolation of e^r on |r| ≤ 0.3466 with p(0) = 1; error
// below 6e-16 relative), and 2^n built in the exponent field.
#define EXPPOLY(X, T, N, MASK) \
	VCMPPD       $0x1d, polyExpLow<>(SB), X, MASK; \
	VMAXPD       polyExpLow<>(SB), X, X; \
	VMOVUPD      polyExpLog2e<>(SB), T; \
	VFMADD213PD  polyExpMagic<>(SB), X, T; \
	VSUBPD       polyExpMagic<>(SB), T, N; \
	VFNMADD231PD polyExpLn2Hi<>(SB), N, X; \
	VFNMADD231PD polyExpLn2Lo<>(SB), N, X; \
	VMOVUPD      polyExpC10<>(SB), N; \
	VFMADD213PD  polyExpC9<>(SB), X, N; \
	VFMADD213PD  polyExpC8<>(SB), X, N; \
	VFMADD213PD  polyExpC7<>(SB), X, N; \
	VFMADD213PD  polyExpC6<>(SB), X, N; \
	VFMADD213PD  polyExpC5<>(SB), X, N; \
	VFMADD213PD  polyExpC4<>(SB), X, N; \
	VFMADD213PD  polyExpC3<>(SB), X, N; \
	VFMADD213PD  polyExpC2<>(SB), X, N; \
	VFMADD213PD  polyExpC1<>(SB), X, N; \
	VFMADD213PD  polyExpC0<>(SB), X, N; \
	VPADDQ       polyExpBias<>(SB), T, T; \
	VPSLLQ       $52, T, T; \
	VMULPD       T, N, X; \
	VANDPD       MASK, X, X

// EXPPOLY512 is EXPPOLY on a ZMM register; K is clobbered.
#define EXPPOLY512(X, T, N, K) \
	VCMPPD.BCST       $0x1d, polyExpLow<>(SB), X, K; \
	VMAXPD.BCST       polyExpLow<>(SB), X, X; \
	VBROADCASTSD      polyExpLog2e<>(SB), T; \
	VFMADD213PD.BCST  polyExpMagic<>(SB), X, T; \
	VSUBPD.BCST       polyExpMagic<>(SB), T, N; \
	VFNMADD231PD.BCST polyExpLn2Hi<>(SB), N, X; \
	VFNMADD231PD.BCST polyExpLn2Lo<>(SB), N, X; \
	VBROADCASTSD      polyExpC10<>(SB), N; \
	VFMADD213PD.BCST  polyExpC9<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC8<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC7<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC6<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC5<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC4<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC3<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC2<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC1<>(SB), X, N; \
	VFMADD213PD.BCST  polyExpC0<>(SB), X, N; \
	VPADDQ.BCST       polyExpBias<>(SB), T, T; \
	VPSLLQ            $52, T, T; \
	VMULPD            T, N, X; \
	VMOVAPD.Z         X, K, X

// func expVecPolyAVX(dst, src *float64, n int)
// dst_j = exp(src_j) with the degree-10 polynomial, n a multiple of 8.
TEXT ·expVecPolyAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  epdone

eploop:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y4
	EXPPOLY(Y0, Y1, Y2, Y3)
	EXPPOLY(Y4, Y5, Y6, Y7)
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y4, 32(DI)(AX*8)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     eploop

epdone:
	VZEROUPPER
	RET

// func expVecPoly512(dst, src *float64, n int)
TEXT ·expVecPoly512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  ep5done

ep5loop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z4
	EXPPOLY512(Z0, Z1, Z2, K1)
	EXPPOLY512(Z4, Z5, Z6, K2)
	VMOVUPD Z0, (DI)(AX*8)
	VMOVUPD Z4, 64(DI)(AX*8)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     ep5loop

ep5done:
	VZEROUPPER
	RET
