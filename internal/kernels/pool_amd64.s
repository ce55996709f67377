#include "textflag.h"

// The 2x2, stride-2 max pool (pool_amd64.go). Window o's values are a =
// r0[2o], b = r0[2o+1], c = r1[2o], d = r1[2o+1]; its output is the first
// maximum in that order and its code the position 0-3 of that maximum:
// j1 = b > a, j2 = d > c (strict: ties keep the first), m1 = j1 ? b : a,
// m2 = j2 ? d : c, k = m2 > m1, code = k ? 2 + j2 : j1. Windows holding a NaN
// are left to the caller.

// func maxPool8AVX(out *float32, code *uint8, r0, r1 *float32) bool
// Eight windows; false, writing nothing, when one holds a NaN.
TEXT ·maxPool8AVX(SB), NOSPLIT, $0-33
	MOVQ r0+16(FP), SI
	MOVQ r1+24(FP), DX
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS (DX), Y2
	VMOVUPS 32(DX), Y3
	// a = even, b = odd elements of row 0; c, d of row 1 (in output order)
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y5
	VSHUFPS $0x88, Y3, Y2, Y6
	VSHUFPS $0xDD, Y3, Y2, Y7
	VPERMPD $0xD8, Y4, Y4
	VPERMPD $0xD8, Y5, Y5
	VPERMPD $0xD8, Y6, Y6
	VPERMPD $0xD8, Y7, Y7
	// any NaN?
	VCMPPS $3, Y5, Y4, Y8
	VCMPPS $3, Y7, Y6, Y9
	VORPS Y9, Y8, Y8
	VMOVMSKPS Y8, AX
	TESTL AX, AX
	JNZ nan8
	VCMPPS $0x1e, Y4, Y5, Y8    // j1 = b > a
	VCMPPS $0x1e, Y6, Y7, Y9    // j2 = d > c
	VBLENDVPS Y8, Y5, Y4, Y10   // m1 = j1 ? b : a
	VBLENDVPS Y9, Y7, Y6, Y11   // m2 = j2 ? d : c
	VCMPPS $0x1e, Y10, Y11, Y12 // k = m2 > m1
	VBLENDVPS Y12, Y11, Y10, Y13
	MOVQ out+0(FP), DI
	VMOVUPS Y13, (DI)
	// code = j1 + (k & (2 + j2 - j1)), in int32 lanes, packed to bytes
	VPSRLD $31, Y8, Y8          // j1 as 0/1
	VPSRLD $31, Y9, Y9          // j2 as 0/1
	MOVL $2, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	VPADDD Y9, Y14, Y14
	VPSUBD Y8, Y14, Y14
	VPAND Y12, Y14, Y14
	VPADDD Y8, Y14, Y14
	VEXTRACTI128 $1, Y14, X1
	VPACKUSDW X1, X14, X2
	VPACKUSWB X2, X2, X2
	MOVQ code+8(FP), DI
	MOVQ X2, (DI)
	VZEROUPPER
	MOVB $1, ret+32(FP)
	RET

nan8:
	VZEROUPPER
	MOVB $0, ret+32(FP)
	RET

