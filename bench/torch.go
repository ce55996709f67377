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
	cmd            *exec.Cmd
	in             io.WriteCloser
	out            *bufio.Scanner
	script         string
}

// torchEnvs lists the environments of the PyTorch workers to run, as -torchblas says.
func torchEnvs() [][]string {
	var ob []string
	if *openblas != "" {
		if _, err := os.Stat(filepath.Join(*openblas, "libblas.so.3")); err == nil {
			ob = []string{"LD_LIBRARY_PATH=" + *openblas}
		}
	}
	switch {
	case *torchBLAS == "installed" || ob == nil:
		return [][]string{nil}
	case *torchBLAS == "both":
		return [][]string{nil, ob}
	}
	return [][]string{ob}
}

func startTorch(python string, env []string) (*torchWorker, error) {
	f, err := os.CreateTemp("", "dbr-torch-worker-*.py")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(workerSource); err != nil {
		return nil, err
	}
	f.Close()
	cmd := exec.Command(python, f.Name())
	cmd.Env = append(os.Environ(), env...)
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
	var info struct{ Torch, Blas, Error string }
	if err := tw.call(request{Name: "info"}, &info); err != nil {
		tw.close()
		return nil, fmt.Errorf("%s cannot run PyTorch: %v", python, err)
	}
	tw.version = info.Torch
	tw.label = info.Blas
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
