//go:build unix

package repl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// :load reads regular files of a bounded size: a device never ends and a
// named pipe blocks its opening; each gets an error instead.
func TestLoadReadsRegularFilesOnly(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.go")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxSource + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, out := newSession(t)
	for _, c := range []struct{ file, want string }{
		{"/dev/zero", "/dev/zero is a device, not a regular file"},
		{fifo, "is a named pipe, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{big, "is larger than 16 MiB"},
	} {
		out.Reset()
		err := s.RunCommand(context.Background(), ":load "+c.file)
		if err == nil || !strings.Contains(out.String(), c.want) {
			t.Errorf(":load %s: %v, output %q, want %q", c.file, err, out.String(), c.want)
		}
	}
	evalOK(t, s, out, "1 + 1")
}