// func maxPoolBack8AVX(r0, r1, grad *float32, code *uint8)
// Eight windows of the backward: the value at each window's code gets its g
// (its bits), the other three +0; all 16 values of r0 and of r1 are written.
TEXT ·maxPoolBack8AVX(SB), NOSPLIT, $0-32
	MOVQ r0+0(FP), SI
	MOVQ r1+8(FP), DX
	MOVQ grad+16(FP), DI
	MOVQ code+24(FP), BX
	VPMOVZXBD (BX), Y0
	VMOVUPS (DI), Y1
	VPXOR Y2, Y2, Y2
	VPCMPEQD Y2, Y0, Y3         // code == 0
	MOVL $1, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VPCMPEQD Y15, Y0, Y4        // == 1
	VPADDD Y15, Y15, Y14        // 2
	VPCMPEQD Y14, Y0, Y5        // == 2
	VPADDD Y15, Y14, Y14        // 3
	VPCMPEQD Y14, Y0, Y6        // == 3
	VANDPS Y1, Y3, Y3           // a's gradient
	VANDPS Y1, Y4, Y4           // b's
	VANDPS Y1, Y5, Y5           // c's
	VANDPS Y1, Y6, Y6           // d's
	VUNPCKLPS Y4, Y3, Y7        // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS Y4, Y3, Y8        // a2 b2 a3 b3 | a6 b6 a7 b7
	VPERM2F128 $0x20, Y8, Y7, Y9
	VPERM2F128 $0x31, Y8, Y7, Y10
	VMOVUPS Y9, (SI)
	VMOVUPS Y10, 32(SI)
	VUNPCKLPS Y6, Y5, Y7
	VUNPCKHPS Y6, Y5, Y8
	VPERM2F128 $0x20, Y8, Y7, Y9
	VPERM2F128 $0x31, Y8, Y7, Y10
	VMOVUPS Y9, (DX)
	VMOVUPS Y10, 32(DX)
	VZEROUPPER
	RET

// POOLMASKS sets K1 to the windows of this block (16, or the n - AX left
// of the row) and K2, K3 to their values in the first and second zmm of an
// input row.
#define POOLMASKS(full, body) \
	MOVQ R9, CX; \
	SUBQ AX, CX; \
	CMPQ CX, $16; \
	JGE full; \
	MOVL $1, R8; \
	SHLL CX, R8; \
	DECL R8; \
	KMOVW R8, K1; \
	ADDQ CX, CX; \
	MOVQ $1, R8; \
	SHLQ CX, R8; \
	DECQ R8; \
	KMOVW R8, K2; \
	SHRQ $16, R8; \
	KMOVW R8, K3; \
	JMP body; \
full: \
	KXNORW K1, K1, K1; \
	KXNORW K2, K2, K2; \
	KXNORW K3, K3, K3; \
body:

