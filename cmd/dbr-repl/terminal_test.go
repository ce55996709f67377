package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// term is dbr-repl running in a tmux pane: the tests type into it as a user
// would and read the screen.
type term struct {
	t       *testing.T
	socket  string
	history string
}

// waitLimit bounds how long a test waits for the screen to show something;
// it only turns a hang into a failure.
const waitLimit = 20 * time.Second

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed; the terminal tests need it (apt-get install tmux)")
		}
		t.Skip("tmux is not installed")
	}
}

// startTerm starts dbr-repl in a new tmux server; history is the history
// file (created in a temp dir when empty).
func startTerm(t *testing.T, history string) *term {
	t.Helper()
	needTmux(t)
	if history == "" {
		history = filepath.Join(t.TempDir(), "history")
	}
	tm := &term{t: t, socket: fmt.Sprintf("dbr-repl-test-%d-%d", os.Getpid(), time.Now().UnixNano()), history: history}
	cmd := fmt.Sprintf("env HOME=%s DBR_HISTORY=%s %s", t.TempDir(), history, binary)
	tm.tmux("new-session", "-d", "-x", "120", "-y", "50", "-s", "repl", cmd)
	tm.tmux("set-option", "-t", "repl", "remain-on-exit", "on")
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	tm.waitFor("dbr>")
	return tm
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, C-c, Up) and plain words.
func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", "repl"}, keys...)...)
}

// typeText sends text literally, as a terminal without bracketed paste
// delivers pasted text: tabs arrive as TAB keys, newlines as Enter.
func (tm *term) typeText(text string) { tm.t.Helper(); tm.tmux("send-keys", "-t", "repl", "-l", text) }

// paste pastes text as a terminal does when the program asked for
// bracketed paste: between ESC[200~ and ESC[201~ (tmux's paste-buffer -p).
func (tm *term) paste(text string) {
	tm.t.Helper()
	cmd := exec.Command("tmux", "-L", tm.socket, "load-buffer", "-b", "p", "-")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		tm.t.Fatalf("tmux load-buffer: %v\n%s", err, out)
	}
	tm.tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", "repl")
}

func (tm *term) screen() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-t", "repl", "-S", "-200")
}

