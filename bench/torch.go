package main

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

//go:embed torch_worker.py
var workerSource []byte

// request is one line sent to torch_worker.py.
type request struct {
	Name    string         `json:"name"`
	Args    map[string]any `json:"args"`
	Threads int            `json:"threads"`
	MinTime float64        `json:"min_time"`
	Once    bool           `json:"once,omitempty"` // one timed call, no warm-up (a whole epoch)
}

type torchWorker struct {
	label, version string
	core           string  // OpenBLAS's openblas_get_corename ("" for another BLAS)
	gemmErr        float64 // torch.mm's largest error over the float32 bound (see gemm_check)
	cmd            *exec.Cmd
	in             io.WriteCloser
	out            *bufio.Scanner
	script         string
}

// heldBack are the environment variables through which this machine holds
// OpenBLAS back (OPENBLAS_CORETYPE=Haswell picks its AVX2 kernel on an
// AVX-512 CPU). The PyTorch worker measured "at its best" runs without them;
// only that child process: tests and CI keep the machine's setting.
var heldBack = []string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}

// torchSetup is one PyTorch worker's library choice: its column label and
// its environment.
type torchSetup struct {
	label string
	env   []string
}

// torchSetups lists the PyTorch workers to run, as -torchblas says: a
// comma-separated list of best (OpenBLAS, with the held-back variables
// removed), held (OpenBLAS with the machine's environment as it is) and
// installed (the system's libblas.so.3).
func torchSetups() ([]torchSetup, error) {
	var ld string
	if *openblas != "" {
		if _, err := os.Stat(filepath.Join(*openblas, "libblas.so.3")); err == nil {
			ld = "LD_LIBRARY_PATH=" + *openblas
		}
	}
	var out []torchSetup
	for _, name := range strings.Split(*torchBLAS, ",") {
		switch name {
		case "best":
			out = append(out, torchSetup{"best", withOpenBLAS(ld, withoutVars(os.Environ(), heldBack))})
		case "held":
			out = append(out, torchSetup{"held", withOpenBLAS(ld, os.Environ())})
		case "installed":
			out = append(out, torchSetup{"installed", os.Environ()})
		default:
			return nil, fmt.Errorf("-torchblas %q: want a comma-separated list of best, held, installed", *torchBLAS)
		}
	}
	return out, nil
}

func withOpenBLAS(ld string, env []string) []string {
	if ld == "" {
		return env
	}
	return append(withoutVars(env, []string{"LD_LIBRARY_PATH"}), ld)
}

// withoutVars returns env without the variables named in drop.
func withoutVars(env, drop []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			out = append(out, kv)
		}
	}
	return out
}

func startTorch(python string, setup torchSetup) (*torchWorker, error) {
	f, err := os.CreateTemp("", "dbr-torch-worker-*.py")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(workerSource); err != nil {
		return nil, err
	}
	f.Close()
	cmd := exec.Command(python, f.Name())
	cmd.Env = setup.env
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	tw := &torchWorker{cmd: cmd, in: in, out: bufio.NewScanner(outp), script: f.Name()}
	var info struct {
		Torch, Blas, Core, Error string
		GemmErr                  float64 `json:"gemm_err"`
	}
	if err := tw.call(request{Name: "info"}, &info); err != nil {
		tw.close()
		return nil, fmt.Errorf("%s cannot run PyTorch: %v", python, err)
	}
	tw.version, tw.core, tw.gemmErr = info.Torch, info.Core, info.GemmErr
	tw.label = info.Blas
	if info.Blas == "openblas" {
		tw.label = setup.label
	}
	// A BLAS kernel that computes wrong results is not timed.
	if !(info.GemmErr <= 1) {
		tw.close()
		return nil, fmt.Errorf("PyTorch %s (%s %s): torch.mm is wrong, error %.3g times the float32 bound", setup.label, info.Blas, info.Core, info.GemmErr)
	}
	return tw, nil
}

func (tw *torchWorker) call(req request, resp any) error {
	b, _ := json.Marshal(req)
	if _, err := tw.in.Write(append(b, '\n')); err != nil {
		return err
	}
	if !tw.out.Scan() {
		if err := tw.out.Err(); err != nil {
			return err
		}
		return fmt.Errorf("worker exited")
	}
	return json.Unmarshal(tw.out.Bytes(), resp)
}

// run times one workload in the worker and returns wall and CPU seconds per step.
func (tw *torchWorker) run(req request, threads int, min time.Duration) (wall, cpu float64, err error) {
	req.Threads = threads
	req.MinTime = min.Seconds()
	var resp struct {
		Sec   float64
		CPU   float64
		Error string
	}
	if err := tw.call(req, &resp); err != nil {
		return 0, 0, err
	}
	if resp.Error != "" {
		return 0, 0, fmt.Errorf("%s", strings.TrimSpace(resp.Error))
	}
	return resp.Sec, resp.CPU, nil
}

func (tw *torchWorker) close() {
	tw.in.Close()
	tw.cmd.Wait()
	os.Remove(tw.script)
}