// func maxPool512(out *float32, code *uint8, x *float32, w, rows, n int) int
// rows > 0 rows of n > 0 windows, 16 at a time, each row's last block
// masked; returns how many outputs it wrote: rows·n, or those before the
// first block holding a NaN. DI, BX: the row's outputs and codes; SI, DX:
// its two input rows; AX: its windows done; R11: the rows' outputs before.
TEXT ·maxPool512(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ code+8(FP), BX
	MOVQ x+16(FP), SI
	MOVQ w+24(FP), R12
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R9
	SHLQ $2, R12
	LEAQ (SI)(R12*1), DX
	SHLQ $1, R12                 // two input rows, in bytes
	XORQ R11, R11
	VMOVDQU32 ·poolEven(SB), Z30
	VMOVDQU32 ·poolOdd(SB), Z31
	MOVL $1, R8
	VPBROADCASTD R8, Z29
	MOVL $2, R8
	VPBROADCASTD R8, Z28
	MOVL $3, R8
	VPBROADCASTD R8, Z27

prow:
	XORQ AX, AX

ploop:
	POOLMASKS(pfull, pbody)
	VMOVUPS.Z (SI)(AX*8), K2, Z0
	VMOVUPS.Z 64(SI)(AX*8), K3, Z1
	VMOVUPS.Z (DX)(AX*8), K2, Z2
	VMOVUPS.Z 64(DX)(AX*8), K3, Z3
	VMOVAPS Z0, Z4
	VPERMT2PS Z1, Z30, Z4        // a
	VMOVAPS Z0, Z5
	VPERMT2PS Z1, Z31, Z5        // b
	VMOVAPS Z2, Z6
	VPERMT2PS Z3, Z30, Z6        // c
	VMOVAPS Z2, Z7
	VPERMT2PS Z3, Z31, Z7        // d
	VCMPPS $3, Z5, Z4, K4        // a or b NaN (masked-off lanes hold 0)
	VCMPPS $3, Z7, Z6, K5
	KORTESTW K5, K4
	JNE pnan
	VCMPPS $0x1e, Z4, Z5, K4     // j1 = b > a
	VCMPPS $0x1e, Z6, Z7, K5     // j2 = d > c
	VBLENDMPS Z5, Z4, K4, Z8     // m1 = j1 ? b : a
	VBLENDMPS Z7, Z6, K5, Z9     // m2 = j2 ? d : c
	VCMPPS $0x1e, Z8, Z9, K6     // k = m2 > m1
	VBLENDMPS Z9, Z8, K6, Z10    // the maximum
	VPXORD Z11, Z11, Z11
	VMOVDQA32 Z29, K4, Z11       // j1
	VMOVDQA32 Z28, Z12
	VMOVDQA32 Z27, K5, Z12       // 2 + j2
	VMOVDQA32 Z12, K6, Z11       // the code
	VPMOVDB Z11, X11
	VMOVUPS Z10, K1, (DI)(AX*4)
	VMOVDQU8 X11, K1, (BX)(AX*1)
	ADDQ $16, AX
	CMPQ AX, R9
	JLT ploop
	LEAQ (DI)(R9*4), DI
	ADDQ R9, BX
	ADDQ R12, SI
	ADDQ R12, DX
	ADDQ R9, R11
	DECQ R10
	JNZ prow
	MOVQ R11, ret+48(FP)
	VZEROUPPER
	RET

pnan:
	ADDQ AX, R11
	MOVQ R11, ret+48(FP)
	VZEROUPPER
	RET

// func maxPoolBack512(gx *float32, w int, grad *float32, code *uint8, rows, n int)
// maxPoolBack8AVX for rows > 0 rows of n > 0 windows, 16 at a time, each
// row's last block masked (registers as in maxPool512, DI: the row's g).
TEXT ·maxPoolBack512(SB), NOSPLIT, $0-48
	MOVQ gx+0(FP), SI
	MOVQ w+8(FP), R12
	MOVQ grad+16(FP), DI
	MOVQ code+24(FP), BX
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R9
	SHLQ $2, R12
	LEAQ (SI)(R12*1), DX
	SHLQ $1, R12
	VMOVDQU32 ·poolLo(SB), Z30
	VMOVDQU32 ·poolHi(SB), Z31
	MOVL $1, R8
	VPBROADCASTD R8, Z29
	MOVL $2, R8
	VPBROADCASTD R8, Z28
	MOVL $3, R8
	VPBROADCASTD R8, Z27

brow:
	XORQ AX, AX

bloop:
	POOLMASKS(bfull, bbody)
	VMOVDQU8.Z (BX)(AX*1), K1, X0
	VPMOVZXBD X0, Z0
	VMOVUPS.Z (DI)(AX*4), K1, Z1 // g
	VPTESTNMD Z0, Z0, K4         // code == 0
	VPCMPEQD Z29, Z0, K5         // == 1
	VPCMPEQD Z28, Z0, K6         // == 2
	VPCMPEQD Z27, Z0, K7         // == 3
	VMOVAPS.Z Z1, K4, Z2         // a's gradient
	VMOVAPS.Z Z1, K5, Z3         // b's
	VMOVAPS.Z Z1, K6, Z4         // c's
	VMOVAPS.Z Z1, K7, Z5         // d's
	VMOVAPS Z2, Z6
	VPERMT2PS Z3, Z30, Z6        // a0 b0 ... a7 b7
	VPERMT2PS Z3, Z31, Z2        // a8 b8 ... a15 b15
	VMOVAPS Z4, Z7
	VPERMT2PS Z5, Z30, Z7
	VPERMT2PS Z5, Z31, Z4
	VMOVUPS Z6, K2, (SI)(AX*8)
	VMOVUPS Z2, K3, 64(SI)(AX*8)
	VMOVUPS Z7, K2, (DX)(AX*8)
	VMOVUPS Z4, K3, 64(DX)(AX*8)
	ADDQ $16, AX
	CMPQ AX, R9
	JLT bloop
	LEAQ (DI)(R9*4), DI
	ADDQ R9, BX
	ADDQ R12, SI
	ADDQ R12, DX
	DECQ R10
	JNZ brow
	VZEROUPPER
	RET

// Permutations of two zmm (indices 0-15 the first, 16-31 the second): the
// even and the odd elements, and the interleaving of the first halves and
// of the second halves.
DATA ·poolEven+0(SB)/4, $0
DATA ·poolEven+4(SB)/4, $2
DATA ·poolEven+8(SB)/4, $4
DATA ·poolEven+12(SB)/4, $6
DATA ·poolEven+16(SB)/4, $8
DATA ·poolEven+20(SB)/4, $10
DATA ·poolEven+24(SB)/4, $12
DATA ·poolEven+28(SB)/4, $14
DATA ·poolEven+32(SB)/4, $16
DATA ·poolEven+36(SB)/4, $18
DATA ·poolEven+40(SB)/4, $20
DATA ·poolEven+44(SB)/4, $22
DATA ·poolEven+48(SB)/4, $24
DATA ·poolEven+52(SB)/4, $26
DATA ·poolEven+56(SB)/4, $28
DATA ·poolEven+60(SB)/4, $30
GLOBL ·poolEven(SB), RODATA|NOPTR, $64
DATA ·poolOdd+0(SB)/4, $1
DATA ·poolOdd+4(SB)/4, $3
DATA ·poolOdd+8(SB)/4, $5
DATA ·poolOdd+12(SB)/4, $7
DATA ·poolOdd+16(SB)/4, $9
DATA ·poolOdd+20(SB)/4, $11
DATA ·poolOdd+24(SB)/4, $13
DATA ·poolOdd+28(SB)/4, $15
DATA ·poolOdd+32(SB)/4, $17
DATA ·poolOdd+36(SB)/4, $19
DATA ·poolOdd+40(SB)/4, $21
DATA ·poolOdd+44(SB)/4, $23
DATA ·poolOdd+48(SB)/4, $25
DATA ·poolOdd+52(SB)/4, $27
DATA ·poolOdd+56(SB)/4, $29
DATA ·poolOdd+60(SB)/4, $31
GLOBL ·poolOdd(SB), RODATA|NOPTR, $64
DATA ·poolLo+0(SB)/4, $0
DATA ·poolLo+4(SB)/4, $16
DATA ·poolLo+8(SB)/4, $1
DATA ·poolLo+12(SB)/4, $17
DATA ·poolLo+16(SB)/4, $2
DATA ·poolLo+20(SB)/4, $18
DATA ·poolLo+24(SB)/4, $3
DATA ·poolLo+28(SB)/4, $19
DATA ·poolLo+32(SB)/4, $4
DATA ·poolLo+36(SB)/4, $20
DATA ·poolLo+40(SB)/4, $5
DATA ·poolLo+44(SB)/4, $21
DATA ·poolLo+48(SB)/4, $6
DATA ·poolLo+52(SB)/4, $22
DATA ·poolLo+56(SB)/4, $7
DATA ·poolLo+60(SB)/4, $23
GLOBL ·poolLo(SB), RODATA|NOPTR, $64
DATA ·poolHi+0(SB)/4, $8
DATA ·poolHi+4(SB)/4, $24
DATA ·poolHi+8(SB)/4, $9
DATA ·poolHi+12(SB)/4, $25
DATA ·poolHi+16(SB)/4, $10
DATA ·poolHi+20(SB)/4, $26
DATA ·poolHi+24(SB)/4, $11
DATA ·poolHi+28(SB)/4, $27
DATA ·poolHi+32(SB)/4, $12
DATA ·poolHi+36(SB)/4, $28
DATA ·poolHi+40(SB)/4, $13
DATA ·poolHi+44(SB)/4, $29
DATA ·poolHi+48(SB)/4, $14
DATA ·poolHi+52(SB)/4, $30
DATA ·poolHi+56(SB)/4, $15
DATA ·poolHi+60(SB)/4, $31
GLOBL ·poolHi(SB), RODATA|NOPTR, $64
