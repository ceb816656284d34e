//go:build !purego

#include "textflag.h"

// Row kernels of the streamed scaling form (scaling_rows.go). The dot
// products take n a multiple of 32 and keep 32 lanes (AVX-512: Z0 = lanes
// 0–7 … Z3 = 24–31; AVX2: Y0 = lanes 0–3 … Y7 = 28–31), read from and
// written back to acc, so the Go code finishes the row and adds the lanes
// in its order. The scaled row additions take n a multiple of 16.

// func dotRow64x512(k, v *float64, n int, acc *[32]float64)
TEXT ·dotRow64x512(SB), NOSPLIT, $0-32
	MOVQ    k+0(FP), SI
	MOVQ    v+8(FP), DI
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), DX
	VMOVUPD (DX), Z0
	VMOVUPD 64(DX), Z1
	VMOVUPD 128(DX), Z2
	VMOVUPD 192(DX), Z3
	XORQ    AX, AX

dotRow64x512loop:
	VMOVUPD     (SI)(AX*8), Z4
	VMOVUPD     64(SI)(AX*8), Z5
	VMOVUPD     128(SI)(AX*8), Z6
	VMOVUPD     192(SI)(AX*8), Z7
	VFMADD231PD (DI)(AX*8), Z4, Z0
	VFMADD231PD 64(DI)(AX*8), Z5, Z1
	VFMADD231PD 128(DI)(AX*8), Z6, Z2
	VFMADD231PD 192(DI)(AX*8), Z7, Z3
	ADDQ        $32, AX
	CMPQ        AX, CX
	JLT         dotRow64x512loop
	VMOVUPD     Z0, (DX)
	VMOVUPD     Z1, 64(DX)
	VMOVUPD     Z2, 128(DX)
	VMOVUPD     Z3, 192(DX)
	VZEROUPPER
	RET

// func dotRow32x512(k *float32, v *float64, n int, acc *[32]float64)
TEXT ·dotRow32x512(SB), NOSPLIT, $0-32
	MOVQ    k+0(FP), SI
	MOVQ    v+8(FP), DI
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), DX
	VMOVUPD (DX), Z0
	VMOVUPD 64(DX), Z1
	VMOVUPD 128(DX), Z2
	VMOVUPD 192(DX), Z3
	XORQ    AX, AX

dotRow32x512loop:
	VCVTPS2PD   (SI)(AX*4), Z4
	VCVTPS2PD   32(SI)(AX*4), Z5
	VCVTPS2PD   64(SI)(AX*4), Z6
	VCVTPS2PD   96(SI)(AX*4), Z7
	VFMADD231PD (DI)(AX*8), Z4, Z0
	VFMADD231PD 64(DI)(AX*8), Z5, Z1
	VFMADD231PD 128(DI)(AX*8), Z6, Z2
	VFMADD231PD 192(DI)(AX*8), Z7, Z3
	ADDQ        $32, AX
	CMPQ        AX, CX
	JLT         dotRow32x512loop
	VMOVUPD     Z0, (DX)
	VMOVUPD     Z1, 64(DX)
	VMOVUPD     Z2, 128(DX)
	VMOVUPD     Z3, 192(DX)
	VZEROUPPER
	RET

// func dotRow64AVX(k, v *float64, n int, acc *[32]float64)
TEXT ·dotRow64AVX(SB), NOSPLIT, $0-32
	MOVQ    k+0(FP), SI
	MOVQ    v+8(FP), DI
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), DX
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	VMOVUPD 96(DX), Y3
	VMOVUPD 128(DX), Y4
	VMOVUPD 160(DX), Y5
	VMOVUPD 192(DX), Y6
	VMOVUPD 224(DX), Y7
	XORQ    AX, AX

