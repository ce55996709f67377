#include "textflag.h"

// The float32 exp, log, tanh, sigmoid and GELU kernels of vmath.go and gelu.go in AVX2+FMA
// (8 lanes, ymm) and AVX-512 (16 lanes, zmm). Each macro performs, lane by
// lane, exactly the float32 operations of its Go function (exp1, log1,
// tanh1, sigmoid1, gelu1, geluDeriv1), so every path gives the same bits.

// K defines a constant as 16 copies of its bits (64 bytes: a full ymm or zmm
// memory operand).
#define K(name, bits) \
	DATA name<>+0(SB)/4, $bits; \
	DATA name<>+4(SB)/4, $bits; \
	DATA name<>+8(SB)/4, $bits; \
	DATA name<>+12(SB)/4, $bits; \
	DATA name<>+16(SB)/4, $bits; \
	DATA name<>+20(SB)/4, $bits; \
	DATA name<>+24(SB)/4, $bits; \
	DATA name<>+28(SB)/4, $bits; \
	DATA name<>+32(SB)/4, $bits; \
	DATA name<>+36(SB)/4, $bits; \
	DATA name<>+40(SB)/4, $bits; \
	DATA name<>+44(SB)/4, $bits; \
	DATA name<>+48(SB)/4, $bits; \
	DATA name<>+52(SB)/4, $bits; \
	DATA name<>+56(SB)/4, $bits; \
	DATA name<>+60(SB)/4, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $64

// The constants of vmath.go, as float32 bits.
K(vmExpHi, 0x42b20000)    // 89
K(vmExpLo, 0xc2d00000)    // -104
K(vmLog2e, 0x3fb8aa3b)
K(vmLn2Hi, 0x3f318000)    // 0.693359375
K(vmLn2Lo, 0xb95e8083)    // -2.12194440e-4
K(vmExpC6, 0x39506967)
K(vmExpC5, 0x3ab743ce)
K(vmExpC4, 0x3c088908)
K(vmExpC3, 0x3d2aa9c1)
K(vmExpC2, 0x3e2aaaaa)
K(vmExpC1, 0x3f000000)
K(vmOne, 0x3f800000)
K(vmTwo, 0x40000000)
K(vmBias, 0x0000007f)     // int32 127
K(vmMinNorm, 0x00800000)  // 2^-126
K(vmTwo23, 0x4b000000)    // 2^23
K(vmC23, 0x41b80000)      // 23
K(vmI126, 0x0000007e)     // int32 126
K(vmMantMask, 0x007fffff)
K(vmHalf, 0x3f000000)
K(vmSqrtHalf, 0x3f3504f3)
K(vmLogC0, 0x3d9021bb)
K(vmLogC1, 0xbdebd1b8)
K(vmLogC2, 0x3def251a)
K(vmLogC3, 0xbdfe5d4f)
K(vmLogC4, 0x3e11e9bf)
K(vmLogC5, 0xbe2aae50)
K(vmLogC6, 0x3e4cceac)
K(vmLogC7, 0xbe7ffffc)
K(vmLogC8, 0x3eaaaaaa)
K(vmMHalf, 0xbf000000)    // -0.5
K(vmPosInf, 0x7f800000)
K(vmNegInf, 0xff800000)
K(vmQNaN, 0x7fc00000)
K(vmAbsMask, 0x7fffffff)
K(vmSignMask, 0x80000000)
K(vmTanhCut, 0x3f200000)  // 0.625
K(vmTanhC0, 0xbbbaf0ea)
K(vmTanhC1, 0x3ca9134e)
K(vmTanhC2, 0xbd5c1e2d)
K(vmTanhC3, 0x3e088393)
K(vmTanhC4, 0xbeaaaa99)
K(vmQuiet, 0x00400000)
K(vmG20, 0x41a00000)      // 20
K(vmM20, 0xc1a00000)      // -20
K(vmG12, 0x41400000)      // 12 (tailFrom)
K(vmM12, 0xc1400000)      // -12
K(vmG44, 0x42300000)      // 44
K(vmThree, 0x40400000)    // 3
K(vmHiMask, 0xfffff000)
K(vmInvSqrt2Pi, 0x3ecc422a)
K(vmTailScale, 0x1fb7ba0f) // e^-44
K(vmMillsP0, 0x3eaaaaca)
K(vmMillsP1, 0x3eaaa73a)
K(vmMillsP2, 0x3e97dd46)
K(vmMillsP3, 0x3e617af0)
K(vmMillsP4, 0x3e05a95e)
K(vmMillsP5, 0x3c8c562b)
K(vmMillsP6, 0xbdb715bb)
K(vmMillsP7, 0x3e40ef49)
K(vmMillsP8, 0xbf23df28)
K(vmMillsP9, 0x3f672e67)
K(vmMillsP10, 0xbf225972)
K(vmMillsP11, 0x3e6a2ff2)
K(vmMillsP12, 0xbd0c51d5)

