// Command bench times the same workloads in dbr and in PyTorch, interleaved
// in one run, and prints a table of medians and ratios.
//
//	go run ./bench                 # everything, 5 rounds
//	go run ./bench -rounds 3 -only gemm
//
// Each round runs every workload once in dbr (in this process) and once in
// each PyTorch worker (a long-lived /usr/bin/python3 bench/torch_worker.py
// process fed one request per line), so slow phases of a shared machine hit
// both sides alike; the table shows the median over rounds. Debian's
// PyTorch calls whichever libblas.so.3 the system selects, which is the slow
// reference BLAS unless OpenBLAS is installed; by default the bench puts
// OpenBLAS (libopenblas0-pthread) first on PyTorch's LD_LIBRARY_PATH when it
// is there and removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from that
// worker's environment, so OpenBLAS picks its best kernel for the CPU
// (-torchblas chooses). Each worker reports its OpenBLAS core and checks one
// torch.mm against a float64 product first; a wrong one is not timed. The
// bench also measures the CPU's FMA peak (AVX2, AVX-512) and shows GEMM rates
// as a percentage of it. Without python3-torch only dbr is measured.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"
)

var (
	rounds    = flag.Int("rounds", 5, "rounds; each runs every workload once per side")
	minTime   = flag.Duration("min", 200*time.Millisecond, "minimum timed duration of one sample")
	only      = flag.String("only", "", "run only workloads whose name contains one of these comma-separated words")
	python    = flag.String("python", "/usr/bin/python3", "python with torch; empty to skip PyTorch")
	cpuprof   = flag.String("cpuprofile", "", "write a CPU profile of the dbr side to this file")
	data      = flag.String("data", "/usr/share/datasets/fashion-mnist", "Fashion-MNIST directory (Debian's dataset-fashion-mnist) for the epoch rows")
	openblas  = flag.String("openblas", "/usr/lib/x86_64-linux-gnu/openblas-pthread", "directory with OpenBLAS's libblas.so.3, put first on PyTorch's LD_LIBRARY_PATH")
	torchBLAS = flag.String("torchblas", "best", "PyTorch columns, comma-separated: best (OpenBLAS without the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE), held (OpenBLAS with them), installed (the system's libblas.so.3)")
)

// workload is one table row: a dbr step and the matching torch_worker.py request.
type workload struct {
	name    string
	threads int
	flops   float64 // > 0: report GFLOP/s instead of time per step
	target  string  // the goal for dbr/torch, e.g. ">=0.9" (empty: none)
	torch   request
	setup   func() func() // builds the dbr workload, returns one step
	// run, when set, replaces setup: it returns seconds per step measured
	// some other way (e.g. a whole epoch in a child process).
	run func() (float64, error)
}

func main() {
	flag.Parse()
	var ws []workload
	for _, w := range workloads() {
		if selected(w.name) {
			w.target = kernelTarget(w, gemmKernel())
			ws = append(ws, w)
		}
	}
	var workers []*torchWorker
	if *python != "" {
		setups, err := torchSetups()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
		for _, setup := range setups {
			tw, err := startTorch(*python, setup)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench: PyTorch side skipped:", err)
				continue
			}
			defer tw.close()
			workers = append(workers, tw)
		}
	}
	fmt.Print(machine())
	for _, tw := range workers {
		fmt.Printf("PyTorch %s (%s): BLAS core %q, torch.mm error %.2g of the float32 bound\n", tw.version, tw.label, tw.core, tw.gemmErr)
	}
	peaks = fmaPeaks()
	for _, p := range peaks {
		fmt.Printf("FMA peak, one thread, %s: %.1f GFLOP/s (float32)\n", p.name, p.gflops)
	}
	fmt.Printf("dbr: %s, gemm kernel %s, GOMAXPROCS %d\n\n", runtime.Version(), gemmKernel(), runtime.GOMAXPROCS(0))

	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	samples := make([][][]float64, len(ws)) // wall seconds per step, [workload][side][round]
	cpu := make([][][]float64, len(ws))     // CPU seconds per step (process time), the same way
	for i := range samples {
		samples[i] = make([][]float64, 1+len(workers))
		cpu[i] = make([][]float64, 1+len(workers))
	}
	steps := make([]func(), len(ws))
	procs := runtime.GOMAXPROCS(0)
	for r := 0; r < *rounds; r++ {
		fmt.Fprintf(os.Stderr, "round %d/%d\n", r+1, *rounds)
		for i, w := range ws {
			if w.threads > 1 {
				// PyTorch's BLAS and OpenMP threads keep spinning for a while
				// after their last call (OpenBLAS about 0.1 s): give them time
				// to sleep, or dbr's second thread finds its core taken.
				time.Sleep(300 * time.Millisecond)
			}
			runtime.GOMAXPROCS(w.threads)
			var sec, cs float64
			if w.run != nil {
				s, err := w.run()
				if err != nil {
					fmt.Fprintf(os.Stderr, "bench: %s: %v\n", w.name, err)
					s = 0
				}
				sec = s
			} else {
				if steps[i] == nil {
					steps[i] = w.setup()
				}
				sec, cs = measure(steps[i], *minTime)
			}
			runtime.GOMAXPROCS(procs)
			samples[i][0] = append(samples[i][0], sec)
			cpu[i][0] = append(cpu[i][0], cs)
			for k, tw := range workers {
				s, c, err := tw.run(w.torch, w.threads, *minTime)
				if err != nil {
					fmt.Fprintf(os.Stderr, "bench: torch %s: %s: %v\n", tw.label, w.name, err)
					s, c = 0, 0
				}
				samples[i][1+k] = append(samples[i][1+k], s)
				cpu[i][1+k] = append(cpu[i][1+k], c)
			}
		}
	}
	printTable(ws, workers, samples, cpu)
	fmt.Print("after the run, ", loadavg())
}

