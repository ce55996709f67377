#include "textflag.h"

// CONVMASKS sets K3, K4 to the columns of a row's last block of 32 (its
// first and second 16) and K5 to all: CX = n mod 32 (0: no last block).
#define CONVMASKS \
	MOVL $1, AX; \
	SHLQ CX, AX; \
	DECQ AX; \
	KMOVW AX, K3; \
	SHRQ $16, AX; \
	KMOVW AX, K4; \
	KXNORW K5, K5, K5

// BLOCKMASKS sets K1, K2 to the block of 32 columns from CX of a row of
// n = nArg columns: all, or K3, K4 for the last one.
#define BLOCKMASKS(nArg, last, body) \
	MOVQ nArg, R12; \
	SUBQ CX, R12; \
	CMPQ R12, $32; \
	JLT last; \
	KMOVW K5, K1; \
	KMOVW K5, K2; \
	JMP body; \
last: \
	KMOVW K3, K1; \
	KMOVW K4, K2; \
body:

// func convRows512(out *float32, ldo int, pad *float32, wp int, taps *int, k int, wt *float32, wstride, groups, oh, ow int, bias *float32)
// Four output channels at a time (groups of them, oc = 4g..4g+3): for y <
// oh, j < ow, out[oc*ldo + y*ow + j] = (sum over t < k of
// wt[t*wstride + oc]*pad[taps[t] + y*wp + j], fused multiply-adds from 0
// in the order of t) + bias[oc] (none when bias is nil). wt holds the
// weights transposed, so the four of a tap are adjacent. Registers: DI the
// group's first output plane, R9 its row, DX the group's weights, R8 the
// tap's, R13 the group's bias, R10 the row's offset in pad (bytes), CX the
// column, AX the tap, R12 an address, R11 the stride of wt's rows (bytes);
// groups and the rows left count down in argument slots.
TEXT ·convRows512(SB), NOSPLIT, $0-96
	MOVQ ow+80(FP), CX
	ANDQ $31, CX
	CONVMASKS
	MOVQ out+0(FP), DI
	MOVQ pad+16(FP), SI
	MOVQ taps+32(FP), BX
	MOVQ wt+48(FP), DX
	MOVQ wstride+56(FP), R11
	SHLQ $2, R11
	MOVQ bias+88(FP), R13

cgroup:
	MOVQ DI, R9
	XORQ R10, R10
	MOVQ oh+72(FP), R12
	MOVQ R12, out+0(FP)          // rows left, in out's slot (out is in DI)

crow:
	XORQ CX, CX

cblk:
	BLOCKMASKS(ow+80(FP), clast, cbody)
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORQ AX, AX
	MOVQ DX, R8

ctap:
	MOVQ (BX)(AX*8), R12
	LEAQ (SI)(R12*4), R12
	ADDQ R10, R12
	VMOVUPS.Z (R12)(CX*4), K1, Z8
	VMOVUPS.Z 64(R12)(CX*4), K2, Z9
	VFMADD231PS.BCST 0(R8), Z8, Z0
	VFMADD231PS.BCST 0(R8), Z9, Z1
	VFMADD231PS.BCST 4(R8), Z8, Z2
	VFMADD231PS.BCST 4(R8), Z9, Z3
	VFMADD231PS.BCST 8(R8), Z8, Z4
	VFMADD231PS.BCST 8(R8), Z9, Z5
	VFMADD231PS.BCST 12(R8), Z8, Z6
	VFMADD231PS.BCST 12(R8), Z9, Z7
	ADDQ R11, R8
	INCQ AX
	CMPQ AX, k+40(FP)
	JLT ctap
	TESTQ R13, R13
	JZ cstore
	VADDPS.BCST 0(R13), Z0, Z0
	VADDPS.BCST 0(R13), Z1, Z1
	VADDPS.BCST 4(R13), Z2, Z2
	VADDPS.BCST 4(R13), Z3, Z3
	VADDPS.BCST 8(R13), Z4, Z4
	VADDPS.BCST 8(R13), Z5, Z5
	VADDPS.BCST 12(R13), Z6, Z6
	VADDPS.BCST 12(R13), Z7, Z7