// ---- AVX2 ----

// EXPCONSTS loads EXP8's register constants.
#define EXPCONSTS \
	VMOVUPS vmExpHi<>(SB), Y15; \
	VMOVUPS vmExpLo<>(SB), Y14; \
	VMOVUPS vmLog2e<>(SB), Y13; \
	VMOVUPS vmOne<>(SB), Y12; \
	VMOVUPS vmBias<>(SB), Y11

// EXP8 sets x = e^x (exp1) in 8 lanes; n, r, p, t are clobbered.
#define EXP8(x, n, r, p, t) \
	VMAXPS x, Y14, x; \
	VMINPS x, Y15, x; \
	VMULPS Y13, x, n; \
	VROUNDPS $0, n, n; \
	VMOVAPS x, r; \
	VFNMADD231PS vmLn2Hi<>(SB), n, r; \
	VFNMADD231PS vmLn2Lo<>(SB), n, r; \
	VMOVUPS vmExpC6<>(SB), p; \
	VFMADD213PS vmExpC5<>(SB), r, p; \
	VFMADD213PS vmExpC4<>(SB), r, p; \
	VFMADD213PS vmExpC3<>(SB), r, p; \
	VFMADD213PS vmExpC2<>(SB), r, p; \
	VFMADD213PS vmExpC1<>(SB), r, p; \
	VMULPS r, r, t; \
	VFMADD213PS r, t, p; \
	VADDPS Y12, p, p; \
	VCVTPS2DQ n, n; \
	VPSRAD $1, n, t; \
	VPSUBD t, n, n; \
	VPADDD Y11, t, t; \
	VPSLLD $23, t, t; \
	VPADDD Y11, n, n; \
	VPSLLD $23, n, n; \
	VMULPS t, p, p; \
	VMULPS n, p, x

// LOG8 sets Y0 = ln Y0 (log1) in 8 lanes; Y1..Y9 are clobbered.
#define LOG8 \
	VCMPPS $0x11, vmMinNorm<>(SB), Y0, Y1; \
	VMULPS vmTwo23<>(SB), Y0, Y2; \
	VBLENDVPS Y1, Y2, Y0, Y3; \
	VANDPS vmC23<>(SB), Y1, Y4; \
	VPSRLD $23, Y3, Y5; \
	VPSUBD vmI126<>(SB), Y5, Y5; \
	VCVTDQ2PS Y5, Y5; \
	VSUBPS Y4, Y5, Y5; \
	VANDPS vmMantMask<>(SB), Y3, Y6; \
	VORPS vmHalf<>(SB), Y6, Y6; \
	VCMPPS $0x11, vmSqrtHalf<>(SB), Y6, Y7; \
	VANDPS Y12, Y7, Y8; \
	VSUBPS Y8, Y5, Y5; \
	VANDPS Y6, Y7, Y8; \
	VADDPS Y8, Y6, Y6; \
	VSUBPS Y12, Y6, Y6; \
	VMULPS Y6, Y6, Y7; \
	VMOVUPS vmLogC0<>(SB), Y8; \
	VFMADD213PS vmLogC1<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC2<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC3<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC4<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC5<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC6<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC7<>(SB), Y6, Y8; \
	VFMADD213PS vmLogC8<>(SB), Y6, Y8; \
	VMULPS Y6, Y8, Y8; \
	VMULPS Y7, Y8, Y8; \
	VFMADD231PS vmLn2Lo<>(SB), Y5, Y8; \
	VFMADD231PS vmMHalf<>(SB), Y7, Y8; \
	VADDPS Y8, Y6, Y8; \
	VFMADD231PS vmLn2Hi<>(SB), Y5, Y8; \
	VCMPPS $0, vmPosInf<>(SB), Y0, Y1; \
	VCMPPS $3, Y0, Y0, Y2; \
	VORPS Y2, Y1, Y1; \
	VBLENDVPS Y1, Y0, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VCMPPS $0, Y9, Y0, Y1; \
	VBLENDVPS Y1, vmNegInf<>(SB), Y8, Y8; \
	VCMPPS $0x11, Y9, Y0, Y1; \
	VBLENDVPS Y1, vmQNaN<>(SB), Y8, Y0

