package main

import "golang.org/x/sys/cpu"

// fmaLoopAVX2 and fmaLoopAVX512 run n iterations of independent FMAs on
// registers only (peak_amd64.s): 192 and 768 float32 flops per iteration.
//
//go:noescape
func fmaLoopAVX2(n int)

//go:noescape
func fmaLoopAVX512(n int)

func fmaLoops() []fmaLoop {
	var ls []fmaLoop
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ls = append(ls, fmaLoop{"AVX2", 192, fmaLoopAVX2})
	}
	if cpu.X86.HasAVX512F {
		ls = append(ls, fmaLoop{"AVX-512", 768, fmaLoopAVX512})
	}
	return ls
}
