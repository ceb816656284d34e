//go:build !noasm

#include "textflag.h"

// AVX2 and AVX-512 inner loops of the float32 log-sum-exp kernels
// (lse_fast32.go, exp32.go). Each mirrors a pure-Go loop operation for
// operation (separately rounded float32 multiplies and adds, same order),
// so every path gives the same bits. Constants: eight float32 lanes each;
// the AVX-512 loops broadcast the first.

DATA exp32Magic<>+0(SB)/4, $0x4b400000
DATA exp32Magic<>+4(SB)/4, $0x4b400000
DATA exp32Magic<>+8(SB)/4, $0x4b400000
DATA exp32Magic<>+12(SB)/4, $0x4b400000
DATA exp32Magic<>+16(SB)/4, $0x4b400000
DATA exp32Magic<>+20(SB)/4, $0x4b400000
DATA exp32Magic<>+24(SB)/4, $0x4b400000
DATA exp32Magic<>+28(SB)/4, $0x4b400000
GLOBL exp32Magic<>(SB), RODATA|NOPTR, $32

DATA exp32Low<>+0(SB)/4, $0xc2ae0000
DATA exp32Low<>+4(SB)/4, $0xc2ae0000
DATA exp32Low<>+8(SB)/4, $0xc2ae0000
DATA exp32Low<>+12(SB)/4, $0xc2ae0000
DATA exp32Low<>+16(SB)/4, $0xc2ae0000
DATA exp32Low<>+20(SB)/4, $0xc2ae0000
DATA exp32Low<>+24(SB)/4, $0xc2ae0000
DATA exp32Low<>+28(SB)/4, $0xc2ae0000
GLOBL exp32Low<>(SB), RODATA|NOPTR, $32

DATA exp32NegInf<>+0(SB)/4, $0xff800000
DATA exp32NegInf<>+4(SB)/4, $0xff800000
DATA exp32NegInf<>+8(SB)/4, $0xff800000
DATA exp32NegInf<>+12(SB)/4, $0xff800000
DATA exp32NegInf<>+16(SB)/4, $0xff800000
DATA exp32NegInf<>+20(SB)/4, $0xff800000
DATA exp32NegInf<>+24(SB)/4, $0xff800000
DATA exp32NegInf<>+28(SB)/4, $0xff800000
GLOBL exp32NegInf<>(SB), RODATA|NOPTR, $32

