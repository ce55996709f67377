package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// epochWorkloads lists one Fashion-MNIST epoch of the MLP run as a script
// through dbr-repl and as a compiled program (bench/epoch/main.go), against
// the same epoch in PyTorch. They need the data set and must run from the
// repository root (they build cmd/dbr-repl and bench/epoch).
func epochWorkloads() []workload {
	if _, err := os.Stat(filepath.Join(*data, "train-images-idx3-ubyte.gz")); err != nil {
		fmt.Fprintf(os.Stderr, "bench: epoch rows skipped: no Fashion-MNIST in %s (-data)\n", *data)
		return nil
	}
	dir, err := os.MkdirTemp("", "dbr-bench-")
	if err != nil {
		return nil
	}
	repl, epoch := filepath.Join(dir, "dbr-repl"), filepath.Join(dir, "epoch")
	var ws []workload
	torch := request{Name: "epoch", Args: map[string]any{"dir": *data}, Once: true}
	if out, err := exec.Command("go", "build", "-o", repl, "./cmd/dbr-repl").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: epoch through dbr-repl skipped: building cmd/dbr-repl: %v\n%s", err, out)
	} else {
		ws = append(ws, workload{name: "mlp epoch (dbr-repl)", threads: 1, target: "<=0.8", torch: torch,
			run: func() (float64, error) { return runEpoch(repl, "bench/epoch/main.go") }})
	}
	if out, err := exec.Command("go", "build", "-o", epoch, "./bench/epoch").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: compiled epoch skipped: %v\n%s", err, out)
	} else {
		ws = append(ws, workload{name: "mlp epoch (compiled)", threads: 1, target: "<=1.0", torch: torch,
			run: func() (float64, error) { return runEpoch(epoch) }})
	}
	return ws
}

// runEpoch runs the epoch program with GOMAXPROCS=1 (PyTorch runs one
// thread) and returns the epoch time it prints.
func runEpoch(argv ...string) (float64, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%v: %v\n%s%s", argv, err, out, stderr.Bytes())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "epoch_seconds "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("%v printed no epoch_seconds line:\n%s", argv, out)
}
