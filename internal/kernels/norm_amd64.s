#include "textflag.h"

// The loops of norm.go in AVX2: eight floats per iteration; float64 sums in
// two 4-wide registers, lanes 0-3 and 4-7, as norm.go's lanes. No fused
// multiply-adds: every operation rounds as the Go loops' do.

// func sumLanesAVX(x *float32, n int, l *lanes)
TEXT ·sumLanesAVX(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ l+16(FP), DI
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y2
	SHRQ $3, CX
	JZ   sumdone

sumloop:
	VCVTPS2PD (SI), Y1
	VCVTPS2PD 16(SI), Y3
	VADDPD    Y1, Y0, Y0
	VADDPD    Y3, Y2, Y2
	ADDQ      $32, SI
	DECQ      CX
	JNZ       sumloop

sumdone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	VZEROUPPER
	RET

// func sqDevLanesAVX(x *float32, n int, mu float64, l *lanes)
TEXT ·sqDevLanesAVX(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD mu+16(FP), Y6
	MOVQ         l+24(FP), DI
	VMOVUPD      (DI), Y0
	VMOVUPD      32(DI), Y2
	SHRQ         $3, CX
	JZ           sqdone

sqloop:
	VCVTPS2PD (SI), Y1
	VCVTPS2PD 16(SI), Y3
	VSUBPD    Y6, Y1, Y1
	VSUBPD    Y6, Y3, Y3
	VMULPD    Y1, Y1, Y1
	VMULPD    Y3, Y3, Y3
	VADDPD    Y1, Y0, Y0
	VADDPD    Y3, Y2, Y2
	ADDQ      $32, SI
	DECQ      CX
	JNZ       sqloop

sqdone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	VZEROUPPER
	RET

// func normRowAVX(y, x, w, b *float32, n int, m, q float32)
// y = (x - m)·q·w + b
TEXT ·normRowAVX(SB), NOSPLIT, $0-48
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         b+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS m+40(FP), Y6
	VBROADCASTSS q+44(FP), Y7
	SHRQ         $3, CX
	JZ           rowdone

rowloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y6, Y0, Y0
	VMULPS  Y7, Y0, Y0
	VMULPS  (R8), Y0, Y0
	VADDPS  (R9), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNZ     rowloop

rowdone:
	VZEROUPPER
	RET

// func normGradRowAVX(h, x, grad, w, gw, gb *float32, n int, m, q float32, ls, lx *lanes)
// x̂ = (x - m)·q; gw += g·x̂; gb += g; h = g·w; ls += h; lx += h·x̂
TEXT ·normGradRowAVX(SB), NOSPLIT, $0-80
	MOVQ         h+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         grad+16(FP), DX
	MOVQ         w+24(FP), R8
	MOVQ         gw+32(FP), R10
	MOVQ         gb+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSS m+56(FP), Y6
	VBROADCASTSS q+60(FP), Y7
	MOVQ         ls+64(FP), R12
	MOVQ         lx+72(FP), R13
	VMOVUPD      (R12), Y10
	VMOVUPD      32(R12), Y11
	VMOVUPD      (R13), Y12
	VMOVUPD      32(R13), Y13
	SHRQ         $3, CX
	JZ           graddone

gradloop:
	VMOVUPS      (SI), Y0
	VSUBPS       Y6, Y0, Y0   // x - m
	VMULPS       Y7, Y0, Y0   // x̂
	VMOVUPS      (DX), Y1     // g
	VMULPS       Y0, Y1, Y2   // g·x̂
	VADDPS       (R10), Y2, Y2
	VMOVUPS      Y2, (R10)    // gw += g·x̂
	VADDPS       (R11), Y1, Y3
	VMOVUPS      Y3, (R11)    // gb += g
	VMULPS       (R8), Y1, Y1 // h = g·w
	VMOVUPS      Y1, (DI)
	VMULPS       Y0, Y1, Y4   // h·x̂
	VCVTPS2PD    X1, Y5
	VEXTRACTF128 $1, Y1, X8
	VCVTPS2PD    X8, Y8
	VADDPD       Y5, Y10, Y10
	VADDPD       Y8, Y11, Y11
	VCVTPS2PD    X4, Y5
	VEXTRACTF128 $1, Y4, X8
	VCVTPS2PD    X8, Y8
	VADDPD       Y5, Y12, Y12
	VADDPD       Y8, Y13, Y13
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, DI
	ADDQ         $32, R8
	ADDQ         $32, R10
	ADDQ         $32, R11
	DECQ         CX
	JNZ          gradloop

graddone:
	VMOVUPD Y10, (R12)
	VMOVUPD Y11, 32(R12)
	VMOVUPD Y12, (R13)
	VMOVUPD Y13, 32(R13)
	VZEROUPPER
	RET

// func normGradOutAVX(h, x *float32, n int, m, q, a, c float32)
// h = q·(h - a - x̂·c), x̂ = (x - m)·q
TEXT ·normGradOutAVX(SB), NOSPLIT, $0-40
	MOVQ         h+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS m+24(FP), Y6
	VBROADCASTSS q+28(FP), Y7
	VBROADCASTSS a+32(FP), Y8
	VBROADCASTSS c+36(FP), Y9
	SHRQ         $3, CX
	JZ           outdone

outloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y6, Y0, Y0 // x - m
	VMULPS  Y7, Y0, Y0 // x̂
	VMULPS  Y9, Y0, Y0 // x̂·c
	VMOVUPS (DI), Y1
	VSUBPS  Y8, Y1, Y1 // h - a
	VSUBPS  Y0, Y1, Y1 // h - a - x̂·c
	VMULPS  Y7, Y1, Y1 // q·(…)
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     outloop

outdone:
	VZEROUPPER
	RET
