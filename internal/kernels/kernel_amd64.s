#include "textflag.h"

// One step of the 6x16 tile: load a 16-wide row of packed B into Y12:Y13,
// broadcast each of the 6 packed A values and FMA into accumulators Y0..Y11.
#define STEP(ao, bo) \
	VMOVUPS bo(DI), Y12; \
	VMOVUPS 32+bo(DI), Y13; \
	VBROADCASTSS 0+ao(SI), Y14; \
	VFMADD231PS Y12, Y14, Y0; \
	VFMADD231PS Y13, Y14, Y1; \
	VBROADCASTSS 4+ao(SI), Y15; \
	VFMADD231PS Y12, Y15, Y2; \
	VFMADD231PS Y13, Y15, Y3; \
	VBROADCASTSS 8+ao(SI), Y14; \
	VFMADD231PS Y12, Y14, Y4; \
	VFMADD231PS Y13, Y14, Y5; \
	VBROADCASTSS 12+ao(SI), Y15; \
	VFMADD231PS Y12, Y15, Y6; \
	VFMADD231PS Y13, Y15, Y7; \
	VBROADCASTSS 16+ao(SI), Y14; \
	VFMADD231PS Y12, Y14, Y8; \
	VFMADD231PS Y13, Y14, Y9; \
	VBROADCASTSS 20+ao(SI), Y15; \
	VFMADD231PS Y12, Y15, Y10; \
	VFMADD231PS Y13, Y15, Y11

// func kernel6x16(k int, a, b, c *float32, ldc int, store bool)
TEXT ·kernel6x16(SB), NOSPLIT, $0-41
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	MOVQ DX, AX // fetch the tile of C (6 rows of 64 bytes) while the products run
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ CX, BX
	SHRQ $2, BX
	JZ tail

loop4:
	PREFETCHT0 512(DI)
	STEP(0, 0)
	STEP(24, 64)
	PREFETCHT0 640(DI)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ BX
	JNZ loop4

tail:
	ANDQ $3, CX
	JZ store

loop1:
	STEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop1

store:
	MOVBLZX store+40(FP), AX
	TESTQ AX, AX
	JNZ overwrite
	// C[r][0:16] += accumulators of row r
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y2, Y2
	VMOVUPS Y2, (DX)
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y8, Y8
	VMOVUPS Y8, (DX)
	VADDPS 32(DX), Y9, Y9
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y10, Y10
	VMOVUPS Y10, (DX)
	VADDPS 32(DX), Y11, Y11
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

overwrite:
	// C[r][0:16] = accumulators of row r
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func packBTrans16(dst, src *float32, ld, k int)
// Packs 16 rows of src (row stride ld floats), k columns (k a multiple of 8),
// transposed: dst[q*16+j] = src[j*ld+q], with 8x8 AVX transposes.
TEXT ·packBTrans16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), BX
	MOVQ k+24(FP), CX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), R9 // 3 rows
	SHRQ $3, CX
	JZ done