dotRow64AVXloop:
	VMOVUPD     (SI)(AX*8), Y8
	VMOVUPD     32(SI)(AX*8), Y9
	VMOVUPD     64(SI)(AX*8), Y10
	VMOVUPD     96(SI)(AX*8), Y11
	VMOVUPD     128(SI)(AX*8), Y12
	VMOVUPD     160(SI)(AX*8), Y13
	VMOVUPD     192(SI)(AX*8), Y14
	VMOVUPD     224(SI)(AX*8), Y15
	VFMADD231PD (DI)(AX*8), Y8, Y0
	VFMADD231PD 32(DI)(AX*8), Y9, Y1
	VFMADD231PD 64(DI)(AX*8), Y10, Y2
	VFMADD231PD 96(DI)(AX*8), Y11, Y3
	VFMADD231PD 128(DI)(AX*8), Y12, Y4
	VFMADD231PD 160(DI)(AX*8), Y13, Y5
	VFMADD231PD 192(DI)(AX*8), Y14, Y6
	VFMADD231PD 224(DI)(AX*8), Y15, Y7
	ADDQ        $32, AX
	CMPQ        AX, CX
	JLT         dotRow64AVXloop
	VMOVUPD     Y0, (DX)
	VMOVUPD     Y1, 32(DX)
	VMOVUPD     Y2, 64(DX)
	VMOVUPD     Y3, 96(DX)
	VMOVUPD     Y4, 128(DX)
	VMOVUPD     Y5, 160(DX)
	VMOVUPD     Y6, 192(DX)
	VMOVUPD     Y7, 224(DX)
	VZEROUPPER
	RET

// func dotRow32AVX(k *float32, v *float64, n int, acc *[32]float64)
TEXT ·dotRow32AVX(SB), NOSPLIT, $0-32
	MOVQ    k+0(FP), SI
	MOVQ    v+8(FP), DI
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), DX
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	VMOVUPD 96(DX), Y3
	VMOVUPD 128(DX), Y4
	VMOVUPD 160(DX), Y5
	VMOVUPD 192(DX), Y6
	VMOVUPD 224(DX), Y7
	XORQ    AX, AX

dotRow32AVXloop:
	VCVTPS2PD   (SI)(AX*4), Y8
	VCVTPS2PD   16(SI)(AX*4), Y9
	VCVTPS2PD   32(SI)(AX*4), Y10
	VCVTPS2PD   48(SI)(AX*4), Y11
	VCVTPS2PD   64(SI)(AX*4), Y12
	VCVTPS2PD   80(SI)(AX*4), Y13
	VCVTPS2PD   96(SI)(AX*4), Y14
	VCVTPS2PD   112(SI)(AX*4), Y15
	VFMADD231PD (DI)(AX*8), Y8, Y0
	VFMADD231PD 32(DI)(AX*8), Y9, Y1
	VFMADD231PD 64(DI)(AX*8), Y10, Y2
	VFMADD231PD 96(DI)(AX*8), Y11, Y3
	VFMADD231PD 128(DI)(AX*8), Y12, Y4
	VFMADD231PD 160(DI)(AX*8), Y13, Y5
	VFMADD231PD 192(DI)(AX*8), Y14, Y6
	VFMADD231PD 224(DI)(AX*8), Y15, Y7
	ADDQ        $32, AX
	CMPQ        AX, CX
	JLT         dotRow32AVXloop
	VMOVUPD     Y0, (DX)
	VMOVUPD     Y1, 32(DX)
	VMOVUPD     Y2, 64(DX)
	VMOVUPD     Y3, 96(DX)
	VMOVUPD     Y4, 128(DX)
	VMOVUPD     Y5, 160(DX)
	VMOVUPD     Y6, 192(DX)
	VMOVUPD     Y7, 224(DX)
	VZEROUPPER
	RET

// func axpyRow64x512(c, k *float64, n int, u float64)
TEXT ·axpyRow64x512(SB), NOSPLIT, $0-32
	MOVQ         c+0(FP), DI
	MOVQ         k+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD u+24(FP), Z0
	XORQ         AX, AX

a64x512:
	VMOVUPD     (DI)(AX*8), Z1
	VMOVUPD     64(DI)(AX*8), Z2
	VFMADD231PD (SI)(AX*8), Z0, Z1
	VFMADD231PD 64(SI)(AX*8), Z0, Z2
	VMOVUPD     Z1, (DI)(AX*8)
	VMOVUPD     Z2, 64(DI)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         a64x512
	VZEROUPPER
	RET

// func axpyRow32x512(c *float64, k *float32, n int, u float64)
TEXT ·axpyRow32x512(SB), NOSPLIT, $0-32
	MOVQ         c+0(FP), DI
	MOVQ         k+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD u+24(FP), Z0
	XORQ         AX, AX