// TANH8 sets Y0 = tanh Y0 (tanh1) in 8 lanes; Y1..Y9 are clobbered.
#define TANH8 \
	VANDPS vmAbsMask<>(SB), Y0, Y1; \
	VANDPS vmSignMask<>(SB), Y0, Y2; \
	VMULPS Y1, Y1, Y3; \
	VMOVUPS vmTanhC0<>(SB), Y4; \
	VFMADD213PS vmTanhC1<>(SB), Y3, Y4; \
	VFMADD213PS vmTanhC2<>(SB), Y3, Y4; \
	VFMADD213PS vmTanhC3<>(SB), Y3, Y4; \
	VFMADD213PS vmTanhC4<>(SB), Y3, Y4; \
	VMULPS Y3, Y4, Y4; \
	VFMADD213PS Y1, Y1, Y4; \
	VADDPS Y1, Y1, Y5; \
	EXP8(Y5, Y6, Y7, Y8, Y9); \
	VADDPS Y12, Y5, Y5; \
	VMOVUPS vmTwo<>(SB), Y6; \
	VDIVPS Y5, Y6, Y6; \
	VSUBPS Y6, Y12, Y7; \
	VCMPPS $0x11, vmTanhCut<>(SB), Y1, Y8; \
	VBLENDVPS Y8, Y4, Y7, Y7; \
	VORPS Y2, Y7, Y0

// SIGMOID8 sets Y0 = 1/(1+e^-Y0) (sigmoid1) in 8 lanes; Y1..Y5 are clobbered.
#define SIGMOID8 \
	VORPS vmSignMask<>(SB), Y0, Y1; \
	EXP8(Y1, Y2, Y3, Y4, Y5); \
	VADDPS Y12, Y1, Y2; \
	VXORPS Y3, Y3, Y3; \
	VCMPPS $0x11, Y3, Y0, Y4; \
	VBLENDVPS Y4, Y1, Y12, Y5; \
	VDIVPS Y2, Y5, Y0

// NORMTAIL8 sets Y3 = q and Y4 = d of normTail(Y0) (gelu.go) in 8 lanes;
// Y1, Y2, Y5..Y9 are clobbered.
#define NORMTAIL8 \
	VANDPS vmAbsMask<>(SB), Y0, Y1; \
	VMINPS vmG20<>(SB), Y1, Y1; \
	VADDPS vmThree<>(SB), Y1, Y2; \
	VMOVUPS vmThree<>(SB), Y3; \
	VDIVPS Y2, Y3, Y2; \
	VMULPS vmMillsP12<>(SB), Y2, Y3; \
	VADDPS vmMillsP11<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP10<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP9<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP8<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP7<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP6<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP5<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP4<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP3<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP2<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP1<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VADDPS vmMillsP0<>(SB), Y3, Y3; \
	VMULPS Y2, Y3, Y3; \
	VANDPS vmHiMask<>(SB), Y1, Y2; \
	VSUBPS Y2, Y1, Y5; \
	VMULPS Y2, Y2, Y4; \
	VMULPS vmMHalf<>(SB), Y4, Y4; \
	VCMPPS $0x1d, vmG12<>(SB), Y1, Y6; \
	VANDPS vmG44<>(SB), Y6, Y6; \
	VADDPS Y6, Y4, Y4; \
	VADDPS Y2, Y1, Y6; \
	VMULPS Y6, Y5, Y5; \
	VMULPS vmMHalf<>(SB), Y5, Y5; \
	EXP8(Y4, Y6, Y7, Y8, Y9); \
	EXP8(Y5, Y6, Y7, Y8, Y9); \
	VMULPS Y5, Y4, Y4; \
	VMULPS vmInvSqrt2Pi<>(SB), Y4, Y4; \
	VMULPS Y4, Y3, Y3

