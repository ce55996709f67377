package child

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestFatalLine(t *testing.T) {
	cases := []struct{ out, want string }{
		{"fatal error: concurrent map writes\n\ngoroutine 7 [running]:\n", "fatal error: concurrent map writes"},
		{"runtime: goroutine stack exceeds 1000000000-byte limit\nruntime: sp=0xc0200e0398\nfatal error: stack overflow\n", "fatal error: stack overflow"},
		{"panic: boom [recovered]\n\tpanic: again\n\ngoroutine 1 [running]:\n", "panic: boom [recovered]"},
		{"\nunexpected signal\n", "unexpected signal"},
		{"", ""},
	}
	for _, c := range cases {
		if got := fatalLine(c.out); got != c.want {
			t.Errorf("fatalLine(%q) = %q, want %q", c.out, got, c.want)
		}
	}
}

// chunks is a reader that returns its chunks one Read at a time.
type chunks []string

func (c *chunks) Read(p []byte) (int, error) {
	if len(*c) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*c)[0])
	(*c)[0] = (*c)[0][n:]
	if (*c)[0] == "" {
		*c = (*c)[1:]
	}
	return n, nil
}

// TestRelay: sync markers are taken out of the relayed output and counted,
// also when a read splits one, and text that only looks like the start of a
// marker is passed on.
func TestRelay(t *testing.T) {
	const m = "\x01dbr-sync-abc\x02"
	in := chunks{"one\n\x01dbr-", "sync-abc\x02two", " \x01dbr-s", "x\x01dbr-sync-abc", "\x02", "tail \x01dbr"}
	var out bytes.Buffer
	c := &Child{cfg: Config{Output: &out}, sync: m, synced: make(chan struct{}, 10)}
	c.relay(&in)
	if want := "one\ntwo \x01dbr-sx" + "tail \x01dbr"; out.String() != want {
		t.Errorf("relayed %q, want %q", out.String(), want)
	}
	if n := len(c.synced); n != 2 {
		t.Errorf("%d markers seen, want 2", n)
	}
	if strings.Contains(out.String(), m) {
		t.Error("a marker was relayed")
	}
}
