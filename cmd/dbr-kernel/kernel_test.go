package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python is Debian's Python, which has the Jupyter packages the tests use
// (python3 on PATH may be another one).
const python = "/usr/bin/python3"

// needPython skips the test unless Debian's python3 can import modules.
func needPython(t *testing.T, modules ...string) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s is missing (apt-get install python3 %s)", python, debs(modules))
	}
	for _, m := range modules {
		if out, err := exec.Command(python, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Skipf("%s cannot import %s (apt-get install %s): %s", python, m, debs(modules), bytes.TrimSpace(out))
		}
	}
}

func debs(modules []string) string {
	pkg := map[string]string{"jupyter_kernel_test": "python3-jupyter-kernel-test", "jupyter_client": "python3-jupyter-client",
		"nbclient": "python3-nbclient", "nbformat": "python3-nbformat", "notebook": "jupyter-notebook"}
	var out []string
	for _, m := range modules {
		out = append(out, pkg[m])
	}
	return strings.Join(out, " ")
}

// installKernel builds dbr-kernel, installs its kernelspec under a
// temporary prefix, and returns the environment that makes Jupyter find it
// (and only it, with the user's own Jupyter files out of the way).
func installKernel(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "dbr-kernel")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("dbr-kernel install: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	return append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(home, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(home, "runtime"),
		"JUPYTER_DATA_DIR="+filepath.Join(home, "data"),
		"IPYTHONDIR="+filepath.Join(home, "ipython"),
		"JUPYTER_PLATFORM_DIRS=1",
	)
}

// runPython runs a test script of testdata with env and fails the test
// with its output when a test in it fails, or when one skipped and
// mustRun is set.
func runPython(t *testing.T, env []string, script string, mustRun bool) {
	t.Helper()
	cmd := exec.Command(python, filepath.Join("testdata", script))
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	if !bytes.Contains(out, []byte("\nOK")) {
		t.Fatalf("%s did not report OK:\n%s", script, out)
	}
	if mustRun && bytes.Contains(out, []byte("skipped")) {
		t.Errorf("%s skipped tests (each must run):\n%s", script, out)
	}
	t.Logf("%s", out)
}

// TestJupyterKernelTest runs every test of Debian's jupyter_kernel_test
// (kernel info, stdout and stderr streams, completion, is_complete, the
// pager, errors, execute_result, display_data, history, inspect,
// clear_output) against the kernel.
func TestJupyterKernelTest(t *testing.T) {
	needPython(t, "jupyter_kernel_test", "jupyter_client")
	runPython(t, installKernel(t), "kerneltest.py", true)
}

// TestJupyterClient drives the kernel with jupyter_client for what
// jupyter_kernel_test does not cover: interrupts (message and SIGINT) keep
// the variables, a plot arrives as a PNG that decodes, a progress line
// updates in place, a graph drawing is an SVG (skipped without Graphviz's
// dot), a message with a bad signature is refused, a failing cell aborts
// the cells queued behind it, stdin, two kernels do not share state,
// restart and shutdown.
func TestJupyterClient(t *testing.T) {
	needPython(t, "jupyter_client")
	runPython(t, installKernel(t), "clienttest.py", false)
}
