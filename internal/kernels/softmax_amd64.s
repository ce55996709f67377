#include "textflag.h"

// The loops of softmax.go in AVX2: eight floats per iteration; the float64
// sum in two 4-wide registers, lanes 0-3 and 4-7, as norm.go's lanes. The
// products of two float32s are exact in float64, so each lane's addition
// rounds once, as in the Go loop.

// func dotLanesAVX(a, b *float32, n int, l *lanes)
TEXT ·dotLanesAVX(SB), NOSPLIT, $0-32
	MOVQ    a+0(FP), SI
	MOVQ    b+8(FP), DX
	MOVQ    n+16(FP), CX
	MOVQ    l+24(FP), DI
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y2
	SHRQ    $3, CX
	JZ      dotdone

dotloop:
	VCVTPS2PD (SI), Y1
	VCVTPS2PD 16(SI), Y3
	VCVTPS2PD (DX), Y4
	VCVTPS2PD 16(DX), Y5
	VMULPD    Y4, Y1, Y1
	VMULPD    Y5, Y3, Y3
	VADDPD    Y1, Y0, Y0
	VADDPD    Y3, Y2, Y2
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       dotloop

dotdone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	VZEROUPPER
	RET

// func subMulAVX(dst, y, grad *float32, n int, s float32)
// dst = y·(grad − s)
TEXT ·subMulAVX(SB), NOSPLIT, $0-36
	MOVQ         dst+0(FP), DI
	MOVQ         y+8(FP), SI
	MOVQ         grad+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS s+32(FP), Y6
	SHRQ         $3, CX
	JZ           smdone

smloop:
	VMOVUPS (DX), Y0
	VSUBPS  Y6, Y0, Y0
	VMULPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     smloop

smdone:
	VZEROUPPER
	RET

// func subScaledAVX(dst, grad, e *float32, n int, s float32)
// dst = grad − e·s
TEXT ·subScaledAVX(SB), NOSPLIT, $0-36
	MOVQ         dst+0(FP), DI
	MOVQ         grad+8(FP), DX
	MOVQ         e+16(FP), SI
	MOVQ         n+24(FP), CX
	VBROADCASTSS s+32(FP), Y6
	SHRQ         $3, CX
	JZ           ssdone

ssloop:
	VMULPS  (SI), Y6, Y0
	VMOVUPS (DX), Y1
	VSUBPS  Y0, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     ssloop

ssdone:
	VZEROUPPER
	RET