// GELU8 sets Y0 = gelu1(Y0) in 8 lanes (the branches of gelu1 as blends;
// t + 0 where gelu1 adds nothing to t is the same t, or +0 for −0, whose
// exponential is the same 1); Y1..Y9 are clobbered.
#define GELU8 \
	NORMTAIL8; \
	VMULPS Y3, Y0, Y5; \
	VMULPS vmTailScale<>(SB), Y5, Y6; \
	VSUBPS Y3, Y12, Y7; \
	VMULPS Y7, Y0, Y7; \
	VXORPS Y8, Y8, Y8; \
	VCMPPS $0x11, Y8, Y0, Y9; \
	VBLENDVPS Y9, Y5, Y7, Y7; \
	VCMPPS $0x12, vmM12<>(SB), Y0, Y9; \
	VBLENDVPS Y9, Y6, Y7, Y7; \
	VCMPPS $3, Y0, Y0, Y9; \
	VORPS vmQuiet<>(SB), Y0, Y8; \
	VBLENDVPS Y9, Y8, Y7, Y0

// GELUGRAD8 sets Y0 = mulGrad(Y10, geluDeriv1(Y0)) in 8 lanes; Y1..Y9 are
// clobbered.
#define GELUGRAD8 \
	NORMTAIL8; \
	VMAXPS vmM20<>(SB), Y0, Y5; \
	VMULPS Y4, Y5, Y5; \
	VADDPS Y5, Y3, Y5; \
	VMULPS vmTailScale<>(SB), Y5, Y5; \
	VMULPS Y4, Y0, Y6; \
	VADDPS Y6, Y3, Y7; \
	VSUBPS Y3, Y12, Y8; \
	VADDPS Y6, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VCMPPS $0x11, Y9, Y0, Y9; \
	VBLENDVPS Y9, Y7, Y8, Y8; \
	VCMPPS $0x1d, vmG12<>(SB), Y0, Y9; \
	VBLENDVPS Y9, Y12, Y8, Y8; \
	VCMPPS $0x12, vmM12<>(SB), Y0, Y9; \
	VBLENDVPS Y9, Y5, Y8, Y8; \
	VCMPPS $3, Y0, Y0, Y9; \
	VORPS vmQuiet<>(SB), Y0, Y7; \
	VBLENDVPS Y9, Y7, Y8, Y8; \
	VMULPS Y8, Y10, Y0

// MAP8 is the loop of an elementwise kernel: body maps Y0 to Y0, 8 lanes at
// a time, from src (SI) to dst (DI), n (CX) a multiple of 8.
#define MAP8(body, loop, done) \
	MOVQ dst+0(FP), DI; \
	MOVQ src+8(FP), SI; \
	MOVQ n+16(FP), CX; \
	SHRQ $3, CX; \
	JZ done; \
	EXPCONSTS; \
loop: \
	VMOVUPS (SI), Y0; \
	body; \
	VMOVUPS Y0, (DI); \
	ADDQ $32, SI; \
	ADDQ $32, DI; \
	DECQ CX; \
	JNZ loop; \
done: \
	VZEROUPPER; \
	RET

#define EXP8Y0 EXP8(Y0, Y1, Y2, Y3, Y4)

// func expAVX2(dst, src *float32, n int)
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MAP8(EXP8Y0, exploop, expdone)

// func logAVX2(dst, src *float32, n int)
TEXT ·logAVX2(SB), NOSPLIT, $0-24
	MAP8(LOG8, logloop, logdone)

// func tanhAVX2(dst, src *float32, n int)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MAP8(TANH8, tanhloop, tanhdone)