loop:
	MOVQ SI, R10
	// rows 0..7
	LEAQ (R10)(BX*4), R11
	VMOVUPS (R10), Y0
	VMOVUPS (R10)(BX*1), Y1
	VMOVUPS (R10)(BX*2), Y2
	VMOVUPS (R10)(R9*1), Y3
	VMOVUPS (R11), Y4
	VMOVUPS (R11)(BX*1), Y5
	VMOVUPS (R11)(BX*2), Y6
	VMOVUPS (R11)(R9*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, 0(DI)
	VMOVUPS Y9, 64(DI)
	VMOVUPS Y10, 128(DI)
	VMOVUPS Y11, 192(DI)
	VMOVUPS Y12, 256(DI)
	VMOVUPS Y13, 320(DI)
	VMOVUPS Y14, 384(DI)
	VMOVUPS Y15, 448(DI)
	LEAQ (R11)(BX*4), R10
	// rows 8..15
	LEAQ (R10)(BX*4), R11
	VMOVUPS (R10), Y0
	VMOVUPS (R10)(BX*1), Y1
	VMOVUPS (R10)(BX*2), Y2
	VMOVUPS (R10)(R9*1), Y3
	VMOVUPS (R11), Y4
	VMOVUPS (R11)(BX*1), Y5
	VMOVUPS (R11)(BX*2), Y6
	VMOVUPS (R11)(R9*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, 32(DI)
	VMOVUPS Y9, 96(DI)
	VMOVUPS Y10, 160(DI)
	VMOVUPS Y11, 224(DI)
	VMOVUPS Y12, 288(DI)
	VMOVUPS Y13, 352(DI)
	VMOVUPS Y14, 416(DI)
	VMOVUPS Y15, 480(DI)
	ADDQ $32, SI
	ADDQ $512, DI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET

// func saxpyAVX(a float32, x, y *float32, n int)
// y[i] += a*x[i] for i < n rounded down to a multiple of 32.
TEXT ·saxpyAVX(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $5, CX
	JZ saxpydone

saxpyloop:
	VMOVUPS (SI), Y1
	VMOVUPS 32(SI), Y2
	VMOVUPS 64(SI), Y3
	VMOVUPS 96(SI), Y4
	VFMADD213PS (DI), Y0, Y1
	VFMADD213PS 32(DI), Y0, Y2
	VFMADD213PS 64(DI), Y0, Y3
	VFMADD213PS 96(DI), Y0, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ saxpyloop

saxpydone:
	VZEROUPPER
	RET

// One step of the float64 6x8 tile: a row of 8 packed B doubles in Y12:Y13,
// each of the 6 packed A values broadcast and FMAed into Y0..Y11.
#define STEPD(ao, bo) \
	VMOVUPD bo(DI), Y12; \
	VMOVUPD 32+bo(DI), Y13; \
	VBROADCASTSD 0+ao(SI), Y14; \
	VFMADD231PD Y12, Y14, Y0; \
	VFMADD231PD Y13, Y14, Y1; \
	VBROADCASTSD 8+ao(SI), Y15; \
	VFMADD231PD Y12, Y15, Y2; \
	VFMADD231PD Y13, Y15, Y3; \
	VBROADCASTSD 16+ao(SI), Y14; \
	VFMADD231PD Y12, Y14, Y4; \
	VFMADD231PD Y13, Y14, Y5; \
	VBROADCASTSD 24+ao(SI), Y15; \
	VFMADD231PD Y12, Y15, Y6; \
	VFMADD231PD Y13, Y15, Y7; \
	VBROADCASTSD 32+ao(SI), Y14; \
	VFMADD231PD Y12, Y14, Y8; \
	VFMADD231PD Y13, Y14, Y9; \
	VBROADCASTSD 40+ao(SI), Y15; \
	VFMADD231PD Y12, Y15, Y10; \
	VFMADD231PD Y13, Y15, Y11

// func kernel6x8d(k int, a, b, c *float64, ldc int, store bool)
TEXT ·kernel6x8d(SB), NOSPLIT, $0-41
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8
	MOVQ DX, AX // fetch the tile of C (6 rows of 64 bytes) while the products run
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	MOVQ CX, BX
	SHRQ $2, BX
	JZ dtail

dloop4:
	PREFETCHT0 512(DI)
	STEPD(0, 0)
	STEPD(48, 64)
	PREFETCHT0 640(DI)
	STEPD(96, 128)
	STEPD(144, 192)
	ADDQ $192, SI
	ADDQ $256, DI
	DECQ BX
	JNZ dloop4

dtail:
	ANDQ $3, CX
	JZ dstore

dloop1:
	STEPD(0, 0)
	ADDQ $48, SI
	ADDQ $64, DI
	DECQ CX
	JNZ dloop1

dstore:
	MOVBLZX store+40(FP), AX
	TESTQ AX, AX
	JNZ doverwrite
	VADDPD (DX), Y0, Y0
	VMOVUPD Y0, (DX)
	VADDPD 32(DX), Y1, Y1
	VMOVUPD Y1, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y2, Y2
	VMOVUPD Y2, (DX)
	VADDPD 32(DX), Y3, Y3
	VMOVUPD Y3, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y4, Y4
	VMOVUPD Y4, (DX)
	VADDPD 32(DX), Y5, Y5
	VMOVUPD Y5, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y6, Y6
	VMOVUPD Y6, (DX)
	VADDPD 32(DX), Y7, Y7
	VMOVUPD Y7, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y8, Y8
	VMOVUPD Y8, (DX)
	VADDPD 32(DX), Y9, Y9
	VMOVUPD Y9, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y10, Y10
	VMOVUPD Y10, (DX)
	VADDPD 32(DX), Y11, Y11
	VMOVUPD Y11, 32(DX)
	VZEROUPPER
	RET

doverwrite:
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	ADDQ R8, DX
	VMOVUPD Y2, (DX)
	VMOVUPD Y3, 32(DX)
	ADDQ R8, DX
	VMOVUPD Y4, (DX)
	VMOVUPD Y5, 32(DX)
	ADDQ R8, DX
	VMOVUPD Y6, (DX)
	VMOVUPD Y7, 32(DX)
	ADDQ R8, DX
	VMOVUPD Y8, (DX)
	VMOVUPD Y9, 32(DX)
	ADDQ R8, DX
	VMOVUPD Y10, (DX)
	VMOVUPD Y11, 32(DX)
	VZEROUPPER
	RET

// func packA6(dst, src *float32, lda, k int)
// Packs 6 rows of src (row stride lda floats), k columns (k a multiple of 8),
// column by column: dst[q*6+r] = src[r*lda+q], with 8x8 AVX transposes (two
// zero rows). Each column store writes 8 floats: the last two land in the
// next column's slots (overwritten next) and, after the last column, in
// dst[k*6], dst[k*6+1], which the caller must own.
TEXT ·packA6(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), BX
	MOVQ k+24(FP), CX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), R9
	SHRQ $3, CX
	JZ adone

aloop:
	LEAQ (SI)(BX*4), R10
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(BX*1), Y1
	VMOVUPS (SI)(BX*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(BX*1), Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, 0(DI)
	VMOVUPS Y9, 24(DI)
	VMOVUPS Y10, 48(DI)
	VMOVUPS Y11, 72(DI)
	VMOVUPS Y12, 96(DI)
	VMOVUPS Y13, 120(DI)
	VMOVUPS Y14, 144(DI)
	VMOVUPS Y15, 168(DI)
	ADDQ $32, SI
	ADDQ $192, DI
	DECQ CX
	JNZ aloop

adone:
	VZEROUPPER
	RET

// func packBCopy16(dst, src *float32, ld, k, panels int)
// dst[j*16*k+q*16+c] = src[q*ld+j*16+c] for q < k, j < panels, c < 16:
// panels consecutive full panels of an untransposed B, two ymm loads and
// stores per row of a panel, row by row across the panels, so that each row
// of src is read in order.
TEXT ·packBCopy16(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ panels+32(FP), R8
	SHLQ $2, BX
	MOVQ CX, R9
	SHLQ $6, R9 // a panel: 64·k bytes
	TESTQ CX, CX
	JZ cdone
	TESTQ R8, R8
	JZ cdone

crow:
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ R8, DX

cpanel:
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ $64, R10
	ADDQ R9, R11
	DECQ DX
	JNZ cpanel
	ADDQ BX, SI
	ADDQ $64, DI
	DECQ CX
	JNZ crow

cdone:
	VZEROUPPER
	RET

// func reluAVX(dst, src *float32, n int)
// dst[i] = max(src[i], 0) for i < n (a multiple of 16), as Go's max: NaN
// stays NaN, -0 becomes +0 (max(0, x) keeps x on NaN and ties; +0 turns -0
// into +0).
TEXT ·reluAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ rdone
	VXORPS Y15, Y15, Y15

rloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMAXPS Y0, Y15, Y0
	VMAXPS Y1, Y15, Y1
	VADDPS Y15, Y0, Y0
	VADDPS Y15, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ rloop

rdone:
	VZEROUPPER
	RET

// func reluGradAVX(dst, x, grad *float32, n int)
// dst[i] = g[i] where x[i] > 0, else +0, for i < n (a multiple of 16).
TEXT ·reluGradAVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ gdone
	VXORPS Y15, Y15, Y15

gloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VCMPPS $0x1e, Y15, Y0, Y0
	VCMPPS $0x1e, Y15, Y1, Y1
	VANDPS (DX), Y0, Y0
	VANDPS 32(DX), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ gloop

gdone:
	VZEROUPPER
	RET

// func adamAVX(p, grad *float32, m, v *float64, n int, c *adamConsts)
// One Adam update of n elements (a multiple of 4), four doubles at a time,
// each operation rounded as adamGo does it (no FMA).
TEXT ·adamAVX(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), SI
	MOVQ grad+8(FP), DX
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSD 0(AX), Y8   // decay
	VBROADCASTSD 8(AX), Y9   // b1
	VBROADCASTSD 16(AX), Y10 // 1-b1
	VBROADCASTSD 24(AX), Y11 // b2
	VBROADCASTSD 32(AX), Y12 // 1-b2
	VBROADCASTSD 40(AX), Y13 // step size
	VBROADCASTSD 48(AX), Y14 // sqrt(1-b2^t)
	VBROADCASTSD 56(AX), Y15 // eps
	SHRQ $2, CX
	JZ adamdone

adamloop:
	VCVTPS2PD (SI), Y0       // p
	VCVTPS2PD (DX), Y1       // g
	VMULPD Y8, Y0, Y0        // p·decay
	VMULPD (R8), Y9, Y2      // b1·m
	VMULPD Y1, Y10, Y3       // (1-b1)·g
	VADDPD Y3, Y2, Y2        // m
	VMOVUPD Y2, (R8)
	VMULPD (R9), Y11, Y4     // b2·v
	VMULPD Y1, Y12, Y5       // (1-b2)·g
	VMULPD Y1, Y5, Y5        // ·g
	VADDPD Y5, Y4, Y4        // v
	VMOVUPD Y4, (R9)
	VSQRTPD Y4, Y6
	VDIVPD Y14, Y6, Y6       // √v / bc2
	VADDPD Y15, Y6, Y6       // + eps
	VMULPD Y2, Y13, Y7       // step·m
	VDIVPD Y6, Y7, Y7        // / denominator
	VSUBPD Y7, Y0, Y0        // p - …
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (SI)
	ADDQ $16, SI
	ADDQ $16, DX
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ adamloop

adamdone:
	VZEROUPPER
	RET

// One pass of arithAVX: 16 floats of a (SI) op b (DX) into DI per iteration.
#define ARITHLOOP(INSTR, L) \
L: \
	VMOVUPS (SI), Y0; \
	VMOVUPS 32(SI), Y1; \
	INSTR (DX), Y0, Y0; \
	INSTR 32(DX), Y1, Y1; \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI); \
	ADDQ $64, SI; \
	ADDQ $64, DX; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ L; \
	JMP arithdone

// func arithAVX(op int, dst, a, b *float32, n int)
// dst[i] = a[i] op b[i] for i < n (a multiple of 16); op as in arith.go.
TEXT ·arithAVX(SB), NOSPLIT, $0-40
	MOVQ op+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ n+32(FP), CX
	SHRQ $4, CX
	JZ arithdone
	CMPQ AX, $1
	JEQ arithsub
	CMPQ AX, $2
	JEQ arithmul
	CMPQ AX, $3
	JEQ arithdiv
	ARITHLOOP(VADDPS, arithadd)
arithsub:
	ARITHLOOP(VSUBPS, arithsubloop)
arithmul:
	ARITHLOOP(VMULPS, arithmulloop)
arithdiv:
	ARITHLOOP(VDIVPS, arithdivloop)

arithdone:
	VZEROUPPER
	RET

// func packBTrans8(dst, src *float32, ld, k, nr int)
// Packs 8 rows of src (row stride ld floats), k columns (k a multiple of 8),
// transposed into 8 columns of a panel nr floats wide:
// dst[q*nr+j] = src[j*ld+q], with 8x8 AVX transposes.
TEXT ·packBTrans8(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ nr+32(FP), DX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), R9 // 3 rows of src
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R12 // 3 rows of dst
	SHRQ $3, CX
	JZ t8done

t8loop:
	LEAQ (SI)(BX*4), R11
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(BX*1), Y1
	VMOVUPS (SI)(BX*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R11), Y4
	VMOVUPS (R11)(BX*1), Y5
	VMOVUPS (R11)(BX*2), Y6
	VMOVUPS (R11)(R9*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	LEAQ (DI)(DX*4), R11
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(DX*1)
	VMOVUPS Y10, (DI)(DX*2)
	VMOVUPS Y11, (DI)(R12*1)
	VMOVUPS Y12, (R11)
	VMOVUPS Y13, (R11)(DX*1)
	VMOVUPS Y14, (R11)(DX*2)
	VMOVUPS Y15, (R11)(R12*1)
	ADDQ $32, SI
	LEAQ (R11)(DX*4), DI
	DECQ CX
	JNZ t8loop

t8done:
	VZEROUPPER
	RET

// func packACols6(dst, src *float32, lda, k int)
// Packs k columns of six values of a transposed A: dst[q*6+r] = src[q*lda+r],
// r < 6, one 8-float load and store per column. Each store writes two
// values past the column: the next column's slots (overwritten next) and,
// after the last column, dst[k*6] and dst[k*6+1], which the caller must
// own; each load reads src[q*lda+6] and src[q*lda+7], which must exist.
TEXT ·packACols6(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), BX
	MOVQ k+24(FP), CX
	SHLQ $2, BX
	TESTQ CX, CX
	JZ cdone

cloop:
	VMOVUPS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ BX, SI
	ADDQ $24, DI
	DECQ CX
	JNZ cloop

cdone:
	VZEROUPPER
	RET

// func mulScalarAVX(dst, src *float32, s float64, n int)
// dst[i] = float32(float64(src[i])*s) for i < n (a multiple of 16): each
// float widened to float64 (exact), multiplied by s in float64 and rounded
// once to float32, as Go's conversions and MULSD do.
TEXT ·mulScalarAVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	VBROADCASTSD s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ mulscalardone

mulscalarloop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VMULPD Y15, Y0, Y0
	VMULPD Y15, Y1, Y1
	VMULPD Y15, Y2, Y2
	VMULPD Y15, Y3, Y3
	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VCVTPD2PSY Y2, X2
	VCVTPD2PSY Y3, X3
	VMOVUPS X0, (DI)
	VMOVUPS X1, 16(DI)
	VMOVUPS X2, 32(DI)
	VMOVUPS X3, 48(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ mulscalarloop

mulscalardone:
	VZEROUPPER
	RET

// func addRowsAVX(dst, src *float32, n, ld, rows int)
// dst[j] += src[i*ld+j] for i < rows (in order, rows >= 1), for j < n (a
// multiple of 8): 64 columns at a time in eight registers, then 8.
TEXT ·addRowsAVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ ld+24(FP), BX
	MOVQ rows+32(FP), DX
	SHLQ $2, BX

addrows64:
	CMPQ CX, $64
	JLT addrows8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	MOVQ SI, R8
	MOVQ DX, R9

addrows64row:
	VADDPS (R8), Y0, Y0
	VADDPS 32(R8), Y1, Y1
	VADDPS 64(R8), Y2, Y2
	VADDPS 96(R8), Y3, Y3
	VADDPS 128(R8), Y4, Y4
	VADDPS 160(R8), Y5, Y5
	VADDPS 192(R8), Y6, Y6
	VADDPS 224(R8), Y7, Y7
	ADDQ BX, R8
	DECQ R9
	JNZ addrows64row
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ $256, DI
	ADDQ $256, SI
	SUBQ $64, CX
	JMP addrows64

addrows8:
	CMPQ CX, $8
	JLT addrowsdone
	VMOVUPS (DI), Y0
	MOVQ SI, R8
	MOVQ DX, R9

addrows8row:
	VADDPS (R8), Y0, Y0
	ADDQ BX, R8
	DECQ R9
	JNZ addrows8row
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JMP addrows8

addrowsdone:
	VZEROUPPER
	RET
