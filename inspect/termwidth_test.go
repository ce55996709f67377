//go:build linux

package inspect

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal whose window is
// cols characters wide.
func openPTY(t *testing.T, cols int) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("skipping: no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pts.Close() })
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	return ptm, pts
}

// The width is the terminal's own, asked through golang.org/x/term, ahead
// of $COLUMNS (which shells do not export, and which a resize does not change).
func TestTerminalWidthAsksTheTerminal(t *testing.T) {
	_, pts := openPTY(t, 57)
	t.Setenv("COLUMNS", "44")
	prev := SetOutput(pts)
	defer SetOutput(prev)
	if w := terminalWidth(); w != 57 {
		t.Errorf("terminalWidth() = %d on a 57-column terminal (COLUMNS=44)", w)
	}
	unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 120})
	if w := terminalWidth(); w != 120 {
		t.Errorf("terminalWidth() = %d after a resize to 120 columns", w)
	}
}