cstore:
	MOVQ ldo+8(FP), R12
	SHLQ $2, R12
	LEAQ (R9)(CX*4), R8
	VMOVUPS Z0, K1, (R8)
	VMOVUPS Z1, K2, 64(R8)
	ADDQ R12, R8
	VMOVUPS Z2, K1, (R8)
	VMOVUPS Z3, K2, 64(R8)
	ADDQ R12, R8
	VMOVUPS Z4, K1, (R8)
	VMOVUPS Z5, K2, 64(R8)
	ADDQ R12, R8
	VMOVUPS Z6, K1, (R8)
	VMOVUPS Z7, K2, 64(R8)
	ADDQ $32, CX
	CMPQ CX, ow+80(FP)
	JLT cblk
	MOVQ ow+80(FP), R12
	LEAQ (R9)(R12*4), R9
	MOVQ wp+24(FP), R12
	LEAQ (R10)(R12*4), R10
	DECQ out+0(FP)
	JNZ crow
	MOVQ ldo+8(FP), R12
	SHLQ $4, R12                 // four planes
	ADDQ R12, DI
	ADDQ $16, DX
	TESTQ R13, R13
	JZ cnext
	ADDQ $16, R13

cnext:
	DECQ groups+64(FP)
	JNZ cgroup
	VZEROUPPER
	RET

// FOLD adds the 32 lanes of Za (j mod 32 < 16) and Zb pairwise as
// dotRowsGo does (j + j+16, +8, +4, +2, +1) and stores the sum at dst.
#define FOLD(Za, Zb, Ya, Yb, Xa, Xb, dst) \
	VADDPS Zb, Za, Za; \
	VEXTRACTF32X8 $1, Za, Yb; \
	VADDPS Yb, Ya, Ya; \
	VEXTRACTF128 $1, Ya, Xb; \
	VADDPS Xb, Xa, Xa; \
	VMOVHLPS Xa, Xa, Xb; \
	VADDPS Xb, Xa, Xa; \
	VMOVSHDUP Xa, Xb; \
	VADDSS Xb, Xa, Xa; \
	VMOVSS Xa, dst

// func dotRows512(dst *float32, a *float32, lda int, b *float32, ldb int, offs *int, groups, rows, n int)
// For four taps at a time (groups of them, t = 4g..4g+3): dst[t] = the sum
// over r < rows, j < n of a[r*lda+j]*b[offs[t] + r*ldb + j], fused
// multiply-adds into 32 lanes each (j mod 32), then folded as dotRowsGo
// folds. Registers: SI a's row, R12, R13, AX, BX the four taps' rows of b,
// R8, R9 the strides (bytes), R10 the rows left, CX the column, DX the
// group's offsets; groups counts down in its argument slot.
TEXT ·dotRows512(SB), NOSPLIT, $0-72
	MOVQ n+64(FP), CX
	ANDQ $31, CX
	CONVMASKS
	MOVQ dst+0(FP), DI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ ldb+32(FP), R9
	SHLQ $2, R9
	MOVQ offs+40(FP), DX

dgroup:
	MOVQ a+8(FP), SI
	MOVQ b+24(FP), R11
	MOVQ 0(DX), R12
	LEAQ (R11)(R12*4), R12
	MOVQ 8(DX), R13
	LEAQ (R11)(R13*4), R13
	MOVQ 16(DX), AX
	LEAQ (R11)(AX*4), AX
	MOVQ 24(DX), BX
	LEAQ (R11)(BX*4), BX
	MOVQ rows+56(FP), R10
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

drow:
	XORQ CX, CX

dblk:
	MOVQ n+64(FP), R11
	SUBQ CX, R11
	CMPQ R11, $32
	JLT dlast
	KMOVW K5, K1
	KMOVW K5, K2
	JMP dbody

dlast:
	KMOVW K3, K1
	KMOVW K4, K2

dbody:
	VMOVUPS.Z (SI)(CX*4), K1, Z8
	VMOVUPS.Z 64(SI)(CX*4), K2, Z9
	VFMADD231PS (R12)(CX*4), Z8, K1, Z0
	VFMADD231PS 64(R12)(CX*4), Z9, K2, Z1
	VFMADD231PS (R13)(CX*4), Z8, K1, Z2
	VFMADD231PS 64(R13)(CX*4), Z9, K2, Z3
	VFMADD231PS (AX)(CX*4), Z8, K1, Z4
	VFMADD231PS 64(AX)(CX*4), Z9, K2, Z5
	VFMADD231PS (BX)(CX*4), Z8, K1, Z6
	VFMADD231PS 64(BX)(CX*4), Z9, K2, Z7
	ADDQ $32, CX
	CMPQ CX, n+64(FP)
	JLT dblk
	ADDQ R8, SI
	ADDQ R9, R12
	ADDQ R9, R13
	ADDQ R9, AX
	ADDQ R9, BX
	DECQ R10
	JNZ drow
	FOLD(Z0, Z1, Y0, Y1, X0, X1, 0(DI))
	FOLD(Z2, Z3, Y2, Y3, X2, X3, 4(DI))
	FOLD(Z4, Z5, Y4, Y5, X4, X5, 8(DI))
	FOLD(Z6, Z7, Y6, Y7, X6, X7, 12(DI))
	ADDQ $16, DI
	ADDQ $32, DX
	DECQ groups+48(FP)
	JNZ dgroup
	VZEROUPPER
	RET