// waitFor waits until the screen shows want at least n times (default once).
func (tm *term) waitFor(want string, n ...int) string {
	tm.t.Helper()
	count := 1
	if len(n) > 0 {
		count = n[0]
	}
	deadline := time.Now().Add(waitLimit)
	for {
		s := tm.screen()
		if strings.Count(s, want) >= count {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %q (%d times); it shows:\n%s", want, count, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *term) exited() bool {
	return strings.TrimSpace(tm.tmux("list-panes", "-t", "repl", "-F", "#{pane_dead}")) == "1"
}

func TestTerminalCompletion(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys("engine.Zer", "Tab")
	tm.waitFor("dbr> engine.Zeros")
	tm.keys("(1, 7).Shape()", "Enter")
	tm.waitFor("[1 7]")

	tm.keys("tval := engine.Ones(3, 5)", "Enter")
	tm.keys("tval.Sh", "Tab")
	tm.waitFor("dbr> tval.Shape(")
	tm.keys(")", "Enter")
	tm.waitFor("[3 5]")

	tm.keys("tv", "Tab")
	tm.waitFor("dbr> tval")
	tm.keys(".Numel()", "Enter")
	tm.waitFor("15")

	tm.keys(":va", "Tab")
	tm.waitFor("dbr> :vars")
	tm.keys("Enter")
	tm.waitFor("tval *engine.Tensor shape [3 5]")

	// After a call: the candidates come from the types, nothing runs.
	tm.keys("engine.Randn(2, 3).Softm", "Tab")
	tm.waitFor("dbr> engine.Randn(2, 3).Softmax(")
	tm.keys("1).Shape()", "Enter")
	tm.waitFor("\n[2 3]\n")
	tm.keys("nn.NewFlatten().", "Tab")
	tm.waitFor("Forward(")
}

// TestTerminalPaste pastes gofmt-formatted code: the TABs of its indentation
// must not complete anything.
func TestTerminalPaste(t *testing.T) {
	tm := startTerm(t, "")
	tm.paste("eng := 1\nfunc answer() int {\n\tx := 40\n\tif x > 0 {\n\t\treturn x +\n\t\t\t2\n\t}\n\treturn 0\n}\n")
	tm.keys("Enter")
	tm.keys("answer() + eng", "Enter")
	s := tm.waitFor("43")
	if strings.Contains(s, "engine.") || strings.Contains(s, "error") {
		t.Errorf("pasting changed the code:\n%s", s)
	}
	tm.paste("type pt struct {\n\tX int\n\tY int\n}\nq := pt{\n\tX: 1,\n\tY: 2,\n}\nq.X + q.Y + 100")
	tm.keys("Enter")
	s = tm.waitFor("103")
	if strings.Contains(s, "error") {
		t.Errorf("pasting a struct failed:\n%s", s)
	}
}

// TestTerminalPasteTabs: tabs inside pasted lines are text: in a raw
// string, between aligned struct fields, before a comment; and the history
// keeps them.
func TestTerminalPasteTabs(t *testing.T) {
	tm := startTerm(t, "")
	tm.paste("s := `a\tb`\ntype wb struct {\n\tW\t*engine.Tensor\n\tb\tint\n}\nv := 3\t// three\n")
	tm.keys("Enter")
	tm.keys(`fmt.Printf("%q %d %d\n", s, v, wb{b: 2}.b)`, "Enter")
	s := tm.waitFor(`"a\tb" 3 2`)
	if strings.Contains(s, "error") {
		t.Errorf("pasted tabs changed the code:\n%s", s)
	}
	hist, err := os.ReadFile(tm.history)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), `type wb struct {\n\tW\t*engine.Tensor\n\tb\tint\n}`) {
		t.Errorf("the history lost the tabs:\n%s", hist)
	}
}

// TestTerminalPasteFile: a whole file pasted at the prompt, package clause,
// imports and func main included, runs.
func TestTerminalPasteFile(t *testing.T) {
	tm := startTerm(t, "")
	tm.paste("package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\n\t\"github.com/dbr-go/dbr/engine\"\n)\n\n" +
		"func width(x *engine.Tensor) int { return x.Shape()[1] }\n\n" +
		"func main() {\n\tx := engine.Ones(2, 7)\n\tfmt.Println(strings.Repeat(\"=\", 3), width(x))\n}\n")
	tm.keys("Enter")
	s := tm.waitFor("=== 7")
	if strings.Contains(s, "error") {
		t.Errorf("pasting a file failed:\n%s", s)
	}
	tm.keys("width(engine.Ones(1, 9))", "Enter")
	tm.waitFor("\n9\n")
}

func TestTerminalHistory(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "history")
	tm := startTerm(t, hist)
	tm.paste("for i := 0; i < 2; i++ {\n\tfmt.Println(\"round\", i+500)\n}")
	tm.keys("Enter")
	tm.waitFor("round 501")
	tm.keys("uniqueName := 7", "Enter")
	tm.keys(":quit", "Enter")
	for !tm.exited() {
		time.Sleep(50 * time.Millisecond)
	}

	// A new session recalls the whole block as one entry.
	tm = startTerm(t, hist)
	tm.keys("Up", "Up", "Up")
	tm.waitFor("fmt.Println(\"round\", i+500)\n")
	tm.keys("Enter")
	tm.waitFor("round 501")

	// Ctrl-R searches the history.
	tm.keys("C-r")
	tm.keys("uniqueN")
	tm.waitFor("uniqueName := 7")
	tm.keys("Enter")
	tm.keys("uniqueName * 6", "Enter")
	tm.waitFor("42")
}

