package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/reeflective/readline"

	"github.com/dbr-go/dbr/repl"
	"github.com/dbr-go/dbr/repl/child"
)

var banner = "dbr-repl: Go with " + repl.Imported + " imported. :help for help, :quit to leave."

// termOut is where everything the session prints goes at a terminal: the
// child's output arrives here through its relay pipe. While the prompt
// waits for input, output (a goroutine's) is printed above a redrawn
// prompt; output that does not end a line is ended before the next prompt,
// so the prompt does not draw over it.
type termOut struct {
	mu          sync.Mutex
	w           io.Writer
	rl          *readline.Shell
	prompting   bool
	atLineStart bool
	pending     []byte      // output that came while prompting, not yet a whole line
	flush       *time.Timer // prints pending if its line does not end soon
}

func (t *termOut) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	if t.prompting && t.rl != nil {
		// Whole lines go above the prompt at once; the start of a line
		// waits a moment for its end (fmt.Print("tick ") in a loop).
		t.pending = append(t.pending, p...)
		if i := bytes.LastIndexByte(t.pending, '\n'); i >= 0 {
			t.above(t.pending[:i])
			t.pending = append(t.pending[:0], t.pending[i+1:]...)
		}
		if len(t.pending) > 0 && t.flush == nil {
			t.flush = time.AfterFunc(300*time.Millisecond, func() {
				t.mu.Lock()
				defer t.mu.Unlock()
				t.flush = nil
				if len(t.pending) > 0 && t.prompting {
					t.above(t.pending)
					t.pending = t.pending[:0]
				}
			})
		}
		return len(p), nil
	}
	n, err := t.w.Write(p)
	t.atLineStart = p[len(p)-1] == '\n'
	return n, err
}

// above prints text as lines above the prompt.
func (t *termOut) above(text []byte) {
	// The terminal is in raw mode: a newline does not return the carriage.
	t.rl.PrintTransientf("%s\r", strings.ReplaceAll(string(text), "\n", "\r\n"))
}

// prompt marks the start of a prompt, ending a line that output left open.
func (t *termOut) prompt() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.atLineStart {
		t.w.Write([]byte("\n"))
	}
	t.prompting = true
}

// promptDone marks the end of a prompt: the line editor leaves the cursor
// at the start of a line.
func (t *termOut) promptDone() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prompting = false
	t.atLineStart = true
	if len(t.pending) > 0 {
		// The start of a line that came while the prompt waited.
		t.w.Write(append(t.pending, '\n'))
		t.pending = t.pending[:0]
	}
}

func historyPath() string {
	if h := os.Getenv("DBR_HISTORY"); h != "" {
		return h
	}
	if home, _ := os.UserHomeDir(); home != "" {
		return home + "/.dbr_history"
	}
	return ""
}

// newShell makes the line editor: bracketed paste (a paste is text, never
// keystrokes: its tabs stay tabs), Enter continues input that is not
// complete Go, completion from the session, whole blocks in the history.
func newShell(sv *supervisor) *readline.Shell {
	rl := readline.NewShell()
	rl.Config.Set("enable-bracketed-paste", true)
	// The prompt always starts a line; asking the terminal where the cursor
	// is loses keys typed ahead that arrive with its answer.
	rl.Config.Set("cursor-position-probe", false)
	rl.Prompt.Primary(func() string { return "dbr> " })
	rl.Prompt.Secondary(func() string { return "...  " })
	rl.AcceptMultiline = func(line []rune) bool {
		src := string(line)
		if strings.TrimSpace(src) == "" || repl.IsCommand(src) && !strings.Contains(src, "\n") {
			return true
		}
		// Two empty lines force evaluation.
		if strings.HasSuffix(src, "\n\n") {
			return true
		}
		return !repl.Incomplete(src)
	}
	rl.Completer = func(line []rune, cursor int) readline.Completions {
		before := string(line[:cursor])
		prefix, cands := sv.child().Complete(before)
		if len(cands) == 0 {
			return readline.Completions{}
		}
		// The editor replaces the text since the last blank (and finds
		// nothing to replace when that is empty): hand it the whole of it.
		word := before[strings.LastIndexAny(before, " \t\n")+1:]
		head := word[:len(word)-len(prefix)]
		values := make([]readline.Completion, len(cands))
		for i, c := range cands {
			values[i] = readline.Completion{Value: head + c, Display: c}
		}
		c := readline.CompleteRaw(values)
		c.PREFIX = word
		return c
	}
	// Ctrl-C drops the input, whatever state the editor is in: the
	// library's own abort eats keys typed right after it, and after a
	// completion the line it had came back at the next prompt (its
	// completion works on a copy of the line; this clears the line itself).
	line, cursor := rl.Line(), rl.Cursor()
	rl.Keymap.Register(map[string]func(){"dbr-interrupt": func() {
		rl.Display.AcceptLine()
		line.Set()
		cursor.Set(0)
		rl.History.Accept(false, false, readline.ErrInterrupt)
	}})
	for km := range rl.Config.Binds {
		rl.Config.Bind(km, "\x03", "dbr-interrupt", false)
	}
	// TAB completes what all candidates share and lists them; TAB again
	// walks the list.
	rl.Config.Set("menu-complete-display-prefix", true)
	for _, km := range []string{"emacs", "emacs-standard", "vi-insert"} {
		rl.Config.Bind(km, "\t", "menu-complete", false)
	}
	if p := historyPath(); p != "" {
		rl.History.Add("history", openHistory(p, 5000))
	}
	return rl
}

func interactiveLoop(sv *supervisor, out *termOut) int {
	rl := newShell(sv)
	out.rl = rl
	sv.ask = func(question string) bool {
		fmt.Fprintln(out, question)
		rl.Prompt.Primary(func() string { return "[Y/n] " })
		defer rl.Prompt.Primary(func() string { return "dbr> " })
		out.prompt()
		answer, err := rl.Readline()
		out.promptDone()
		a := strings.ToLower(strings.TrimSpace(answer))
		return err == nil && (a == "" || a == "y" || a == "yes")
	}
	fmt.Fprintln(out, banner)
	// A child that dies while the prompt waits (a goroutine of an earlier
	// input) is noticed at once; the next input reports it and rebuilds.
	go func() {
		for {
			c := sv.child()
			<-c.Done()
			if !sv.busy.Load() && c == sv.child() {
				fmt.Fprintf(out, "the session's process died: %s; your next input rebuilds it\n", c.Death().Fatal)
			}
			for c == sv.child() {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	for {
		out.prompt()
		line, err := rl.Readline()
		out.promptDone()
		if errors.Is(err, readline.ErrInterrupt) {
			continue
		}
		if err != nil {
			return 0
		}
		src := strings.TrimRight(line, "\n")
		if strings.TrimSpace(src) == "" {
			continue
		}
		var res child.Result
		if repl.IsCommand(src) {
			cmd := strings.TrimSpace(src)
			res, _ = sv.do(cmd, func(c *child.Child) (child.Result, error) { return c.Command(cmd) })
		} else {
			res, _ = sv.do(src, func(c *child.Child) (child.Result, error) { return c.Eval(src+"\n", "", 0) })
		}
		if res.Exited {
			return res.Code
		}
		if res.Quit {
			return 0
		}
	}
}