// func convRowsAVX(out *float32, ldo int, pad *float32, wp int, taps *int, k int, wt *float32, wstride, groups, oh, ow int, bias *float32, mask *int32)
// convRows512 with 16 columns a block in two ymm and VMASKMOVPS for the
// last block of a row (mask: its 16 lanes, those past the row 0).
// Registers: as convRows512; Y14, Y15 the block's masks, Y12, Y13 the last
// block's, Y11 all ones.
TEXT ·convRowsAVX(SB), NOSPLIT, $0-104
	MOVQ mask+96(FP), AX
	VMOVDQU (AX), Y12
	VMOVDQU 32(AX), Y13
	VPCMPEQD Y11, Y11, Y11
	MOVQ out+0(FP), DI
	MOVQ pad+16(FP), SI
	MOVQ taps+32(FP), BX
	MOVQ wt+48(FP), DX
	MOVQ wstride+56(FP), R11
	SHLQ $2, R11
	MOVQ bias+88(FP), R13

agroup:
	MOVQ DI, R9
	XORQ R10, R10
	MOVQ oh+72(FP), R12
	MOVQ R12, out+0(FP)          // rows left, in out's slot (out is in DI)

arow:
	XORQ CX, CX

ablk:
	MOVQ ow+80(FP), R12
	SUBQ CX, R12
	CMPQ R12, $16
	JLT alast
	VMOVDQA Y11, Y14
	VMOVDQA Y11, Y15
	JMP abody

alast:
	VMOVDQA Y12, Y14
	VMOVDQA Y13, Y15

abody:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX
	MOVQ DX, R8

atap:
	MOVQ (BX)(AX*8), R12
	LEAQ (SI)(R12*4), R12
	ADDQ R10, R12
	LEAQ (R12)(CX*4), R12
	VMASKMOVPS (R12), Y14, Y8
	VMASKMOVPS 32(R12), Y15, Y9
	VBROADCASTSS 0(R8), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VBROADCASTSS 4(R8), Y10
	VFMADD231PS Y8, Y10, Y2
	VFMADD231PS Y9, Y10, Y3
	VBROADCASTSS 8(R8), Y10
	VFMADD231PS Y8, Y10, Y4
	VFMADD231PS Y9, Y10, Y5
	VBROADCASTSS 12(R8), Y10
	VFMADD231PS Y8, Y10, Y6
	VFMADD231PS Y9, Y10, Y7
	ADDQ R11, R8
	INCQ AX
	CMPQ AX, k+40(FP)
	JLT atap
	TESTQ R13, R13
	JZ astore
	VBROADCASTSS 0(R13), Y10
	VADDPS Y10, Y0, Y0
	VADDPS Y10, Y1, Y1
	VBROADCASTSS 4(R13), Y10
	VADDPS Y10, Y2, Y2
	VADDPS Y10, Y3, Y3
	VBROADCASTSS 8(R13), Y10
	VADDPS Y10, Y4, Y4
	VADDPS Y10, Y5, Y5
	VBROADCASTSS 12(R13), Y10
	VADDPS Y10, Y6, Y6
	VADDPS Y10, Y7, Y7

astore:
	MOVQ ldo+8(FP), R12
	SHLQ $2, R12
	LEAQ (R9)(CX*4), R8
	VMASKMOVPS Y0, Y14, (R8)
	VMASKMOVPS Y1, Y15, 32(R8)
	ADDQ R12, R8
	VMASKMOVPS Y2, Y14, (R8)
	VMASKMOVPS Y3, Y15, 32(R8)
	ADDQ R12, R8
	VMASKMOVPS Y4, Y14, (R8)
	VMASKMOVPS Y5, Y15, 32(R8)
	ADDQ R12, R8
	VMASKMOVPS Y6, Y14, (R8)
	VMASKMOVPS Y7, Y15, 32(R8)
	ADDQ $16, CX
	CMPQ CX, ow+80(FP)
	JLT ablk
	MOVQ ow+80(FP), R12
	LEAQ (R9)(R12*4), R9
	MOVQ wp+24(FP), R12
	LEAQ (R10)(R12*4), R10
	DECQ out+0(FP)
	JNZ arow
	MOVQ ldo+8(FP), R12
	SHLQ $4, R12                 // four planes
	ADDQ R12, DI
	ADDQ $16, DX
	TESTQ R13, R13
	JZ anext
	ADDQ $16, R13

