//go:build !purego

#include "textflag.h"

// The float32 exp the kernels used before the table exp (exp32_poly.go),
// kept as the measured peer of BenchmarkExp32Table: AVX2 and AVX-512 loops,
// the twins of expNeg32Poly.

DATA poly32Log2e<>+0(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+4(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+8(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+12(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+16(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+20(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+24(SB)/4, $0x3fb8aa3b
DATA poly32Log2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL poly32Log2e<>(SB), RODATA|NOPTR, $32

DATA poly32Magic<>+0(SB)/4, $0x4b400000
DATA poly32Magic<>+4(SB)/4, $0x4b400000
DATA poly32Magic<>+8(SB)/4, $0x4b400000
DATA poly32Magic<>+12(SB)/4, $0x4b400000
DATA poly32Magic<>+16(SB)/4, $0x4b400000
DATA poly32Magic<>+20(SB)/4, $0x4b400000
DATA poly32Magic<>+24(SB)/4, $0x4b400000
DATA poly32Magic<>+28(SB)/4, $0x4b400000
GLOBL poly32Magic<>(SB), RODATA|NOPTR, $32

DATA poly32Ln2Hi<>+0(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+4(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+8(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+12(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+16(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+20(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+24(SB)/4, $0x3f318000
DATA poly32Ln2Hi<>+28(SB)/4, $0x3f318000
GLOBL poly32Ln2Hi<>(SB), RODATA|NOPTR, $32

DATA poly32Ln2Lo<>+0(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+4(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+8(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+12(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+16(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+20(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+24(SB)/4, $0xb95e8083
DATA poly32Ln2Lo<>+28(SB)/4, $0xb95e8083
GLOBL poly32Ln2Lo<>(SB), RODATA|NOPTR, $32

DATA poly32Low<>+0(SB)/4, $0xc2ae0000
DATA poly32Low<>+4(SB)/4, $0xc2ae0000
DATA poly32Low<>+8(SB)/4, $0xc2ae0000
DATA poly32Low<>+12(SB)/4, $0xc2ae0000
DATA poly32Low<>+16(SB)/4, $0xc2ae0000
DATA poly32Low<>+20(SB)/4, $0xc2ae0000
DATA poly32Low<>+24(SB)/4, $0xc2ae0000
DATA poly32Low<>+28(SB)/4, $0xc2ae0000
GLOBL poly32Low<>(SB), RODATA|NOPTR, $32

DATA poly32One<>+0(SB)/4, $0x3f800000
DATA poly32One<>+4(SB)/4, $0x3f800000
DATA poly32One<>+8(SB)/4, $0x3f800000
DATA poly32One<>+12(SB)/4, $0x3f800000
DATA poly32One<>+16(SB)/4, $0x3f800000
DATA poly32One<>+20(SB)/4, $0x3f800000
DATA poly32One<>+24(SB)/4, $0x3f800000
DATA poly32One<>+28(SB)/4, $0x3f800000
GLOBL poly32One<>(SB), RODATA|NOPTR, $32

DATA poly32Bias<>+0(SB)/4, $0x0000007f
DATA poly32Bias<>+4(SB)/4, $0x0000007f
DATA poly32Bias<>+8(SB)/4, $0x0000007f
DATA poly32Bias<>+12(SB)/4, $0x0000007f
DATA poly32Bias<>+16(SB)/4, $0x0000007f
DATA poly32Bias<>+20(SB)/4, $0x0000007f
DATA poly32Bias<>+24(SB)/4, $0x0000007f
DATA poly32Bias<>+28(SB)/4, $0x0000007f
GLOBL poly32Bias<>(SB), RODATA|NOPTR, $32

DATA poly32Q0<>+0(SB)/4, $0x3efffffc
DATA poly32Q0<>+4(SB)/4, $0x3efffffc
DATA poly32Q0<>+8(SB)/4, $0x3efffffc
DATA poly32Q0<>+12(SB)/4, $0x3efffffc
DATA poly32Q0<>+16(SB)/4, $0x3efffffc
DATA poly32Q0<>+20(SB)/4, $0x3efffffc
DATA poly32Q0<>+24(SB)/4, $0x3efffffc
DATA poly32Q0<>+28(SB)/4, $0x3efffffc
GLOBL poly32Q0<>(SB), RODATA|NOPTR, $32

DATA poly32Q1<>+0(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+4(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+8(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+12(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+16(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+20(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+24(SB)/4, $0x3e2aaa3f
DATA poly32Q1<>+28(SB)/4, $0x3e2aaa3f
GLOBL poly32Q1<>(SB), RODATA|NOPTR, $32

DATA poly32Q2<>+0(SB)/4, $0x3d2aadea
DATA poly32Q2<>+4(SB)/4, $0x3d2aadea
DATA poly32Q2<>+8(SB)/4, $0x3d2aadea
DATA poly32Q2<>+12(SB)/4, $0x3d2aadea
DATA poly32Q2<>+16(SB)/4, $0x3d2aadea
DATA poly32Q2<>+20(SB)/4, $0x3d2aadea
DATA poly32Q2<>+24(SB)/4, $0x3d2aadea
DATA poly32Q2<>+28(SB)/4, $0x3d2aadea
GLOBL poly32Q2<>(SB), RODATA|NOPTR, $32

DATA poly32Q3<>+0(SB)/4, $0x3c0923ce
DATA poly32Q3<>+4(SB)/4, $0x3c0923ce
DATA poly32Q3<>+8(SB)/4, $0x3c0923ce
DATA poly32Q3<>+12(SB)/4, $0x3c0923ce
DATA poly32Q3<>+16(SB)/4, $0x3c0923ce
DATA poly32Q3<>+20(SB)/4, $0x3c0923ce
DATA poly32Q3<>+24(SB)/4, $0x3c0923ce
DATA poly32Q3<>+28(SB)/4, $0x3c0923ce
GLOBL poly32Q3<>(SB), RODATA|NOPTR, $32

DATA poly32Q4<>+0(SB)/4, $0x3ab42c97
DATA poly32Q4<>+4(SB)/4, $0x3ab42c97
DATA poly32Q4<>+8(SB)/4, $0x3ab42c97
DATA poly32Q4<>+12(SB)/4, $0x3ab42c97
DATA poly32Q4<>+16(SB)/4, $0x3ab42c97
DATA poly32Q4<>+20(SB)/4, $0x3ab42c97
DATA poly32Q4<>+24(SB)/4, $0x3ab42c97
DATA poly32Q4<>+28(SB)/4, $0x3ab42c97
GLOBL poly32Q4<>(SB), RODATA|NOPTR, $32

// EXP32POLY overwrites the eight float32 lanes of X with expNeg32Poly(X): the
// operations of exp32.go in the same order, each separately rounded (no
// fused multiply-add). Lanes below -87, -Inf and NaN give +0.
// T, N, Q and MASK are clobbered.
#define EXP32POLY(X, T, N, Q, MASK) \
	VCMPPS  $0x1d, poly32Low<>(SB), X, MASK; \
	VMULPS  poly32Log2e<>(SB), X, T; \
	VADDPS  poly32Magic<>(SB), T, T; \
	VSUBPS  poly32Magic<>(SB), T, N; \
	VMULPS  poly32Ln2Hi<>(SB), N, Q; \
	VSUBPS  Q, X, X; \
	VMULPS  poly32Ln2Lo<>(SB), N, N; \
	VSUBPS  N, X, X; \
	VMULPS  poly32Q4<>(SB), X, N; \
	VADDPS  poly32Q3<>(SB), N, N; \
	VMULPS  X, N, N; \
	VADDPS  poly32Q2<>(SB), N, N; \
	VMULPS  X, N, N; \
	VADDPS  poly32Q1<>(SB), N, N; \
	VMULPS  X, N, N; \
	VADDPS  poly32Q0<>(SB), N, N; \
	VMULPS  X, X, Q; \
	VMULPS  Q, N, N; \
	VADDPS  X, N, N; \
	VADDPS  poly32One<>(SB), N, N; \
	VPADDD  poly32Bias<>(SB), T, T; \
	VPSLLD  $23, T, T; \
	VMULPS  T, N, X; \
	VANDPS  MASK, X, X

// EXP32POLYx512 is EXP32POLY on sixteen lanes, with the opmask K.
#define EXP32POLYx512(X, T, N, Q, K) \
	VCMPPS.BCST $0x1d, poly32Low<>(SB), X, K; \
	VMULPS.BCST poly32Log2e<>(SB), X, T; \
	VADDPS.BCST poly32Magic<>(SB), T, T; \
	VSUBPS.BCST poly32Magic<>(SB), T, N; \
	VMULPS.BCST poly32Ln2Hi<>(SB), N, Q; \
	VSUBPS      Q, X, X; \
	VMULPS.BCST poly32Ln2Lo<>(SB), N, N; \
	VSUBPS      N, X, X; \
	VMULPS.BCST poly32Q4<>(SB), X, N; \
	VADDPS.BCST poly32Q3<>(SB), N, N; \
	VMULPS      X, N, N; \
	VADDPS.BCST poly32Q2<>(SB), N, N; \
	VMULPS      X, N, N; \
	VADDPS.BCST poly32Q1<>(SB), N, N; \
	VMULPS      X, N, N; \
	VADDPS.BCST poly32Q0<>(SB), N, N; \
	VMULPS      X, X, Q; \
	VMULPS      Q, N, N; \
	VADDPS      X, N, N; \
	VADDPS.BCST poly32One<>(SB), N, N; \
	VPADDD.BCST poly32Bias<>(SB), T, T; \
	VPSLLD      $23, T, T; \
	VMULPS      T, N, X; \
	VMOVAPS.Z   X, K, X

// func expVec32PolyAVX(dst, src *float32, n int)
TEXT ·expVec32PolyAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  pv3done

pv3loop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y8
	EXP32POLY(Y0, Y1, Y2, Y3, Y4)
	EXP32POLY(Y8, Y9, Y10, Y11, Y12)
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y8, 32(DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     pv3loop

pv3done:
	VZEROUPPER
	RET

// func expVec32Poly512(dst, src *float32, n int)
TEXT ·expVec32Poly512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  pv5done

pv5loop:
	VMOVUPS (SI)(AX*4), Z0
	EXP32POLYx512(Z0, Z1, Z2, Z3, K1)
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     pv5loop

pv5done:
	VZEROUPPER
	RET