// Constants of the table exp (exp32.go): 16/log 2, (log 2)/16 in two parts,
// the coefficients of q, the exponent-field mask, and the tables exp32Table
// and exp32Delta (16 lanes: AVX2 reads them as two halves).
DATA exp32InvStep<>+0(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+4(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+8(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+12(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+16(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+20(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+24(SB)/4, $0x41b8aa3b
DATA exp32InvStep<>+28(SB)/4, $0x41b8aa3b
GLOBL exp32InvStep<>(SB), RODATA|NOPTR, $32

DATA exp32StepHi<>+0(SB)/4, $0x3d318000
DATA exp32StepHi<>+4(SB)/4, $0x3d318000
DATA exp32StepHi<>+8(SB)/4, $0x3d318000
DATA exp32StepHi<>+12(SB)/4, $0x3d318000
DATA exp32StepHi<>+16(SB)/4, $0x3d318000
DATA exp32StepHi<>+20(SB)/4, $0x3d318000
DATA exp32StepHi<>+24(SB)/4, $0x3d318000
DATA exp32StepHi<>+28(SB)/4, $0x3d318000
GLOBL exp32StepHi<>(SB), RODATA|NOPTR, $32

DATA exp32StepLo<>+0(SB)/4, $0xb75e8083
DATA exp32StepLo<>+4(SB)/4, $0xb75e8083
DATA exp32StepLo<>+8(SB)/4, $0xb75e8083
DATA exp32StepLo<>+12(SB)/4, $0xb75e8083
DATA exp32StepLo<>+16(SB)/4, $0xb75e8083
DATA exp32StepLo<>+20(SB)/4, $0xb75e8083
DATA exp32StepLo<>+24(SB)/4, $0xb75e8083
DATA exp32StepLo<>+28(SB)/4, $0xb75e8083
GLOBL exp32StepLo<>(SB), RODATA|NOPTR, $32

DATA exp32T0<>+0(SB)/4, $0x3f0000a4
DATA exp32T0<>+4(SB)/4, $0x3f0000a4
DATA exp32T0<>+8(SB)/4, $0x3f0000a4
DATA exp32T0<>+12(SB)/4, $0x3f0000a4
DATA exp32T0<>+16(SB)/4, $0x3f0000a4
DATA exp32T0<>+20(SB)/4, $0x3f0000a4
DATA exp32T0<>+24(SB)/4, $0x3f0000a4
DATA exp32T0<>+28(SB)/4, $0x3f0000a4
GLOBL exp32T0<>(SB), RODATA|NOPTR, $32

DATA exp32T1<>+0(SB)/4, $0x3e2aab2e
DATA exp32T1<>+4(SB)/4, $0x3e2aab2e
DATA exp32T1<>+8(SB)/4, $0x3e2aab2e
DATA exp32T1<>+12(SB)/4, $0x3e2aab2e
DATA exp32T1<>+16(SB)/4, $0x3e2aab2e
DATA exp32T1<>+20(SB)/4, $0x3e2aab2e
DATA exp32T1<>+24(SB)/4, $0x3e2aab2e
DATA exp32T1<>+28(SB)/4, $0x3e2aab2e
GLOBL exp32T1<>(SB), RODATA|NOPTR, $32

DATA exp32ExpMask<>+0(SB)/4, $0xff800000
DATA exp32ExpMask<>+4(SB)/4, $0xff800000
DATA exp32ExpMask<>+8(SB)/4, $0xff800000
DATA exp32ExpMask<>+12(SB)/4, $0xff800000
DATA exp32ExpMask<>+16(SB)/4, $0xff800000
DATA exp32ExpMask<>+20(SB)/4, $0xff800000
DATA exp32ExpMask<>+24(SB)/4, $0xff800000
DATA exp32ExpMask<>+28(SB)/4, $0xff800000
GLOBL exp32ExpMask<>(SB), RODATA|NOPTR, $32

DATA exp32Tab<>+0(SB)/4, $0x3f800000
DATA exp32Tab<>+4(SB)/4, $0x3f85aac3
DATA exp32Tab<>+8(SB)/4, $0x3f8b95c2
DATA exp32Tab<>+12(SB)/4, $0x3f91c3d3
DATA exp32Tab<>+16(SB)/4, $0x3f9837f0
DATA exp32Tab<>+20(SB)/4, $0x3f9ef532
DATA exp32Tab<>+24(SB)/4, $0x3fa5fed7
DATA exp32Tab<>+28(SB)/4, $0x3fad583f
DATA exp32Tab<>+32(SB)/4, $0x3fb504f3
DATA exp32Tab<>+36(SB)/4, $0x3fbd08a4
DATA exp32Tab<>+40(SB)/4, $0x3fc5672a
DATA exp32Tab<>+44(SB)/4, $0x3fce248c
DATA exp32Tab<>+48(SB)/4, $0x3fd744fd
DATA exp32Tab<>+52(SB)/4, $0x3fe0ccdf
DATA exp32Tab<>+56(SB)/4, $0x3feac0c7
DATA exp32Tab<>+60(SB)/4, $0x3ff5257d
GLOBL exp32Tab<>(SB), RODATA|NOPTR, $64

DATA exp32Delta<>+0(SB)/4, $0x00000000
DATA exp32Delta<>+4(SB)/4, $0x3346cb6a
DATA exp32Delta<>+8(SB)/4, $0xb24e0611
DATA exp32Delta<>+12(SB)/4, $0x334b2482
DATA exp32Delta<>+16(SB)/4, $0x33092801
DATA exp32Delta<>+20(SB)/4, $0x331b85f2
DATA exp32Delta<>+24(SB)/4, $0xb3051aa8
DATA exp32Delta<>+28(SB)/4, $0xb2006c56
DATA exp32Delta<>+32(SB)/4, $0x329302ae
DATA exp32Delta<>+36(SB)/4, $0xb302e5a2
DATA exp32Delta<>+40(SB)/4, $0x31b3d0e5
DATA exp32Delta<>+44(SB)/4, $0x31d1daf2
DATA exp32Delta<>+48(SB)/4, $0xb27ce182
DATA exp32Delta<>+52(SB)/4, $0xb1b4b0da
DATA exp32Delta<>+56(SB)/4, $0xb1d290be
DATA exp32Delta<>+60(SB)/4, $0x31b0a147
GLOBL exp32Delta<>(SB), RODATA|NOPTR, $64


// EXP32 overwrites the eight float32 lanes of X with expNeg32(X): the
// operations of exp32.go in the same order, each separately rounded (no
// fused multiply-add). Lanes below -87, -Inf and NaN give +0. The
// 16-entry tables are looked up with two VPERMPS (the low three bits of n)
// and a blend on bit 3, moved to the sign bit in E.
// T, N, Q, E and MASK are clobbered.
#define EXP32(X, T, N, Q, MASK, E) \
	VCMPPS    $0x1d, exp32Low<>(SB), X, MASK; \
	VMULPS    exp32InvStep<>(SB), X, T; \
	VADDPS    exp32Magic<>(SB), T, T; \
	VSUBPS    exp32Magic<>(SB), T, N; \
	VMULPS    exp32StepHi<>(SB), N, Q; \
	VSUBPS    Q, X, X; \
	VMULPS    exp32StepLo<>(SB), N, N; \
	VSUBPS    N, X, X; \
	VMULPS    exp32T1<>(SB), X, N; \
	VADDPS    exp32T0<>(SB), N, N; \
	VMULPS    X, X, Q; \
	VMULPS    Q, N, N; \
	VADDPS    X, N, N; \
	VPSLLD    $28, T, E; \
	VPERMPS   exp32Delta<>+0(SB), T, Q; \
	VPERMPS   exp32Delta<>+32(SB), T, X; \
	VBLENDVPS E, X, Q, Q; \
	VADDPS    Q, N, N; \
	VPSLLD    $19, T, Q; \
	VPAND     exp32ExpMask<>(SB), Q, Q; \
	VPERMPS   exp32Tab<>+0(SB), T, X; \
	VPERMPS   exp32Tab<>+32(SB), T, T; \
	VBLENDVPS E, T, X, X; \
	VMULPS    X, N, N; \
	VADDPS    X, N, N; \
	VPADDD    Q, N, X; \
	VANDPS    MASK, X, X

// EXP32x512 is EXP32 on sixteen lanes: each table is one VPERMPS, and the
// lanes below the limit are zeroed by the last, masked, integer add (opmask
// K). The tables are read from Z26 (exp32Tab) and Z27 (exp32Delta), loaded
// once per call by LOADEXP32TABLES: the linker aligns them to 32 bytes
// only, and a 64-byte operand that straddles two cache lines costs a split
// load on every use (measured, AMD EPYC Zen 5: the exp floor was 0.124
// ns/exp with the tables 64-byte aligned by chance, 0.132 after an
// unrelated edit moved them, 0.121 from registers).
#define LOADEXP32TABLES \
	VMOVUPS exp32Tab<>(SB), Z26; \
	VMOVUPS exp32Delta<>(SB), Z27

#define EXP32x512(X, T, N, Q, K) \
	VCMPPS.BCST $0x1d, exp32Low<>(SB), X, K; \
	VMULPS.BCST exp32InvStep<>(SB), X, T; \
	VADDPS.BCST exp32Magic<>(SB), T, T; \
	VSUBPS.BCST exp32Magic<>(SB), T, N; \
	VMULPS.BCST exp32StepHi<>(SB), N, Q; \
	VSUBPS      Q, X, X; \
	VMULPS.BCST exp32StepLo<>(SB), N, N; \
	VSUBPS      N, X, X; \
	VMULPS.BCST exp32T1<>(SB), X, N; \
	VADDPS.BCST exp32T0<>(SB), N, N; \
	VMULPS      X, X, Q; \
	VMULPS      Q, N, N; \
	VADDPS      X, N, N; \
	VPERMPS     Z27, T, Q; \
	VADDPS      Q, N, N; \
	VPSLLD      $19, T, Q; \
	VPANDD.BCST exp32ExpMask<>(SB), Q, Q; \
	VPERMPS     Z26, T, T; \
	VMULPS      T, N, N; \
	VADDPS      T, N, N; \
	VPADDD.Z    Q, N, K, X

// HMAX32 leaves the largest of the eight float32 lanes of Y0 in X0
// (clobbers Y1).
#define HMAX32 \
	VEXTRACTF128 $1, Y0, X1; \
	VMAXPS       X1, X0, X0; \
	VPERMILPS    $0x4e, X0, X1; \
	VMAXPS       X1, X0, X0; \
	VPERMILPS    $0xb1, X0, X1; \
	VMAXPS       X1, X0, X0

// func expVec32AVX(dst, src *float32, n int)
TEXT ·expVec32AVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	CMPQ AX, CX
	JGE  v3done

v3loop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y8
	EXP32(Y0, Y1, Y2, Y3, Y4, Y5)
	EXP32(Y8, Y9, Y10, Y11, Y12, Y13)
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y8, 32(DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     v3loop

v3done:
	VZEROUPPER
	RET

// func expVec32x512(dst, src *float32, n int)
TEXT ·expVec32x512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	LOADEXP32TABLES
	XORQ AX, AX
	CMPQ AX, CX
	JGE  v5done

v5loop:
	VMOVUPS (SI)(AX*4), Z0
	EXP32x512(Z0, Z1, Z2, Z3, K1)
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     v5loop

v5done:
	VZEROUPPER
	RET

// func expSum32AVX(z *float32, n int, shift float32, sums *[16]float64, pf *float32)
// n is a multiple of 32; the summation of expSum32's Go loop: lane l of the
// sixteen float64 sums adds, per group of 128 terms, the float32 tree
// ((e_l + e_{l+16}) + (e_{l+32} + e_{l+48})) + ((e_{l+64} + e_{l+80}) +
// (e_{l+96} + e_{l+112})), then per remaining group of 32 terms
// e_l + e_{l+16}. The n floats at pf are prefetched meanwhile. Lanes 0–7
// are the low half of each 16-lane group (sums in Y0, Y1), 8–15 the high
// half (Y2, Y3).
TEXT ·expSum32AVX(SB), NOSPLIT, $0-40
	MOVQ         z+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y15
	MOVQ         sums+24(FP), DX
	MOVQ         pf+32(FP), R8
	VMOVUPD      0(DX), Y0
	VMOVUPD      32(DX), Y1
	VMOVUPD      64(DX), Y2
	VMOVUPD      96(DX), Y3
	MOVQ         CX, BX
	ANDQ         $-128, BX
	XORQ         AX, AX
	CMPQ         AX, BX
	JGE          s3pairs

s3loop8:
	PREFETCHT0   0(R8)(AX*4)
	PREFETCHT0   64(R8)(AX*4)
	PREFETCHT0   128(R8)(AX*4)
	PREFETCHT0   192(R8)(AX*4)
	PREFETCHT0   256(R8)(AX*4)
	PREFETCHT0   320(R8)(AX*4)
	PREFETCHT0   384(R8)(AX*4)
	PREFETCHT0   448(R8)(AX*4)
	VMOVUPS      0(SI)(AX*4), Y4
	VSUBPS       Y15, Y4, Y4
	EXP32(Y4, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS      64(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VADDPS       Y9, Y4, Y4
	VMOVUPS      128(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VMOVUPS      192(SI)(AX*4), Y14
	VSUBPS       Y15, Y14, Y14
	EXP32(Y14, Y5, Y6, Y7, Y8, Y10)
	VADDPS       Y14, Y9, Y9
	VADDPS       Y9, Y4, Y4
	VMOVUPS      256(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VMOVUPS      320(SI)(AX*4), Y14
	VSUBPS       Y15, Y14, Y14
	EXP32(Y14, Y5, Y6, Y7, Y8, Y10)
	VADDPS       Y14, Y9, Y9
	VMOVUPS      384(SI)(AX*4), Y14
	VSUBPS       Y15, Y14, Y14
	EXP32(Y14, Y10, Y11, Y12, Y13, Y5)
	VMOVUPS      448(SI)(AX*4), Y5
	VSUBPS       Y15, Y5, Y5
	EXP32(Y5, Y6, Y7, Y8, Y10, Y11)
	VADDPS       Y5, Y14, Y14
	VADDPS       Y14, Y9, Y9
	VADDPS       Y9, Y4, Y4
	VCVTPS2PD    X4, Y5
	VEXTRACTF128 $1, Y4, X6
	VCVTPS2PD    X6, Y6
	VADDPD       Y5, Y0, Y0
	VADDPD       Y6, Y1, Y1
	VMOVUPS      32(SI)(AX*4), Y4
	VSUBPS       Y15, Y4, Y4
	EXP32(Y4, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS      96(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VADDPS       Y9, Y4, Y4
	VMOVUPS      160(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VMOVUPS      224(SI)(AX*4), Y14
	VSUBPS       Y15, Y14, Y14
	EXP32(Y14, Y5, Y6, Y7, Y8, Y10)
	VADDPS       Y14, Y9, Y9
	VADDPS       Y9, Y4, Y4
	VMOVUPS      288(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VMOVUPS      352(SI)(AX*4), Y14
	VSUBPS       Y15, Y14, Y14
	EXP32(Y14, Y5, Y6, Y7, Y8, Y10)
	VADDPS       Y14, Y9, Y9
	VMOVUPS      416(SI)(AX*4), Y14
	VSUBPS       Y15, Y14, Y14
	EXP32(Y14, Y10, Y11, Y12, Y13, Y5)
	VMOVUPS      480(SI)(AX*4), Y5
	VSUBPS       Y15, Y5, Y5
	EXP32(Y5, Y6, Y7, Y8, Y10, Y11)
	VADDPS       Y5, Y14, Y14
	VADDPS       Y14, Y9, Y9
	VADDPS       Y9, Y4, Y4
	VCVTPS2PD    X4, Y5
	VEXTRACTF128 $1, Y4, X6
	VCVTPS2PD    X6, Y6
	VADDPD       Y5, Y2, Y2
	VADDPD       Y6, Y3, Y3
	ADDQ         $128, AX
	CMPQ         AX, BX
	JLT          s3loop8

s3pairs:
	CMPQ         AX, CX
	JGE          s3done

s3loop:
	PREFETCHT0   (R8)(AX*4)
	PREFETCHT0   64(R8)(AX*4)
	VMOVUPS      0(SI)(AX*4), Y4
	VSUBPS       Y15, Y4, Y4
	EXP32(Y4, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS      64(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VADDPS       Y9, Y4, Y4
	VCVTPS2PD    X4, Y5
	VEXTRACTF128 $1, Y4, X6
	VCVTPS2PD    X6, Y6
	VADDPD       Y5, Y0, Y0
	VADDPD       Y6, Y1, Y1
	VMOVUPS      32(SI)(AX*4), Y4
	VSUBPS       Y15, Y4, Y4
	EXP32(Y4, Y5, Y6, Y7, Y8, Y9)
	VMOVUPS      96(SI)(AX*4), Y9
	VSUBPS       Y15, Y9, Y9
	EXP32(Y9, Y10, Y11, Y12, Y13, Y14)
	VADDPS       Y9, Y4, Y4
	VCVTPS2PD    X4, Y5
	VEXTRACTF128 $1, Y4, X6
	VCVTPS2PD    X6, Y6
	VADDPD       Y5, Y2, Y2
	VADDPD       Y6, Y3, Y3
	ADDQ         $32, AX
	CMPQ         AX, CX
	JLT          s3loop

s3done:
	VMOVUPD Y0, 0(DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	VZEROUPPER
	RET

// EXP32x512x4 is EXP32x512 on four vectors at once, X = Z4, Z8, Z12, Z16
// (temporaries the next three registers, masks K1–K4), one step of each in
// turn. Each exp is a chain of about fifteen dependent operations; issued
// one after the other, the scheduler holds too few independent operations
// to keep the vector units busy (measured: the fused online loop ran at
// 0.186 ns/term with one exp at a time, 0.172 with two and 0.151 with four
// interleaved, AMD EPYC Zen 5), whereas with four interleaved every step
// has four independent operations ready.
#define EXP32x512x4 \
	VCMPPS.BCST $0x1d, exp32Low<>(SB), Z4, K1; \
	VCMPPS.BCST $0x1d, exp32Low<>(SB), Z8, K2; \
	VCMPPS.BCST $0x1d, exp32Low<>(SB), Z12, K3; \
	VCMPPS.BCST $0x1d, exp32Low<>(SB), Z16, K4; \
	VMULPS.BCST exp32InvStep<>(SB), Z4, Z5; \
	VMULPS.BCST exp32InvStep<>(SB), Z8, Z9; \
	VMULPS.BCST exp32InvStep<>(SB), Z12, Z13; \
	VMULPS.BCST exp32InvStep<>(SB), Z16, Z17; \
	VADDPS.BCST exp32Magic<>(SB), Z5, Z5; \
	VADDPS.BCST exp32Magic<>(SB), Z9, Z9; \
	VADDPS.BCST exp32Magic<>(SB), Z13, Z13; \
	VADDPS.BCST exp32Magic<>(SB), Z17, Z17; \
	VSUBPS.BCST exp32Magic<>(SB), Z5, Z6; \
	VSUBPS.BCST exp32Magic<>(SB), Z9, Z10; \
	VSUBPS.BCST exp32Magic<>(SB), Z13, Z14; \
	VSUBPS.BCST exp32Magic<>(SB), Z17, Z18; \
	VMULPS.BCST exp32StepHi<>(SB), Z6, Z7; \
	VMULPS.BCST exp32StepHi<>(SB), Z10, Z11; \
	VMULPS.BCST exp32StepHi<>(SB), Z14, Z15; \
	VMULPS.BCST exp32StepHi<>(SB), Z18, Z19; \
	VSUBPS      Z7, Z4, Z4; \
	VSUBPS      Z11, Z8, Z8; \
	VSUBPS      Z15, Z12, Z12; \
	VSUBPS      Z19, Z16, Z16; \
	VMULPS.BCST exp32StepLo<>(SB), Z6, Z6; \
	VMULPS.BCST exp32StepLo<>(SB), Z10, Z10; \
	VMULPS.BCST exp32StepLo<>(SB), Z14, Z14; \
	VMULPS.BCST exp32StepLo<>(SB), Z18, Z18; \
	VSUBPS      Z6, Z4, Z4; \
	VSUBPS      Z10, Z8, Z8; \
	VSUBPS      Z14, Z12, Z12; \
	VSUBPS      Z18, Z16, Z16; \
	VMULPS.BCST exp32T1<>(SB), Z4, Z6; \
	VMULPS.BCST exp32T1<>(SB), Z8, Z10; \
	VMULPS.BCST exp32T1<>(SB), Z12, Z14; \
	VMULPS.BCST exp32T1<>(SB), Z16, Z18; \
	VADDPS.BCST exp32T0<>(SB), Z6, Z6; \
	VADDPS.BCST exp32T0<>(SB), Z10, Z10; \
	VADDPS.BCST exp32T0<>(SB), Z14, Z14; \
	VADDPS.BCST exp32T0<>(SB), Z18, Z18; \
	VMULPS      Z4, Z4, Z7; \
	VMULPS      Z8, Z8, Z11; \
	VMULPS      Z12, Z12, Z15; \
	VMULPS      Z16, Z16, Z19; \
	VMULPS      Z7, Z6, Z6; \
	VMULPS      Z11, Z10, Z10; \
	VMULPS      Z15, Z14, Z14; \
	VMULPS      Z19, Z18, Z18; \
	VADDPS      Z4, Z6, Z6; \
	VADDPS      Z8, Z10, Z10; \
	VADDPS      Z12, Z14, Z14; \
	VADDPS      Z16, Z18, Z18; \
	VPERMPS     Z27, Z5, Z7; \
	VPERMPS     Z27, Z9, Z11; \
	VPERMPS     Z27, Z13, Z15; \
	VPERMPS     Z27, Z17, Z19; \
	VADDPS      Z7, Z6, Z6; \
	VADDPS      Z11, Z10, Z10; \
	VADDPS      Z15, Z14, Z14; \
	VADDPS      Z19, Z18, Z18; \
	VPSLLD      $19, Z5, Z7; \
	VPSLLD      $19, Z9, Z11; \
	VPSLLD      $19, Z13, Z15; \
	VPSLLD      $19, Z17, Z19; \
	VPANDD.BCST exp32ExpMask<>(SB), Z7, Z7; \
	VPANDD.BCST exp32ExpMask<>(SB), Z11, Z11; \
	VPANDD.BCST exp32ExpMask<>(SB), Z15, Z15; \
	VPANDD.BCST exp32ExpMask<>(SB), Z19, Z19; \
	VPERMPS     Z26, Z5, Z5; \
	VPERMPS     Z26, Z9, Z9; \
	VPERMPS     Z26, Z13, Z13; \
	VPERMPS     Z26, Z17, Z17; \
	VMULPS      Z5, Z6, Z6; \
	VMULPS      Z9, Z10, Z10; \
	VMULPS      Z13, Z14, Z14; \
	VMULPS      Z17, Z18, Z18; \
	VADDPS      Z5, Z6, Z6; \
	VADDPS      Z9, Z10, Z10; \
	VADDPS      Z13, Z14, Z14; \
	VADDPS      Z17, Z18, Z18; \
	VPADDD.Z    Z7, Z6, K1, Z4; \
	VPADDD.Z    Z11, Z10, K2, Z8; \
	VPADDD.Z    Z15, Z14, K3, Z12; \
	VPADDD.Z    Z19, Z18, K4, Z16

// EXPSUB4 leaves in Z4, Z8, Z12, Z16 the exponentials expNeg32(z_j −
// shift) of the 64 exponents at byte offset OFF (expSum32x512's registers).
#define EXPSUB4(OFF) \
	VMOVUPS OFF+0(SI)(AX*4), Z4; \
	VMOVUPS OFF+64(SI)(AX*4), Z8; \
	VMOVUPS OFF+128(SI)(AX*4), Z12; \
	VMOVUPS OFF+192(SI)(AX*4), Z16; \
	VSUBPS  Z31, Z4, Z4; \
	VSUBPS  Z31, Z8, Z8; \
	VSUBPS  Z31, Z12, Z12; \
	VSUBPS  Z31, Z16, Z16; \
	EXP32x512x4

// func expSum32x512(z *float32, n int, shift float32, sums *[16]float64, pf *float32)
// n is a multiple of 32; the summation tree and the prefetch of
// expSum32AVX, sixteen lanes at a time, four exps interleaved
// (EXP32x512x4).
TEXT ·expSum32x512(SB), NOSPLIT, $0-40
	MOVQ         z+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS shift+16(FP), Z31
	MOVQ         sums+24(FP), DX
	MOVQ         pf+32(FP), R8
	LOADEXP32TABLES
	VMOVUPD      0(DX), Z0
	VMOVUPD      64(DX), Z1
	MOVQ         CX, BX
	ANDQ         $-128, BX
	XORQ         AX, AX
	CMPQ         AX, BX
	JGE          s5pairs

s5loop8:
	PREFETCHT0    0(R8)(AX*4)
	PREFETCHT0    64(R8)(AX*4)
	PREFETCHT0    128(R8)(AX*4)
	PREFETCHT0    192(R8)(AX*4)
	PREFETCHT0    256(R8)(AX*4)
	PREFETCHT0    320(R8)(AX*4)
	PREFETCHT0    384(R8)(AX*4)
	PREFETCHT0    448(R8)(AX*4)
	EXPSUB4(0)
	VADDPS        Z8, Z4, Z4
	VADDPS        Z16, Z12, Z12
	VADDPS        Z12, Z4, Z20
	EXPSUB4(256)
	VADDPS        Z8, Z4, Z4
	VADDPS        Z16, Z12, Z12
	VADDPS        Z12, Z4, Z4
	VADDPS        Z4, Z20, Z4
	VCVTPS2PD     Y4, Z8
	VEXTRACTF64X4 $1, Z4, Y9
	VCVTPS2PD     Y9, Z9
	VADDPD        Z8, Z0, Z0
	VADDPD        Z9, Z1, Z1
	ADDQ          $128, AX
	CMPQ          AX, BX
	JLT           s5loop8

s5pairs:
	CMPQ          AX, CX
	JGE           s5done

s5loop:
	PREFETCHT0    (R8)(AX*4)
	PREFETCHT0    64(R8)(AX*4)
	VMOVUPS       0(SI)(AX*4), Z4
	VSUBPS        Z31, Z4, Z4
	EXP32x512(Z4, Z5, Z6, Z7, K1)
	VMOVUPS       64(SI)(AX*4), Z10
	VSUBPS        Z31, Z10, Z10
	EXP32x512(Z10, Z11, Z12, Z13, K2)
	VADDPS        Z10, Z4, Z4
	VCVTPS2PD     Y4, Z8
	VEXTRACTF64X4 $1, Z4, Y9
	VCVTPS2PD     Y9, Z9
	VADDPD        Z8, Z0, Z0
	VADDPD        Z9, Z1, Z1
	ADDQ          $32, AX
	CMPQ          AX, CX
	JLT           s5loop

s5done:
	VMOVUPD Z0, 0(DX)
	VMOVUPD Z1, 64(DX)
	VZEROUPPER
	RET

// func zDenseMax32AVX(c, h, z *float32, n int, inv float32) float32
TEXT ·zDenseMax32AVX(SB), NOSPLIT, $0-44
	MOVQ         c+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         z+16(FP), R9
	MOVQ         n+24(FP), CX
	VBROADCASTSS inv+32(FP), Y15
	VMOVUPS      exp32NegInf<>(SB), Y0
	VMOVAPS      Y0, Y2
	XORQ         AX, AX

zd3loop:
	VMOVUPS (DI)(AX*4), Y4
	VSUBPS  (SI)(AX*4), Y4, Y4
	VMULPS  Y15, Y4, Y4
	VMOVUPS 32(DI)(AX*4), Y5
	VSUBPS  32(SI)(AX*4), Y5, Y5
	VMULPS  Y15, Y5, Y5
	VMOVUPS Y4, (R9)(AX*4)
	VMOVUPS Y5, 32(R9)(AX*4)
	VMAXPS  Y4, Y0, Y0
	VMAXPS  Y5, Y2, Y2
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     zd3loop

	VMAXPS Y2, Y0, Y0
	HMAX32
	VMOVSS X0, ret+40(FP)
	VZEROUPPER
	RET

// func zDenseMax32x512(c, h, z *float32, n int, inv float32) float32
TEXT ·zDenseMax32x512(SB), NOSPLIT, $0-44
	MOVQ         c+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         z+16(FP), R9
	MOVQ         n+24(FP), CX
	VBROADCASTSS inv+32(FP), Z15
	VBROADCASTSS exp32NegInf<>(SB), Z0
	VMOVAPS      Z0, Z2
	XORQ         AX, AX

zd5loop:
	VMOVUPS (DI)(AX*4), Z4
	VSUBPS  (SI)(AX*4), Z4, Z4
	VMULPS  Z15, Z4, Z4
	VMOVUPS 64(DI)(AX*4), Z5
	VSUBPS  64(SI)(AX*4), Z5, Z5
	VMULPS  Z15, Z5, Z5
	VMOVUPS Z4, (R9)(AX*4)
	VMOVUPS Z5, 64(R9)(AX*4)
	VMAXPS  Z4, Z0, Z0
	VMAXPS  Z5, Z2, Z2
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     zd5loop

	VMAXPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	HMAX32
	VMOVSS        X0, ret+40(FP)
	VZEROUPPER
	RET

// func zPC2Max32AVX(a, y0, y1, z *float32, n int, x0, x1 float32) float32
TEXT ·zPC2Max32AVX(SB), NOSPLIT, $0-52
	MOVQ         a+0(FP), SI
	MOVQ         y0+8(FP), DI
	MOVQ         y1+16(FP), R8
	MOVQ         z+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS x0+40(FP), Y14
	VBROADCASTSS x1+44(FP), Y15
	VMOVUPS      exp32NegInf<>(SB), Y0
	VMOVAPS      Y0, Y2
	XORQ         AX, AX

zp3loop:
	VMULPS  (DI)(AX*4), Y14, Y4
	VADDPS  (SI)(AX*4), Y4, Y4
	VMULPS  (R8)(AX*4), Y15, Y6
	VADDPS  Y6, Y4, Y4
	VMULPS  32(DI)(AX*4), Y14, Y5
	VADDPS  32(SI)(AX*4), Y5, Y5
	VMULPS  32(R8)(AX*4), Y15, Y7
	VADDPS  Y7, Y5, Y5
	VMOVUPS Y4, (R9)(AX*4)
	VMOVUPS Y5, 32(R9)(AX*4)
	VMAXPS  Y4, Y0, Y0
	VMAXPS  Y5, Y2, Y2
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     zp3loop

	VMAXPS Y2, Y0, Y0
	HMAX32
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func zPC2Max32x512(a, y0, y1, z *float32, n int, x0, x1 float32) float32
TEXT ·zPC2Max32x512(SB), NOSPLIT, $0-52
	MOVQ         a+0(FP), SI
	MOVQ         y0+8(FP), DI
	MOVQ         y1+16(FP), R8
	MOVQ         z+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS x0+40(FP), Z14
	VBROADCASTSS x1+44(FP), Z15
	VBROADCASTSS exp32NegInf<>(SB), Z0
	VMOVAPS      Z0, Z2
	XORQ         AX, AX

zp5loop:
	VMULPS  (DI)(AX*4), Z14, Z4
	VADDPS  (SI)(AX*4), Z4, Z4
	VMULPS  (R8)(AX*4), Z15, Z6
	VADDPS  Z6, Z4, Z4
	VMULPS  64(DI)(AX*4), Z14, Z5
	VADDPS  64(SI)(AX*4), Z5, Z5
	VMULPS  64(R8)(AX*4), Z15, Z7
	VADDPS  Z7, Z5, Z5
	VMOVUPS Z4, (R9)(AX*4)
	VMOVUPS Z5, 64(R9)(AX*4)
	VMAXPS  Z4, Z0, Z0
	VMAXPS  Z5, Z2, Z2
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     zp5loop

	VMAXPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	HMAX32
	VMOVSS        X0, ret+48(FP)
	VZEROUPPER
	RET

// DENSEEXP4 leaves in Z4, Z8, Z12, Z16 the exponentials expNeg32(z_j −
// shift) of the 64 terms at byte offset OFF, z_j = (h_j − c_j)·inv
// (zDenseExpSum32x512's registers), and folds the z_j into the running
// maximum Z28.
#define DENSEEXP4(OFF) \
	VMOVUPS OFF+0(DI)(AX*4), Z4; \
	VMOVUPS OFF+64(DI)(AX*4), Z8; \
	VMOVUPS OFF+128(DI)(AX*4), Z12; \
	VMOVUPS OFF+192(DI)(AX*4), Z16; \
	VSUBPS  OFF+0(SI)(AX*4), Z4, Z4; \
	VSUBPS  OFF+64(SI)(AX*4), Z8, Z8; \
	VSUBPS  OFF+128(SI)(AX*4), Z12, Z12; \
	VSUBPS  OFF+192(SI)(AX*4), Z16, Z16; \
	VMULPS  Z30, Z4, Z4; \
	VMULPS  Z30, Z8, Z8; \
	VMULPS  Z30, Z12, Z12; \
	VMULPS  Z30, Z16, Z16; \
	VMAXPS  Z4, Z28, Z28; \
	VMAXPS  Z8, Z28, Z28; \
	VMAXPS  Z12, Z28, Z28; \
	VMAXPS  Z16, Z28, Z28; \
	VSUBPS  Z31, Z4, Z4; \
	VSUBPS  Z31, Z8, Z8; \
	VSUBPS  Z31, Z12, Z12; \
	VSUBPS  Z31, Z16, Z16; \
	EXP32x512x4

// func zDenseExpSum32x512(c, h *float32, n int, inv, shift float32, sums *[16]float64, pf *float32) float32
// zDenseMax32 then expSum32 at the given shift (n a multiple of 32), in one
// pass: the exponents stay in registers, the loads of c overlap the exps,
// and four exps are interleaved (DENSEEXP4). The n floats at pf are prefetched. Returns the exponents' maximum.
TEXT ·zDenseExpSum32x512(SB), NOSPLIT, $0-52
	MOVQ         c+0(FP), SI
	MOVQ         h+8(FP), DI
	MOVQ         n+16(FP), CX
	VBROADCASTSS inv+24(FP), Z30
	VBROADCASTSS shift+28(FP), Z31
	MOVQ         sums+32(FP), DX
	MOVQ         pf+40(FP), R8
	VBROADCASTSS exp32NegInf<>(SB), Z28
	LOADEXP32TABLES
	VMOVUPD      0(DX), Z0
	VMOVUPD      64(DX), Z1
	MOVQ         CX, BX
	ANDQ         $-128, BX
	XORQ         AX, AX
	CMPQ         AX, BX
	JGE          f5dpairs

f5dloop8:
	PREFETCHT0    0(R8)(AX*4)
	PREFETCHT0    64(R8)(AX*4)
	PREFETCHT0    128(R8)(AX*4)
	PREFETCHT0    192(R8)(AX*4)
	PREFETCHT0    256(R8)(AX*4)
	PREFETCHT0    320(R8)(AX*4)
	PREFETCHT0    384(R8)(AX*4)
	PREFETCHT0    448(R8)(AX*4)
	DENSEEXP4(0)
	VADDPS        Z8, Z4, Z4
	VADDPS        Z16, Z12, Z12
	VADDPS        Z12, Z4, Z20
	DENSEEXP4(256)
	VADDPS        Z8, Z4, Z4
	VADDPS        Z16, Z12, Z12
	VADDPS        Z12, Z4, Z4
	VADDPS        Z4, Z20, Z4
	VCVTPS2PD     Y4, Z8
	VEXTRACTF64X4 $1, Z4, Y9
	VCVTPS2PD     Y9, Z9
	VADDPD        Z8, Z0, Z0
	VADDPD        Z9, Z1, Z1
	ADDQ          $128, AX
	CMPQ          AX, BX
	JLT           f5dloop8

f5dpairs:
	CMPQ          AX, CX
	JGE           f5ddone

f5dloop:
	PREFETCHT0    (R8)(AX*4)
	PREFETCHT0    64(R8)(AX*4)
	VMOVUPS       0(DI)(AX*4), Z4
	VSUBPS        0(SI)(AX*4), Z4, Z4
	VMULPS        Z30, Z4, Z4
	VMAXPS        Z4, Z28, Z28
	VSUBPS        Z31, Z4, Z4
	EXP32x512(Z4, Z5, Z6, Z7, K1)
	VMOVUPS       64(DI)(AX*4), Z10
	VSUBPS        64(SI)(AX*4), Z10, Z10
	VMULPS        Z30, Z10, Z10
	VMAXPS        Z10, Z28, Z28
	VSUBPS        Z31, Z10, Z10
	EXP32x512(Z10, Z11, Z12, Z13, K2)
	VADDPS        Z10, Z4, Z4
	VCVTPS2PD     Y4, Z8
	VEXTRACTF64X4 $1, Z4, Y9
	VCVTPS2PD     Y9, Z9
	VADDPD        Z8, Z0, Z0
	VADDPD        Z9, Z1, Z1
	ADDQ          $32, AX
	CMPQ          AX, CX
	JLT           f5dloop

f5ddone:
	VMOVUPD       Z0, 0(DX)
	VMOVUPD       Z1, 64(DX)
	VMOVAPS       Z28, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	HMAX32
	VMOVSS        X0, ret+48(FP)
	VZEROUPPER
	RET

// PC2EXP4 leaves in Z4, Z8, Z12, Z16 the exponentials e_j = expNeg32(z_j −
// shift) of the 64 terms at byte offset OFF of the block (zPC2ExpSum32x512's
// registers), z_j = (a_j + x0·y0_j) + x1·y1_j, and folds the z_j into the
// running maximum Z28.
#define PC2EXP4(OFF) \
	VMULPS      OFF+0(DI)(AX*4), Z29, Z4; \
	VMULPS      OFF+64(DI)(AX*4), Z29, Z8; \
	VMULPS      OFF+128(DI)(AX*4), Z29, Z12; \
	VMULPS      OFF+192(DI)(AX*4), Z29, Z16; \
	VADDPS      OFF+0(SI)(AX*4), Z4, Z4; \
	VADDPS      OFF+64(SI)(AX*4), Z8, Z8; \
	VADDPS      OFF+128(SI)(AX*4), Z12, Z12; \
	VADDPS      OFF+192(SI)(AX*4), Z16, Z16; \
	VMULPS      OFF+0(R8)(AX*4), Z30, Z5; \
	VMULPS      OFF+64(R8)(AX*4), Z30, Z9; \
	VMULPS      OFF+128(R8)(AX*4), Z30, Z13; \
	VMULPS      OFF+192(R8)(AX*4), Z30, Z17; \
	VADDPS      Z5, Z4, Z4; \
	VADDPS      Z9, Z8, Z8; \
	VADDPS      Z13, Z12, Z12; \
	VADDPS      Z17, Z16, Z16; \
	VMAXPS      Z4, Z28, Z28; \
	VMAXPS      Z8, Z28, Z28; \
	VMAXPS      Z12, Z28, Z28; \
	VMAXPS      Z16, Z28, Z28; \
	VSUBPS      Z31, Z4, Z4; \
	VSUBPS      Z31, Z8, Z8; \
	VSUBPS      Z31, Z12, Z12; \
	VSUBPS      Z31, Z16, Z16; \
	EXP32x512x4

// func zPC2ExpSum32x512(a, y0, y1 *float32, n int, x0, x1, shift float32, sums *[16]float64) float32
// zPC2Max32 then expSum32 at the given shift (n a multiple of 32), in one
// pass: the exponents stay in registers, and each group of 128 terms is two
// rounds of four interleaved exps (PC2EXP4), whose sums form expSum32's
// tree. Returns the exponents' maximum.
TEXT ·zPC2ExpSum32x512(SB), NOSPLIT, $0-60
	MOVQ         a+0(FP), SI
	MOVQ         y0+8(FP), DI
	MOVQ         y1+16(FP), R8
	MOVQ         n+24(FP), CX
	VBROADCASTSS x0+32(FP), Z29
	VBROADCASTSS x1+36(FP), Z30
	VBROADCASTSS shift+40(FP), Z31
	MOVQ         sums+48(FP), DX
	VBROADCASTSS exp32NegInf<>(SB), Z28
	LOADEXP32TABLES
	VMOVUPD      0(DX), Z0
	VMOVUPD      64(DX), Z1
	MOVQ         CX, BX
	ANDQ         $-128, BX
	XORQ         AX, AX
	CMPQ         AX, BX
	JGE          f5opairs

f5oloop8:
	PC2EXP4(0)
	VADDPS        Z8, Z4, Z4
	VADDPS        Z16, Z12, Z12
	VADDPS        Z12, Z4, Z20
	PC2EXP4(256)
	VADDPS        Z8, Z4, Z4
	VADDPS        Z16, Z12, Z12
	VADDPS        Z12, Z4, Z4
	VADDPS        Z4, Z20, Z4
	VCVTPS2PD     Y4, Z8
	VEXTRACTF64X4 $1, Z4, Y9
	VCVTPS2PD     Y9, Z9
	VADDPD        Z8, Z0, Z0
	VADDPD        Z9, Z1, Z1
	ADDQ          $128, AX
	CMPQ          AX, BX
	JLT           f5oloop8

f5opairs:
	CMPQ          AX, CX
	JGE           f5odone

f5oloop:
	VMULPS        0(DI)(AX*4), Z29, Z4
	VADDPS        0(SI)(AX*4), Z4, Z4
	VMULPS        0(R8)(AX*4), Z30, Z5
	VADDPS        Z5, Z4, Z4
	VMAXPS        Z4, Z28, Z28
	VSUBPS        Z31, Z4, Z4
	EXP32x512(Z4, Z5, Z6, Z7, K1)
	VMULPS        64(DI)(AX*4), Z29, Z10
	VADDPS        64(SI)(AX*4), Z10, Z10
	VMULPS        64(R8)(AX*4), Z30, Z11
	VADDPS        Z11, Z10, Z10
	VMAXPS        Z10, Z28, Z28
	VSUBPS        Z31, Z10, Z10
	EXP32x512(Z10, Z11, Z12, Z13, K2)
	VADDPS        Z10, Z4, Z4
	VCVTPS2PD     Y4, Z8
	VEXTRACTF64X4 $1, Z4, Y9
	VCVTPS2PD     Y9, Z9
	VADDPD        Z8, Z0, Z0
	VADDPD        Z9, Z1, Z1
	ADDQ          $32, AX
	CMPQ          AX, CX
	JLT           f5oloop

f5odone:
	VMOVUPD       Z0, 0(DX)
	VMOVUPD       Z1, 64(DX)
	VMOVAPS       Z28, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	HMAX32
	VMOVSS        X0, ret+56(FP)
	VZEROUPPER
	RET