func selected(name string) bool {
	if *only == "" {
		return true
	}
	for _, w := range strings.Split(*only, ",") {
		if w != "" && strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// measure returns the wall and CPU (process) seconds per call of f: one
// warm-up call, then batches of calls growing until one batch lasts at least min.
func measure(f func(), min time.Duration) (wall, cpu float64) {
	f()
	n := 1
	for {
		t0, c0 := time.Now(), processCPU()
		for i := 0; i < n; i++ {
			f()
		}
		d := time.Since(t0)
		if d >= min {
			return d.Seconds() / float64(n), (processCPU() - c0) / float64(n)
		}
		next := int(float64(n) * min.Seconds() / max(d.Seconds(), 1e-9) * 1.2)
		n = max(2*n, next)
	}
}

// processCPU returns the CPU time of this process in seconds (all threads:
// the garbage collector's work counts).
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}

func median(xs []float64) float64 {
	var v []float64
	for _, x := range xs {
		if x > 0 {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// value turns seconds per step into the displayed unit (GFLOP/s or time).
func value(w workload, sec float64) float64 {
	if sec == 0 {
		return 0
	}
	if w.flops > 0 {
		return w.flops / sec / 1e9
	}
	return sec
}

func format(w workload, v float64) string {
	switch {
	case v == 0:
		return "-"
	case w.flops > 0:
		return fmt.Sprintf("%.1f GFLOP/s", v) + ofPeak(v, w.threads)
	case v >= 1:
		return fmt.Sprintf("%.2f s", v)
	case v >= 1e-3:
		return fmt.Sprintf("%.2f ms", v*1e3)
	}
	return fmt.Sprintf("%.2f µs", v*1e6)
}

// kernelTarget is w's target for dbr running the given GEMM kernel. The
// targets in the workloads are those of a CPU with AVX-512 against PyTorch
// at its best; on a CPU without it (or with DBR_CPU=avx2 or generic, against
// PyTorch's AVX2 OpenBLAS) the earlier ones hold: every GEMM row ≥ 0.9× and
// every training row ≤ 1.0×.
func kernelTarget(w workload, kernel string) string {
	if kernel == "avx512" {
		return w.target
	}
	switch {
	case strings.HasPrefix(w.name, "gemm "):
		return ">=0.9"
	case w.target == "<=0.8":
		return "<=1.0"
	}
	return w.target
}

// met reports whether ratio satisfies target (">=x" or "<=x").
func met(target string, ratio float64) string {
	if target == "" || ratio == 0 {
		return ""
	}
	var x float64
	if _, err := fmt.Sscanf(target[2:], "%g", &x); err != nil {
		return "?"
	}
	if (target[:2] == ">=" && ratio >= x) || (target[:2] == "<=" && ratio <= x) {
		return "yes"
	}
	return "no"
}

func printTable(ws []workload, workers []*torchWorker, samples, cpu [][][]float64) {
	head := []string{"workload", "thr", "dbr"}
	for _, tw := range workers {
		head = append(head, "torch "+tw.label, "dbr/torch", "target", "met", "cpu dbr/torch")
	}
	if len(workers) == 0 { // dbr alone: its CPU time, steadier than wall time on a busy machine
		head = append(head, "dbr cpu")
	}
	rows := [][]string{head}
	for i, w := range ws {
		d := value(w, median(samples[i][0]))
		row := []string{w.name, fmt.Sprint(w.threads), format(w, d)}
		for k := range workers {
			t := value(w, median(samples[i][1+k]))
			ratio := 0.0
			if d > 0 && t > 0 {
				ratio = d / t
			}
			rs := "-"
			if ratio > 0 {
				rs = fmt.Sprintf("%.2f", ratio)
			}
			// CPU-time ratio for one-thread rows: less sensitive to other
			// processes taking the CPU than wall time (not to cache sharing).
			cr := "-"
			if dc, tc := median(cpu[i][0]), median(cpu[i][1+k]); w.threads == 1 && dc > 0 && tc > 0 {
				cr = fmt.Sprintf("%.2f", dc/tc)
				if w.flops > 0 {
					cr = fmt.Sprintf("%.2f", tc/dc)
				}
			}
			row = append(row, format(w, t), rs, w.target, met(w.target, ratio), cr)
		}
		if len(workers) == 0 {
			cs := "-"
			if dc := median(cpu[i][0]); w.threads == 1 && dc > 0 {
				cs = format(w, value(w, dc))
			}
			row = append(row, cs)
		}
		rows = append(rows, row)
	}
	width := make([]int, len(head))
	for _, r := range rows {
		for j, c := range r {
			width[j] = max(width[j], len([]rune(c)))
		}
	}
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("|")
		for j, c := range r {
			b.WriteString(" " + c + strings.Repeat(" ", width[j]-len([]rune(c))) + " |")
		}
		fmt.Println(b.String())
		if ri == 0 {
			b.Reset()
			b.WriteString("|")
			for j := range r {
				b.WriteString(strings.Repeat("-", width[j]+2) + "|")
			}
			fmt.Println(b.String())
		}
	}
	fmt.Println("\ndbr/torch: ratio of the shown medians over", *rounds, "rounds (GFLOP/s: higher is better for dbr; time: lower is better);")
	fmt.Println("met: against the target, on wall time; cpu dbr/torch: the same ratio on process CPU time (one-thread rows)")
}