anext:
	DECQ groups+64(FP)
	JNZ agroup
	VZEROUPPER
	RET

// SEG multiplies segment s (8 columns at byte offset off) of a's row with
// the two taps' rows into their lanes accumulators, under mask m.
#define SEG(off, m, acc0, acc1) \
	VMASKMOVPS off(SI)(CX*4), m, Y8; \
	VMASKMOVPS off(R12)(CX*4), m, Y9; \
	VFMADD231PS Y8, Y9, acc0; \
	VMASKMOVPS off(R13)(CX*4), m, Y10; \
	VFMADD231PS Y8, Y10, acc1

// FOLD8 adds the 32 lanes of a0..a3 (8 each) as dotRowsGo does (j + j+16,
// +8, +4, +2, +1) and stores the sum at dst.
#define FOLD8(a0, a1, a2, a3, x0, x1, dst) \
	VADDPS a2, a0, a0; \
	VADDPS a3, a1, a1; \
	VADDPS a1, a0, a0; \
	VEXTRACTF128 $1, a0, x1; \
	VADDPS x1, x0, x0; \
	VMOVHLPS x0, x0, x1; \
	VADDPS x1, x0, x0; \
	VMOVSHDUP x0, x1; \
	VADDSS x1, x0, x0; \
	VMOVSS x0, dst

// func dotRowsAVX(dst, a *float32, lda int, b *float32, ldb int, offs *int, groups, rows, n int, mask *int32)
// dotRows512 for two taps at a time, 32 columns a block in four segments of
// 8 (lanes j mod 32), VMASKMOVPS for the last block (mask: its 32 lanes,
// those past the row 0; a masked-off lane adds +0·+0 to an accumulator
// that cannot be −0, which leaves it as it is). Registers: Y0-Y3 and Y4-Y7
// the taps' lanes, Y12-Y15 the block's masks, Y11 all ones; SI a's row,
// R12, R13 the taps' rows of b.
TEXT ·dotRowsAVX(SB), NOSPLIT, $0-80
	VPCMPEQD Y11, Y11, Y11
	MOVQ dst+0(FP), DI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ ldb+32(FP), R9
	SHLQ $2, R9
	MOVQ offs+40(FP), DX

egroup:
	MOVQ a+8(FP), SI
	MOVQ b+24(FP), R11
	MOVQ 0(DX), R12
	LEAQ (R11)(R12*4), R12
	MOVQ 8(DX), R13
	LEAQ (R11)(R13*4), R13
	MOVQ rows+56(FP), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

erow:
	XORQ CX, CX

eblk:
	MOVQ n+64(FP), R11
	SUBQ CX, R11
	CMPQ R11, $32
	JLT elast
	VMOVDQA Y11, Y12
	VMOVDQA Y11, Y13
	VMOVDQA Y11, Y14
	VMOVDQA Y11, Y15
	JMP ebody

elast:
	MOVQ mask+72(FP), R11
	VMOVDQU (R11), Y12
	VMOVDQU 32(R11), Y13
	VMOVDQU 64(R11), Y14
	VMOVDQU 96(R11), Y15

ebody:
	SEG(0, Y12, Y0, Y4)
	SEG(32, Y13, Y1, Y5)
	SEG(64, Y14, Y2, Y6)
	SEG(96, Y15, Y3, Y7)
	ADDQ $32, CX
	CMPQ CX, n+64(FP)
	JLT eblk
	ADDQ R8, SI
	ADDQ R9, R12
	ADDQ R9, R13
	DECQ R10
	JNZ erow
	FOLD8(Y0, Y1, Y2, Y3, X0, X1, 0(DI))
	FOLD8(Y4, Y5, Y6, Y7, X4, X5, 4(DI))
	ADDQ $8, DI
	ADDQ $16, DX
	DECQ groups+48(FP)
	JNZ egroup
	VZEROUPPER
	RET
