#include "textflag.h"
// AVX-512 elementwise loops (see kernel_amd64.go): the AVX2 loops of
// kernel_amd64.s with 16 floats (8 doubles) a register, the same operations
// in the same order, so the same bits.

// func saxpy512(a float32, x, y *float32, n int)
// y[i] += a·x[i] for i < n (a multiple of 64), one FMA each.
TEXT ·saxpy512(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Z0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $6, CX
	JZ saxpy512done

saxpy512loop:
	VMOVUPS (SI), Z1
	VMOVUPS 64(SI), Z2
	VMOVUPS 128(SI), Z3
	VMOVUPS 192(SI), Z4
	VFMADD213PS (DI), Z0, Z1
	VFMADD213PS 64(DI), Z0, Z2
	VFMADD213PS 128(DI), Z0, Z3
	VFMADD213PS 192(DI), Z0, Z4
	VMOVUPS Z1, (DI)
	VMOVUPS Z2, 64(DI)
	VMOVUPS Z3, 128(DI)
	VMOVUPS Z4, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ saxpy512loop

saxpy512done:
	VZEROUPPER
	RET

// func relu512(dst, src *float32, n int)
// dst[i] = max(src[i], 0) for i < n (a multiple of 32), as reluAVX: NaN stays
// NaN, -0 becomes +0.
TEXT ·relu512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $5, CX
	JZ relu512done
	VPXORD Z15, Z15, Z15

relu512loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMAXPS Z0, Z15, Z0
	VMAXPS Z1, Z15, Z1
	VADDPS Z15, Z0, Z0
	VADDPS Z15, Z1, Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ relu512loop

relu512done:
	VZEROUPPER
	RET

// func reluGrad512(dst, x, grad *float32, n int)
// dst[i] = g[i] where x[i] > 0, else +0, for i < n (a multiple of 32): the
// comparison sets a mask, and a zero-masking move copies g's bits.
TEXT ·reluGrad512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ reluGrad512done
	VPXORD Z15, Z15, Z15

reluGrad512loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VCMPPS $0x1e, Z15, Z0, K1
	VCMPPS $0x1e, Z15, Z1, K2
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS.Z 64(DX), K2, Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ reluGrad512loop

reluGrad512done:
	VZEROUPPER
	RET

// func adam512(p, grad *float32, m, v *float64, n int, c *adamConsts)
// One Adam update of n elements (a multiple of 8), eight doubles at a time,
// each operation rounded as adamGo does it (no FMA).
TEXT ·adam512(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), SI
	MOVQ grad+8(FP), DX
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSD 0(AX), Z8   // decay
	VBROADCASTSD 8(AX), Z9   // b1
	VBROADCASTSD 16(AX), Z10 // 1-b1
	VBROADCASTSD 24(AX), Z11 // b2
	VBROADCASTSD 32(AX), Z12 // 1-b2
	VBROADCASTSD 40(AX), Z13 // step size
	VBROADCASTSD 48(AX), Z14 // sqrt(1-b2^t)
	VBROADCASTSD 56(AX), Z15 // eps
	SHRQ $3, CX
	JZ adam512done

adam512loop:
	VCVTPS2PD (SI), Z0       // p
	VCVTPS2PD (DX), Z1       // g
	VMULPD Z8, Z0, Z0        // p·decay
	VMULPD (R8), Z9, Z2      // b1·m
	VMULPD Z1, Z10, Z3       // (1-b1)·g
	VADDPD Z3, Z2, Z2        // m
	VMOVUPD Z2, (R8)
	VMULPD (R9), Z11, Z4     // b2·v
	VMULPD Z1, Z12, Z5       // (1-b2)·g
	VMULPD Z1, Z5, Z5        // ·g
	VADDPD Z5, Z4, Z4        // v
	VMOVUPD Z4, (R9)
	VSQRTPD Z4, Z6
	VDIVPD Z14, Z6, Z6       // √v / bc2
	VADDPD Z15, Z6, Z6       // + eps
	VMULPD Z2, Z13, Z7       // step·m
	VDIVPD Z6, Z7, Z7        // / denominator
	VSUBPD Z7, Z0, Z0        // p - …
	VCVTPD2PS Z0, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ adam512loop

adam512done:
	VZEROUPPER
	RET

// One pass of arith512: 32 floats of a (SI) op b (DX) into DI per iteration.
#define ARITH512LOOP(INSTR, L) \
L: \
	VMOVUPS (SI), Z0; \
	VMOVUPS 64(SI), Z1; \
	INSTR (DX), Z0, Z0; \
	INSTR 64(DX), Z1, Z1; \
	VMOVUPS Z0, (DI); \
	VMOVUPS Z1, 64(DI); \
	ADDQ $128, SI; \
	ADDQ $128, DX; \
	ADDQ $128, DI; \
	DECQ CX; \
	JNZ L; \
	JMP arith512done

// func arith512(op int, dst, a, b *float32, n int)
// dst[i] = a[i] op b[i] for i < n (a multiple of 32); op as in arith.go.
TEXT ·arith512(SB), NOSPLIT, $0-40
	MOVQ op+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ n+32(FP), CX
	SHRQ $5, CX
	JZ arith512done
	CMPQ AX, $1
	JEQ arith512sub
	CMPQ AX, $2
	JEQ arith512mul
	CMPQ AX, $3
	JEQ arith512div
	ARITH512LOOP(VADDPS, arith512add)
arith512sub:
	ARITH512LOOP(VSUBPS, arith512subloop)
arith512mul:
	ARITH512LOOP(VMULPS, arith512mulloop)
arith512div:
	ARITH512LOOP(VDIVPS, arith512divloop)

arith512done:
	VZEROUPPER
	RET