// func sigmoidAVX2(dst, src *float32, n int)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MAP8(SIGMOID8, sigloop, sigdone)

// func geluAVX2(dst, src *float32, n int)
TEXT ·geluAVX2(SB), NOSPLIT, $0-24
	MAP8(GELU8, geluloop, geludone)

// func geluGradAVX2(dst, grad, x *float32, n int)
// dst[i] = mulGrad(grad[i], geluDeriv1(x[i])) for i < n, a multiple of 8.
TEXT ·geluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ grad+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ ggdone
	EXPCONSTS

ggloop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y10
	GELUGRAD8
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ ggloop

ggdone:
	VZEROUPPER
	RET

// func maxAVX2(x *float32, n int, lanes *[16]float32)
// lanes[i%16] = MAXPS(lanes[i%16], x[i]) for i < n, a multiple of 16.
TEXT ·maxAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lanes+16(FP), AX
	SHRQ $4, CX
	JZ maxdone
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1

maxloop:
	VMAXPS (SI), Y0, Y0
	VMAXPS 32(SI), Y1, Y1
	ADDQ $64, SI
	DECQ CX
	JNZ maxloop
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)

maxdone:
	VZEROUPPER
	RET

// func sumAVX2(x *float32, n int, lanes *[16]float32)
// lanes[i%16] += x[i] for i < n, a multiple of 16.
TEXT ·sumAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lanes+16(FP), AX
	SHRQ $4, CX
	JZ sumdone
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1

sumloop:
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	ADDQ $64, SI
	DECQ CX
	JNZ sumloop
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)

sumdone:
	VZEROUPPER
	RET

// func expSumAVX2(dst, src *float32, n int, m, c float32, lanes *[16]float32)
// dst[i] = exp1((src[i] - m) - c) and lanes[i%16] += dst[i] for i < n, a
// multiple of 16.
TEXT ·expSumAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ lanes+32(FP), AX
	SHRQ $4, CX
	JZ esdone
	EXPCONSTS
	VBROADCASTSS m+24(FP), Y5
	VBROADCASTSS c+28(FP), Y6
	VMOVUPS (AX), Y9
	VMOVUPS 32(AX), Y10

esloop:
	VMOVUPS (SI), Y0
	VSUBPS Y5, Y0, Y0
	VSUBPS Y6, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3, Y4)
	VMOVUPS Y0, (DI)
	VADDPS Y0, Y9, Y9
	VMOVUPS 32(SI), Y0
	VSUBPS Y5, Y0, Y0
	VSUBPS Y6, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3, Y4)
	VMOVUPS Y0, 32(DI)
	VADDPS Y0, Y10, Y10
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ esloop
	VMOVUPS Y9, (AX)
	VMOVUPS Y10, 32(AX)

esdone:
	VZEROUPPER
	RET

// func scaleAVX2(dst, src *float32, n int, a float32)
// dst[i] = src[i]·a for i < n, a multiple of 16.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ scdone
	VBROADCASTSS a+24(FP), Y2

scloop:
	VMULPS (SI), Y2, Y0
	VMULPS 32(SI), Y2, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ scloop

scdone:
	VZEROUPPER
	RET

// ---- AVX-512 ----
// The same operations on 16 lanes in zmm registers; selections use mask
// registers (a masked operation where the AVX2 code adds or subtracts a
// masked value: the same result, x ± 0 being x here), logic the AVX-512F
// integer forms.

#define EXPCONSTS16 \
	VMOVUPS vmExpHi<>(SB), Z15; \
	VMOVUPS vmExpLo<>(SB), Z14; \
	VMOVUPS vmLog2e<>(SB), Z13; \
	VMOVUPS vmOne<>(SB), Z12; \
	VMOVUPS vmBias<>(SB), Z11