a32x512:
	VCVTPS2PD   (SI)(AX*4), Z3
	VCVTPS2PD   32(SI)(AX*4), Z4
	VMOVUPD     (DI)(AX*8), Z1
	VMOVUPD     64(DI)(AX*8), Z2
	VFMADD231PD Z3, Z0, Z1
	VFMADD231PD Z4, Z0, Z2
	VMOVUPD     Z1, (DI)(AX*8)
	VMOVUPD     Z2, 64(DI)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         a32x512
	VZEROUPPER
	RET

// func axpyRow64AVX(c, k *float64, n int, u float64)
TEXT ·axpyRow64AVX(SB), NOSPLIT, $0-32
	MOVQ         c+0(FP), DI
	MOVQ         k+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD u+24(FP), Y0
	XORQ         AX, AX

a64avx:
	VMOVUPD     (DI)(AX*8), Y1
	VMOVUPD     32(DI)(AX*8), Y2
	VMOVUPD     64(DI)(AX*8), Y3
	VMOVUPD     96(DI)(AX*8), Y4
	VFMADD231PD (SI)(AX*8), Y0, Y1
	VFMADD231PD 32(SI)(AX*8), Y0, Y2
	VFMADD231PD 64(SI)(AX*8), Y0, Y3
	VFMADD231PD 96(SI)(AX*8), Y0, Y4
	VMOVUPD     Y1, (DI)(AX*8)
	VMOVUPD     Y2, 32(DI)(AX*8)
	VMOVUPD     Y3, 64(DI)(AX*8)
	VMOVUPD     Y4, 96(DI)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         a64avx
	VZEROUPPER
	RET

// func axpyRow32AVX(c *float64, k *float32, n int, u float64)
TEXT ·axpyRow32AVX(SB), NOSPLIT, $0-32
	MOVQ         c+0(FP), DI
	MOVQ         k+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD u+24(FP), Y0
	XORQ         AX, AX

a32avx:
	VCVTPS2PD   (SI)(AX*4), Y5
	VCVTPS2PD   16(SI)(AX*4), Y6
	VCVTPS2PD   32(SI)(AX*4), Y7
	VCVTPS2PD   48(SI)(AX*4), Y8
	VMOVUPD     (DI)(AX*8), Y1
	VMOVUPD     32(DI)(AX*8), Y2
	VMOVUPD     64(DI)(AX*8), Y3
	VMOVUPD     96(DI)(AX*8), Y4
	VFMADD231PD Y5, Y0, Y1
	VFMADD231PD Y6, Y0, Y2
	VFMADD231PD Y7, Y0, Y3
	VFMADD231PD Y8, Y0, Y4
	VMOVUPD     Y1, (DI)(AX*8)
	VMOVUPD     Y2, 32(DI)(AX*8)
	VMOVUPD     Y3, 64(DI)(AX*8)
	VMOVUPD     Y4, 96(DI)(AX*8)
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         a32avx
	VZEROUPPER
	RET

// func toFloat32x512(dst *float32, src *float64, n int)
// dst_j = float32(src_j) (round to nearest even); n a multiple of 16.
TEXT ·toFloat32x512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

f32x512:
	VMOVUPD   (SI)(AX*8), Z0
	VMOVUPD   64(SI)(AX*8), Z1
	VCVTPD2PS Z0, Y2
	VCVTPD2PS Z1, Y3
	VMOVUPS   Y2, (DI)(AX*4)
	VMOVUPS   Y3, 32(DI)(AX*4)
	ADDQ      $16, AX
	CMPQ      AX, CX
	JLT       f32x512
	VZEROUPPER
	RET

// func toFloat32AVX(dst *float32, src *float64, n int)
// toFloat32x512 on YMM registers; n a multiple of 16.
TEXT ·toFloat32AVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

f32avx:
	VMOVUPD    (SI)(AX*8), Y0
	VMOVUPD    32(SI)(AX*8), Y1
	VMOVUPD    64(SI)(AX*8), Y2
	VMOVUPD    96(SI)(AX*8), Y3
	VCVTPD2PSY Y0, X4
	VCVTPD2PSY Y1, X5
	VCVTPD2PSY Y2, X6
	VCVTPD2PSY Y3, X7
	VMOVUPS    X4, (DI)(AX*4)
	VMOVUPS    X5, 16(DI)(AX*4)
	VMOVUPS    X6, 32(DI)(AX*4)
	VMOVUPS    X7, 48(DI)(AX*4)
	ADDQ       $16, AX
	CMPQ       AX, CX
	JLT        f32avx
	VZEROUPPER
	RET
