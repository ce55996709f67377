#include "textflag.h"

// func copyRowsAVX(dst *float32, ds int, src *float32, ss, rows, n int)
// rows > 0 runs of n > 0 floats, ds and ss floats apart: blocks of 8, then a
// VMASKMOVPS load and store of the n mod 8 left (the masked-off lanes are
// neither read nor written).
TEXT ·copyRowsAVX(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ds+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ss+24(FP), R9
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	// Y15: lanes j < n mod 8 set (j < t as t > j)
	MOVQ R11, AX
	ANDQ $7, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VMOVDQU ·lane8(SB), Y14
	VPCMPGTD Y14, Y15, Y15
	SHRQ $3, R11                // whole blocks per run

crow:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ ctail

cblk:
	VMOVUPS (AX), Y0
	VMOVUPS Y0, (BX)
	ADDQ $32, AX
	ADDQ $32, BX
	DECQ CX
	JNZ cblk

ctail:
	VMASKMOVPS (AX), Y15, Y0
	VMASKMOVPS Y0, Y15, (BX)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ R10
	JNZ crow
	VZEROUPPER
	RET

// func copyRows512(dst *float32, ds int, src *float32, ss, rows, n int)
// copyRowsAVX with blocks of 16 and a masked load and store of the rest.
TEXT ·copyRows512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ds+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ss+24(FP), R9
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	MOVQ R11, CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1                // the n mod 16 left
	SHRQ $4, R11                // whole blocks per run

zrow:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ ztail

zblk:
	VMOVUPS (AX), Z0
	VMOVUPS Z0, (BX)
	ADDQ $64, AX
	ADDQ $64, BX
	DECQ CX
	JNZ zblk

ztail:
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS Z0, K1, (BX)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ R10
	JNZ zrow
	VZEROUPPER
	RET

// 0, 1, ..., 7 as int32 lanes.
DATA ·lane8+0(SB)/4, $0
DATA ·lane8+4(SB)/4, $1
DATA ·lane8+8(SB)/4, $2
DATA ·lane8+12(SB)/4, $3
DATA ·lane8+16(SB)/4, $4
DATA ·lane8+20(SB)/4, $5
DATA ·lane8+24(SB)/4, $6
DATA ·lane8+28(SB)/4, $7
GLOBL ·lane8(SB), RODATA|NOPTR, $32
