package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/dbr-go/dbr/internal/kernels"
)

func gemmKernel() string { return kernels.Kernel() }

// machine describes the CPU (model and the SIMD flags that matter here).
func machine() string {
	model, flags := "unknown", ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "model name":
				model = strings.TrimSpace(v)
			case "flags":
				var keep []string
				for _, f := range strings.Fields(v) {
					switch f {
					case "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_bf16":
						keep = append(keep, f)
					}
				}
				flags = strings.Join(keep, " ")
			}
		}
	}
	return fmt.Sprintf("CPU: %s, %d logical cores, %s/%s, flags: %s\n%s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, flags, loadavg())
}

// loadavg reports the machine's load (other processes skew every timing).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return fmt.Sprintf("load average (1, 5, 15 min): %s %s %s\n", f[0], f[1], f[2])
}