func TestTerminalInterrupt(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys("kept := engine.Ones(2, 4)", "Enter")
	tm.keys("for {}", "Enter")
	tm.waitFor("for {}")
	time.Sleep(200 * time.Millisecond)
	tm.keys("C-c")
	tm.waitFor("error: interrupted")
	tm.keys("kept.Shape()", "Enter")
	tm.waitFor("[2 4]")

	// A long run of compiled ops.
	tm.keys("big := engine.Randn(300, 300); for { big.MatMul(big) }", "Enter")
	time.Sleep(300 * time.Millisecond)
	tm.keys("C-c")
	tm.waitFor("error: interrupted", 2)
	tm.keys("kept.Numel() + 1", "Enter")
	tm.waitFor("9")

	// Ctrl-C at the prompt clears the line.
	tm.keys("this is not go", "C-c")
	tm.keys("kept.Numel() * 5", "Enter")
	s := tm.waitFor("40")
	if strings.Contains(s, "this is not go40") || strings.Contains(s, "syntax error") {
		t.Errorf("Ctrl-C did not clear the line:\n%s", s)
	}
	// Ctrl-C in a continuation drops the unfinished input.
	tm.keys("for i := 0; i < 3; i++ {", "Enter")
	tm.waitFor("for i := 0; i < 3; i++ {")
	tm.keys("C-c")
	tm.keys("kept.Numel() * 7", "Enter")
	tm.waitFor("56")

	// Ctrl-D exits.
	tm.keys("C-d")
	deadline := time.Now().Add(waitLimit)
	for !tm.exited() {
		if time.Now().After(deadline) {
			t.Fatalf("Ctrl-D did not exit:\n%s", tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTerminalGoroutineOutput: a goroutine that prints or panics while the
// prompt waits for input leaves the prompt redrawn below its output.
func TestTerminalGoroutineOutput(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys(`go func() { time.Sleep(300 * time.Millisecond); panic("late") }()`, "Enter")
	s := tm.waitFor("error in goroutine: panic: late")
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "dbr>" {
		t.Errorf("no prompt after the goroutine's error; the screen ends with %q:\n%s", last, s)
	}
	tm.keys("40 + 2", "Enter")
	tm.waitFor("dbr> 40 + 2")
	tm.waitFor("42")
}

// TestTerminalCallbackPanic: a panic in a function that a timer calls on
// its own goroutine, which killed the process, prints an error above a new
// prompt; the session keeps its variables.
func TestTerminalCallbackPanic(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys("x := 7", "Enter")
	tm.keys(`time.AfterFunc(time.Millisecond, func() { panic("cb") })`, "Enter")
	s := tm.waitFor("passed to time.AfterFunc, on its own goroutine (the session goes on): panic: cb")
	if tm.exited() {
		t.Fatalf("dbr-repl exited:\n%s", s)
	}
	tm.keys("x", "Enter")
	tm.waitFor("dbr> x")
	if s := tm.waitFor("\n7\n"); tm.exited() {
		t.Fatalf("dbr-repl exited:\n%s", s)
	}
}

// TestTerminalCompletionListCtrlC: Ctrl-C while a list of completions is
// shown drops the line; the next input is not appended to it.
func TestTerminalCompletionListCtrlC(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys("engine.Ra", "Tab")
	tm.waitFor("RandPerm")
	tm.keys("C-c")
	time.Sleep(200 * time.Millisecond)
	tm.keys("6 * 7", "Enter")
	s := tm.waitFor("42")
	if strings.Contains(s, "engine.Ra6") || strings.Contains(s, "error") {
		t.Errorf("Ctrl-C did not clear the line:\n%s", s)
	}
}

// TestTerminalOutputWithoutNewline: output that does not end its line is
// not drawn over by the next prompt.
func TestTerminalOutputWithoutNewline(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys(`fmt.Print("abc")`, "Enter")
	tm.waitFor("abc\ndbr>")
	tm.keys(`for i := 0; i < 3; i++ { fmt.Printf("%d ", i+70) }`, "Enter")
	tm.waitFor("70 71 72")
	tm.keys(`fmt.Print("progress 1/2\rprogress 2/2\r")`, "Enter")
	s := tm.waitFor("progress 2/2\ndbr>")
	if strings.Contains(s, "dbr> abc") {
		t.Errorf("output was drawn over:\n%s", s)
	}
}

// TestTerminalChildDeath: at a terminal, a fatal error is reported with its
// input, the prompt asks whether to rebuild, and the rebuilt session has the
// variables and functions of before; completion and history go on.
func TestTerminalChildDeath(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys("kept := engine.Ones(2, 4)", "Enter")
	tm.keys("func twice(n int) int { return 2 * n }", "Enter")
	tm.keys("var mu sync.Mutex; mu.Unlock()", "Enter")
	tm.waitFor("error: the session's process died: fatal error: sync: unlock of unlocked mutex\n  in: var mu sync.Mutex; mu.Unlock()")
	tm.waitFor("Rebuild the session by replaying its 2 successful inputs (without the one that killed it)?\n[Y/n]")
	tm.keys("Enter")
	tm.waitFor("session rebuilt (2 inputs replayed)")
	tm.keys("twice(kept.Numel())", "Enter")
	tm.waitFor("\n16\n")
	tm.keys("kep", "Tab")
	tm.waitFor("dbr> kept")
	tm.keys(".Shape()", "Enter")
	tm.waitFor("[2 4]")
	tm.keys(":doc engine.Zeros", "Enter")
	tm.waitFor("func Zeros(shape ...int) *Tensor")
	tm.keys("Up", "Up", "Up")
	tm.waitFor("dbr> twice(kept.Numel())")
}

// TestTerminalGoroutinePartialLines: a goroutine that prints a line in
// pieces while the prompt waits gets it printed as one line above the
// prompt.
func TestTerminalGoroutinePartialLines(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys(`go func() { for i := 0; i < 4; i++ { time.Sleep(30 * time.Millisecond); fmt.Print("tick ") }; fmt.Println("done") }()`, "Enter")
	s := tm.waitFor("tick tick tick tick done\n")
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "dbr>" {
		t.Errorf("the prompt is not below the goroutine's line; the screen ends with %q:\n%s", last, s)
	}
}

// TestTerminalDeathWhileWaiting: a goroutine that kills the process while
// the prompt waits is noticed at once and blamed on the input that started
// it; the next input rebuilds the session without that input and runs in it.
func TestTerminalDeathWhileWaiting(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys("keep := 5", "Enter")
	tm.waitFor("dbr> keep := 5")
	tm.keys(`go func() { time.Sleep(300 * time.Millisecond); var mu sync.Mutex; mu.Unlock() }()`, "Enter")
	tm.waitFor("the session's process died: fatal error: sync: unlock of unlocked mutex; your next input rebuilds it")
	tm.keys("keep + 1", "Enter")
	tm.waitFor("  in a goroutine started by: go func() { time.Sleep(300 * time.Millisecond); var mu sync.Mutex; mu.Unlock() }()\n" +
		"Rebuild the session by replaying its 1 successful input (without the one that killed it)?\n[Y/n]")
	tm.keys("Enter")
	tm.waitFor("\n6\n")
}

// TestTerminalPlotWidth: a plot at the prompt is as wide as the terminal
// (120 columns here), not $COLUMNS's or the default 80, though the session
// runs in a child process.
func TestTerminalPlotWidth(t *testing.T) {
	tm := startTerm(t, "")
	tm.keys(`inspect.Plot([]float64{3, 1, 2, 5, 4})`, "Enter")
	s := tm.waitFor("dbr>", 2)
	_, plot, _ := strings.Cut(s, "inspect.Plot([]float64{3, 1, 2, 5, 4})\n")
	plot, _, _ = strings.Cut(plot, "dbr>")
	widest := 0
	for _, l := range strings.Split(plot, "\n") {
		widest = max(widest, utf8.RuneCountInString(strings.TrimRight(l, " ")))
	}
	if widest <= 100 {
		t.Errorf("the plot's widest line is %d columns in a 120-column terminal:\n%s", widest, s)
	}
}
