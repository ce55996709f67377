package inspect

import (
	"os"
	"strconv"

	"golang.org/x/term"
)

// terminalWidth is the width in characters of the terminal that Plot and
// the progress lines print to: the output's own window when the output is a
// terminal (golang.org/x/term asks it, so the width follows resizes); else
// $COLUMNS when set (shells do not export it, so it is a deliberate
// setting, such as a test's); else the window of standard output, standard
// error or standard input, which is the REPL's terminal when the output is
// the REPL's own writer (in dbr-repl's session, a child process whose
// output its parent relays, only standard input is the terminal); else 80.
func terminalWidth() int {
	size := func(f *os.File) int {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w >= minPlotWidth {
			return w
		}
		return 0
	}
	if f, ok := output().(*os.File); ok {
		if w := size(f); w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n >= minPlotWidth {
		return n
	}
	for _, f := range []*os.File{os.Stdout, os.Stderr, os.Stdin} {
		if w := size(f); w > 0 {
			return w
		}
	}
	return defaultWidth
}