// EXP16 is EXP8 on zmm registers.
#define EXP16(x, n, r, p, t) \
	VMAXPS x, Z14, x; \
	VMINPS x, Z15, x; \
	VMULPS Z13, x, n; \
	VRNDSCALEPS $0, n, n; \
	VMOVAPS x, r; \
	VFNMADD231PS vmLn2Hi<>(SB), n, r; \
	VFNMADD231PS vmLn2Lo<>(SB), n, r; \
	VMOVUPS vmExpC6<>(SB), p; \
	VFMADD213PS vmExpC5<>(SB), r, p; \
	VFMADD213PS vmExpC4<>(SB), r, p; \
	VFMADD213PS vmExpC3<>(SB), r, p; \
	VFMADD213PS vmExpC2<>(SB), r, p; \
	VFMADD213PS vmExpC1<>(SB), r, p; \
	VMULPS r, r, t; \
	VFMADD213PS r, t, p; \
	VADDPS Z12, p, p; \
	VCVTPS2DQ n, n; \
	VPSRAD $1, n, t; \
	VPSUBD t, n, n; \
	VPADDD Z11, t, t; \
	VPSLLD $23, t, t; \
	VPADDD Z11, n, n; \
	VPSLLD $23, n, n; \
	VMULPS t, p, p; \
	VMULPS n, p, x

// LOG16 is LOG8 on zmm registers: Z0 = ln Z0; Z1..Z9, K1, K2 clobbered.
#define LOG16 \
	VCMPPS $0x11, vmMinNorm<>(SB), Z0, K1; \
	VMOVAPS Z0, Z3; \
	VMULPS vmTwo23<>(SB), Z0, K1, Z3; \
	VPSRLD $23, Z3, Z5; \
	VPSUBD vmI126<>(SB), Z5, Z5; \
	VCVTDQ2PS Z5, Z5; \
	VSUBPS vmC23<>(SB), Z5, K1, Z5; \
	VPANDD vmMantMask<>(SB), Z3, Z6; \
	VPORD vmHalf<>(SB), Z6, Z6; \
	VCMPPS $0x11, vmSqrtHalf<>(SB), Z6, K2; \
	VSUBPS Z12, Z5, K2, Z5; \
	VADDPS Z6, Z6, K2, Z6; \
	VSUBPS Z12, Z6, Z6; \
	VMULPS Z6, Z6, Z7; \
	VMOVUPS vmLogC0<>(SB), Z8; \
	VFMADD213PS vmLogC1<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC2<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC3<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC4<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC5<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC6<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC7<>(SB), Z6, Z8; \
	VFMADD213PS vmLogC8<>(SB), Z6, Z8; \
	VMULPS Z6, Z8, Z8; \
	VMULPS Z7, Z8, Z8; \
	VFMADD231PS vmLn2Lo<>(SB), Z5, Z8; \
	VFMADD231PS vmMHalf<>(SB), Z7, Z8; \
	VADDPS Z8, Z6, Z8; \
	VFMADD231PS vmLn2Hi<>(SB), Z5, Z8; \
	VCMPPS $0, vmPosInf<>(SB), Z0, K1; \
	VCMPPS $3, Z0, Z0, K2; \
	KORW K1, K2, K1; \
	VBLENDMPS Z0, Z8, K1, Z8; \
	VPXORD Z9, Z9, Z9; \
	VCMPPS $0, Z9, Z0, K1; \
	VBLENDMPS vmNegInf<>(SB), Z8, K1, Z8; \
	VCMPPS $0x11, Z9, Z0, K1; \
	VBLENDMPS vmQNaN<>(SB), Z8, K1, Z0

// TANH16 is TANH8 on zmm registers: Z0 = tanh Z0; Z1..Z9, K1 clobbered.
#define TANH16 \
	VPANDD vmAbsMask<>(SB), Z0, Z1; \
	VPANDD vmSignMask<>(SB), Z0, Z2; \
	VMULPS Z1, Z1, Z3; \
	VMOVUPS vmTanhC0<>(SB), Z4; \
	VFMADD213PS vmTanhC1<>(SB), Z3, Z4; \
	VFMADD213PS vmTanhC2<>(SB), Z3, Z4; \
	VFMADD213PS vmTanhC3<>(SB), Z3, Z4; \
	VFMADD213PS vmTanhC4<>(SB), Z3, Z4; \
	VMULPS Z3, Z4, Z4; \
	VFMADD213PS Z1, Z1, Z4; \
	VADDPS Z1, Z1, Z5; \
	EXP16(Z5, Z6, Z7, Z8, Z9); \
	VADDPS Z12, Z5, Z5; \
	VMOVUPS vmTwo<>(SB), Z6; \
	VDIVPS Z5, Z6, Z6; \
	VSUBPS Z6, Z12, Z7; \
	VCMPPS $0x11, vmTanhCut<>(SB), Z1, K1; \
	VBLENDMPS Z4, Z7, K1, Z7; \
	VPORD Z2, Z7, Z0

