//go:build !purego

#include "textflag.h"

// func addRowsAVX(h *bucket, rows *int32, nrows int, bins *uint8, p int, off *int, grad, hess *float64, count bool)
//
// For each row i of rows and feature f, the bucket at h + 24·(off[f] +
// bins[i·p+f]) gets the row's gradient added to its g (and its hessian to
// its h, both in one VADDPD) and, with count, 1 added to its n. There is
// one loop for each combination of hessians and counting, four features
// a step. DI h, SI the next row, R8 the end of rows, BX bins, DX p, R14
// p−4, R9 off, R10 grad, R11 hess, R12 the row's bins, CX f, X0 the row's
// gradient (and hessian).

// BUCKET sets R to the bucket index, times 3, of feature CX+k of the row:
// k8 is 8·k.
#define BUCKET(k, k8, R) MOVBQZX k(R12)(CX*1), R; ADDQ k8(R9)(CX*8), R; LEAQ (R)(R*2), R

#define ADDGHN(R) VADDPD (DI)(R*8), X0, X1; VMOVUPD X1, (DI)(R*8); INCQ 16(DI)(R*8)
#define ADDGH(R) VADDPD (DI)(R*8), X0, X1; VMOVUPD X1, (DI)(R*8)
#define ADDGN(R) VADDSD (DI)(R*8), X0, X1; VMOVSD X1, (DI)(R*8); INCQ 16(DI)(R*8)
#define ADDG(R) VADDSD (DI)(R*8), X0, X1; VMOVSD X1, (DI)(R*8)

// ROWS is the loop over rows, LOAD setting X0 from AX, the row, and ADD
// adding X0 to one bucket; row, four, one and next are its labels.
#define ROWS(LOAD, ADD, row, four, one, next) \
row:                                          \
	MOVLQSX (SI), AX                          \
	LOAD                                      \
	IMULQ   DX, AX                            \
	LEAQ    (BX)(AX*1), R12                   \
	XORQ    CX, CX                            \
	CMPQ    CX, R14                           \
	JGT     one                               \
four:                                         \
	BUCKET(0, 0, R13); ADD(R13)               \
	BUCKET(1, 8, R15); ADD(R15)               \
	BUCKET(2, 16, R13); ADD(R13)              \
	BUCKET(3, 24, R15); ADD(R15)              \
	ADDQ    $4, CX                            \
	CMPQ    CX, R14                           \
	JLE     four                              \
one:                                          \
	CMPQ    CX, DX                            \
	JGE     next                              \
	BUCKET(0, 0, R13); ADD(R13)               \
	INCQ    CX                                \
	JMP     one                               \
next:                                         \
	ADDQ    $4, SI                            \
	CMPQ    SI, R8                            \
	JLT     row                               \
	RET

#define LOADGH VMOVSD (R10)(AX*8), X0; VMOVHPD (R11)(AX*8), X0, X0
#define LOADG VMOVSD (R10)(AX*8), X0

TEXT ·addRowsAVX(SB), NOSPLIT, $0-65
	MOVQ    h+0(FP), DI
	MOVQ    rows+8(FP), SI
	MOVQ    nrows+16(FP), R8
	LEAQ    (SI)(R8*4), R8
	MOVQ    bins+24(FP), BX
	MOVQ    p+32(FP), DX
	LEAQ    -4(DX), R14
	MOVQ    off+40(FP), R9
	MOVQ    grad+48(FP), R10
	MOVQ    hess+56(FP), R11
	MOVBQZX count+64(FP), AX
	TESTQ   R11, R11
	JZ      unit
	TESTQ   AX, AX
	JZ      gh
	ROWS(LOADGH, ADDGHN, ghnrow, ghnfour, ghnone, ghnnext)

gh:
	ROWS(LOADGH, ADDGH, ghrow, ghfour, ghone, ghnext)

unit:
	TESTQ AX, AX
	JZ    gonly
	ROWS(LOADG, ADDGN, gnrow, gnfour, gnone, gnnext)

gonly:
	ROWS(LOADG, ADDG, grow, gfour, gone, gnext)

// func subtractAVX(h, o *bucket, n int)
//
// Each bucket's gradient and hessian sums in one VSUBPD, its count in a
// SUBQ.
TEXT ·subtractAVX(SB), NOSPLIT, $0-24
	MOVQ h+0(FP), DI
	MOVQ o+8(FP), SI
	MOVQ n+16(FP), CX

subloop:
	VMOVUPD (DI), X0
	VSUBPD  (SI), X0, X0
	VMOVUPD X0, (DI)
	MOVQ    16(SI), AX
	SUBQ    AX, 16(DI)
	ADDQ    $24, DI
	ADDQ    $24, SI
	DECQ    CX
	JNZ     subloop
	RET

