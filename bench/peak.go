package main

import (
	"fmt"
	"runtime"
	"time"
)

// fmaLoop is an unrolled loop of independent fused multiply-adds on
// registers: its rate is the core's float32 peak for that instruction set.
type fmaLoop struct {
	name  string
	flops float64 // per iteration
	run   func(n int)
}

type peak struct {
	name   string
	gflops float64 // one thread
}

// peaks holds the measured FMA peaks (fmaPeaks), widest last; GEMM rows are
// shown as a percentage of the widest times their threads.
var peaks []peak

// fmaPeaks measures each FMA loop the CPU runs on one locked thread: the
// best of 15 runs of about 20 ms (the best, because another process can
// only slow a run down).
func fmaPeaks() []peak {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ps []peak
	for _, l := range fmaLoops() {
		n := 1 << 16
		for {
			t := time.Now()
			l.run(n)
			if time.Since(t) > 20*time.Millisecond {
				break
			}
			n *= 2
		}
		best := 0.0
		for i := 0; i < 15; i++ {
			t := time.Now()
			l.run(n)
			best = max(best, float64(n)*l.flops/time.Since(t).Seconds()/1e9)
		}
		ps = append(ps, peak{l.name, best})
	}
	return ps
}

// ofPeak formats GFLOP/s on threads as a percentage of the widest FMA peak.
func ofPeak(gflops float64, threads int) string {
	if len(peaks) == 0 || gflops == 0 {
		return ""
	}
	p := peaks[len(peaks)-1]
	return fmt.Sprintf(" (%.0f%%)", 100*gflops/(p.gflops*float64(threads)))
}