// SIGMOID16 is SIGMOID8 on zmm registers; Z1..Z5, K1 clobbered.
#define SIGMOID16 \
	VPORD vmSignMask<>(SB), Z0, Z1; \
	EXP16(Z1, Z2, Z3, Z4, Z5); \
	VADDPS Z12, Z1, Z2; \
	VPXORD Z3, Z3, Z3; \
	VCMPPS $0x11, Z3, Z0, K1; \
	VBLENDMPS Z1, Z12, K1, Z5; \
	VDIVPS Z2, Z5, Z0

// NORMTAIL16 is NORMTAIL8 on zmm registers (t + 44 a masked add); K1 is
// clobbered too.
#define NORMTAIL16 \
	VPANDD vmAbsMask<>(SB), Z0, Z1; \
	VMINPS vmG20<>(SB), Z1, Z1; \
	VADDPS vmThree<>(SB), Z1, Z2; \
	VMOVUPS vmThree<>(SB), Z3; \
	VDIVPS Z2, Z3, Z2; \
	VMULPS vmMillsP12<>(SB), Z2, Z3; \
	VADDPS vmMillsP11<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP10<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP9<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP8<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP7<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP6<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP5<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP4<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP3<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP2<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP1<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VADDPS vmMillsP0<>(SB), Z3, Z3; \
	VMULPS Z2, Z3, Z3; \
	VPANDD vmHiMask<>(SB), Z1, Z2; \
	VSUBPS Z2, Z1, Z5; \
	VMULPS Z2, Z2, Z4; \
	VMULPS vmMHalf<>(SB), Z4, Z4; \
	VCMPPS $0x1d, vmG12<>(SB), Z1, K1; \
	VADDPS vmG44<>(SB), Z4, K1, Z4; \
	VADDPS Z2, Z1, Z6; \
	VMULPS Z6, Z5, Z5; \
	VMULPS vmMHalf<>(SB), Z5, Z5; \
	EXP16(Z4, Z6, Z7, Z8, Z9); \
	EXP16(Z5, Z6, Z7, Z8, Z9); \
	VMULPS Z5, Z4, Z4; \
	VMULPS vmInvSqrt2Pi<>(SB), Z4, Z4; \
	VMULPS Z4, Z3, Z3

// GELU16 is GELU8 on zmm registers; Z1..Z9, K1 clobbered.
#define GELU16 \
	NORMTAIL16; \
	VMULPS Z3, Z0, Z5; \
	VMULPS vmTailScale<>(SB), Z5, Z6; \
	VSUBPS Z3, Z12, Z7; \
	VMULPS Z7, Z0, Z7; \
	VPXORD Z8, Z8, Z8; \
	VCMPPS $0x11, Z8, Z0, K1; \
	VBLENDMPS Z5, Z7, K1, Z7; \
	VCMPPS $0x12, vmM12<>(SB), Z0, K1; \
	VBLENDMPS Z6, Z7, K1, Z7; \
	VCMPPS $3, Z0, Z0, K1; \
	VPORD vmQuiet<>(SB), Z0, K1, Z7; \
	VMOVAPS Z7, Z0