// func scanAMD64(hb []bucket, lg, lh float64, ln int, c *scanNode, bestGain float64) (float64, int)
//
// scanGo, operation for operation. X0 lg, X1 lh, X2 c.g, X3 c.h, X4
// minHess, X5 l2, X6 parent, X7 bestGain, X8 bound, X9 shrink; SI the
// bins, DX their number, CX b, R8 ln, R9 maxLeft, AX the best bin.
TEXT ·scanAMD64(SB), NOSPLIT, $0-80
	MOVQ  hb_base+0(FP), SI
	MOVQ  hb_len+8(FP), DX
	MOVSD lg+24(FP), X0
	MOVSD lh+32(FP), X1
	MOVQ  ln+40(FP), R8
	MOVQ  c+48(FP), DI
	MOVSD bestGain+56(FP), X7
	MOVSD 0(DI), X2
	MOVSD 8(DI), X3
	MOVQ  16(DI), R9
	MOVSD 24(DI), X4
	MOVSD 32(DI), X5
	MOVSD 40(DI), X6
	MOVSD 48(DI), X9
	MOVAPD X7, X8
	ADDSD X6, X8
	MULSD X9, X8
	MOVQ  $-2, AX
	MOVQ  $-1, CX

scanloop:
	CMPQ    R8, R9
	JGT     scandone
	MOVAPD  X3, X10
	SUBSD   X1, X10           // rh
	UCOMISD X10, X4
	JHI     scandone          // rh < minHess
	MOVAPD  X2, X11
	SUBSD   X0, X11           // rg
	MOVAPD  X1, X12
	ADDSD   X5, X12           // dl
	ADDSD   X5, X10           // dr
	MOVAPD  X0, X13
	MULSD   X0, X13
	MULSD   X10, X13          // lg·lg·dr
	MULSD   X11, X11
	MULSD   X12, X11          // rg·rg·dl
	ADDSD   X11, X13          // num
	MULSD   X10, X12          // den
	MOVAPD  X8, X14
	MULSD   X12, X14          // bound·den
	UCOMISD X14, X13
	JCS     scannext          // num < bound·den, or NaN
	DIVSD   X12, X13
	SUBSD   X6, X13           // gain
	UCOMISD X7, X13
	JLS     scannext          // gain <= bestGain, or NaN
	MOVAPD  X13, X7
	MOVQ    CX, AX
	MOVAPD  X7, X8
	ADDSD   X6, X8
	MULSD   X9, X8

scannext:
	INCQ  CX
	CMPQ  CX, DX
	JEQ   scandone
	LEAQ  (CX)(CX*2), R10
	ADDSD (SI)(R10*8), X0
	ADDSD 8(SI)(R10*8), X1
	ADDQ  16(SI)(R10*8), R8
	JMP   scanloop

scandone:
	MOVSD X7, ret+64(FP)
	MOVQ  AX, ret1+72(FP)
	RET

// func scanUnitAMD64(hb []bucket, lg float64, ln int, c *scanNode, inv *float64, bestGain float64) (float64, int)
//
// scanUnitGo, operation for operation. X0 lg, X2 c.g, X6 parent, X7
// bestGain; SI the bins, DX their number, CX b, R8 ln, R9 maxLeft, R11
// c.n, BX inv, AX the best bin. ln stays in 0..maxLeft and maxLeft <= c.n
// (checked by scanUnit), so inv[ln] and inv[c.n-ln] are in range.
TEXT ·scanUnitAMD64(SB), NOSPLIT, $0-80
	MOVQ  hb_base+0(FP), SI
	MOVQ  hb_len+8(FP), DX
	MOVSD lg+24(FP), X0
	MOVQ  ln+32(FP), R8
	MOVQ  c+40(FP), DI
	MOVQ  inv+48(FP), BX
	MOVSD bestGain+56(FP), X7
	MOVSD 0(DI), X2
	MOVQ  16(DI), R9
	MOVSD 40(DI), X6
	MOVQ  56(DI), R11
	MOVQ  $-2, AX
	MOVQ  $-1, CX

unitloop:
	CMPQ    R8, R9
	JGT     unitdone
	MOVAPD  X2, X11
	SUBSD   X0, X11           // rg
	MOVAPD  X0, X13
	MULSD   X0, X13
	MULSD   (BX)(R8*8), X13   // lg·lg·inv[ln]
	MOVQ    R11, R10
	SUBQ    R8, R10
	MULSD   X11, X11
	MULSD   (BX)(R10*8), X11  // rg·rg·inv[n-ln]
	ADDSD   X11, X13
	SUBSD   X6, X13           // gain
	UCOMISD X7, X13
	JLS     unitnext          // gain <= bestGain, or NaN
	MOVAPD  X13, X7
	MOVQ    CX, AX

unitnext:
	INCQ  CX
	CMPQ  CX, DX
	JEQ   unitdone
	LEAQ  (CX)(CX*2), R10
	ADDSD (SI)(R10*8), X0
	ADDQ  16(SI)(R10*8), R8
	JMP   unitloop

unitdone:
	MOVSD X7, ret+64(FP)
	MOVQ  AX, ret1+72(FP)
	RET