// GELUGRAD16 is GELUGRAD8 on zmm registers (g in Z10); Z1..Z9, K1 clobbered.
#define GELUGRAD16 \
	NORMTAIL16; \
	VMAXPS vmM20<>(SB), Z0, Z5; \
	VMULPS Z4, Z5, Z5; \
	VADDPS Z5, Z3, Z5; \
	VMULPS vmTailScale<>(SB), Z5, Z5; \
	VMULPS Z4, Z0, Z6; \
	VADDPS Z6, Z3, Z7; \
	VSUBPS Z3, Z12, Z8; \
	VADDPS Z6, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VCMPPS $0x11, Z9, Z0, K1; \
	VBLENDMPS Z7, Z8, K1, Z8; \
	VCMPPS $0x1d, vmG12<>(SB), Z0, K1; \
	VBLENDMPS Z12, Z8, K1, Z8; \
	VCMPPS $0x12, vmM12<>(SB), Z0, K1; \
	VBLENDMPS Z5, Z8, K1, Z8; \
	VCMPPS $3, Z0, Z0, K1; \
	VPORD vmQuiet<>(SB), Z0, K1, Z8; \
	VMULPS Z8, Z10, Z0

#define MAP16(body, loop, done) \
	MOVQ dst+0(FP), DI; \
	MOVQ src+8(FP), SI; \
	MOVQ n+16(FP), CX; \
	SHRQ $4, CX; \
	JZ done; \
	EXPCONSTS16; \
loop: \
	VMOVUPS (SI), Z0; \
	body; \
	VMOVUPS Z0, (DI); \
	ADDQ $64, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loop; \
done: \
	VZEROUPPER; \
	RET

#define EXP16Z0 EXP16(Z0, Z1, Z2, Z3, Z4)

// func expAVX512(dst, src *float32, n int)
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MAP16(EXP16Z0, exp16loop, exp16done)

// func logAVX512(dst, src *float32, n int)
TEXT ·logAVX512(SB), NOSPLIT, $0-24
	MAP16(LOG16, log16loop, log16done)

// func tanhAVX512(dst, src *float32, n int)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MAP16(TANH16, tanh16loop, tanh16done)

// func sigmoidAVX512(dst, src *float32, n int)
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-24
	MAP16(SIGMOID16, sig16loop, sig16done)

// func geluAVX512(dst, src *float32, n int)
TEXT ·geluAVX512(SB), NOSPLIT, $0-24
	MAP16(GELU16, gelu16loop, gelu16done)

// func geluGradAVX512(dst, grad, x *float32, n int)
TEXT ·geluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ grad+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ gg16done
	EXPCONSTS16

gg16loop:
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z10
	GELUGRAD16
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ gg16loop

gg16done:
	VZEROUPPER
	RET

// func maxAVX512(x *float32, n int, lanes *[16]float32)
TEXT ·maxAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lanes+16(FP), AX
	SHRQ $4, CX
	JZ max16done
	VMOVUPS (AX), Z0

max16loop:
	VMAXPS (SI), Z0, Z0
	ADDQ $64, SI
	DECQ CX
	JNZ max16loop
	VMOVUPS Z0, (AX)

max16done:
	VZEROUPPER
	RET

// func sumAVX512(x *float32, n int, lanes *[16]float32)
TEXT ·sumAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lanes+16(FP), AX
	SHRQ $4, CX
	JZ sum16done
	VMOVUPS (AX), Z0

sum16loop:
	VADDPS (SI), Z0, Z0
	ADDQ $64, SI
	DECQ CX
	JNZ sum16loop
	VMOVUPS Z0, (AX)

sum16done:
	VZEROUPPER
	RET

// func expSumAVX512(dst, src *float32, n int, m, c float32, lanes *[16]float32)
TEXT ·expSumAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ lanes+32(FP), AX
	SHRQ $4, CX
	JZ es16done
	EXPCONSTS16
	VBROADCASTSS m+24(FP), Z5
	VBROADCASTSS c+28(FP), Z6
	VMOVUPS (AX), Z9

es16loop:
	VMOVUPS (SI), Z0
	VSUBPS Z5, Z0, Z0
	VSUBPS Z6, Z0, Z0
	EXP16(Z0, Z1, Z2, Z3, Z4)
	VMOVUPS Z0, (DI)
	VADDPS Z0, Z9, Z9
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ es16loop
	VMOVUPS Z9, (AX)

es16done:
	VZEROUPPER
	RET

// func scaleAVX512(dst, src *float32, n int, a float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ sc16done
	VBROADCASTSS a+24(FP), Z2

sc16loop:
	VMULPS (SI), Z2, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ sc16loop

sc16done:
	VZEROUPPER
	RET
