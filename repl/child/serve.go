package child

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dbr-go/dbr/repl"
)

// envChild marks the child process; envSync holds the sync marker when the
// parent relays the child's output.
const (
	envChild = "DBR_CHILD"
	envSync  = "DBR_CHILD_SYNC"
)

// A request is one message from the parent.
type request struct {
	ID   int
	Op   string   // start, eval, load, command, complete, interrupt
	Src  string   `json:",omitempty"` // eval: the input; command: the line; load: the file; complete: text before the cursor
	Name string   `json:",omitempty"` // eval: the name errors are located in ("" for the prompt)
	Line int      `json:",omitempty"` // eval: the line of Src's first line, from 1
	Args []string `json:",omitempty"` // start: os.Args as the program sees it
	Flag bool     `json:",omitempty"` // start: print Go stacks of panics; eval: print nothing (a replay)
	// start: repl.Options.StallTimeout
	Stall time.Duration `json:",omitempty"`
}

// An answer is the child's reply to one request.
type answer struct {
	ID     int
	Err    string   `json:",omitempty"` // start failed, or the request was not understood
	Failed bool     `json:",omitempty"` // the input failed (the error is printed already)
	Exited bool     `json:",omitempty"` // the program called os.Exit(Code)
	Code   int      `json:",omitempty"`
	Quit   bool     `json:",omitempty"` // :quit
	Prefix string   `json:",omitempty"` // complete
	Cands  []string `json:",omitempty"` // complete
	Added  []string `json:",omitempty"` // inputs recorded since the last answer
	Reset  bool     `json:",omitempty"` // Added is the whole record (after :reset)
}

// IsChild reports whether this process is a child started by Start.
func IsChild() bool { return os.Getenv(envChild) != "" }

// Serve runs the child's side: it answers requests on descriptors 3 and 4
// until the parent closes them, and returns the exit status.
func Serve() int {
	reqs, answers := os.NewFile(3, "requests"), os.NewFile(4, "answers")
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "dbr-repl child:", err)
		return 70
	}
	// Ctrl-C at a terminal reaches the whole process group: the parent
	// forwards it as an "interrupt" request.
	signal.Ignore(os.Interrupt)
	// Programs the session starts (a dbr-repl of its own) are no children.
	marker := os.Getenv(envSync)
	os.Unsetenv(envChild)
	os.Unsetenv(envSync)

	// Own copies of descriptors 1 and 2 for results and errors; interpreted
	// code gets another copy of 2 as os.Stderr; then 2 becomes the crash
	// pipe, where the runtime writes a fatal error.
	out, err := dupFile(1, "stdout")
	if err != nil {
		return fail(err)
	}
	errOut, err := dupFile(2, "stderr")
	if err != nil {
		return fail(err)
	}
	userErr, err := dupFile(2, "stderr")
	if err != nil {
		return fail(err)
	}
	if err := unix.Dup2(5, 2); err != nil {
		return fail(err)
	}
	unix.Close(5)
	os.Stderr = userErr

	srv := &server{
		out:   out,
		err:   errOut,
		crash: os.NewFile(2, "crash"),
		sync:  marker,
		enc:   json.NewEncoder(answers),
	}
	if err := srv.initMute(); err != nil {
		return fail(err)
	}
	in := bufio.NewReaderSize(reqs, 1<<16)
	queue := make(chan request, 1)
	go func() {
		// Requests are read here, so that an interrupt acts while another
		// request runs; the parent closing the pipe ends the child.
		dec := json.NewDecoder(in)
		for {
			var r request
			if err := dec.Decode(&r); err != nil {
				os.Exit(0)
			}
			if r.Op == "interrupt" {
				if s := srv.session.Load(); s != nil {
					s.Interrupt()
				}
				continue
			}
			queue <- r
		}
	}()
	for r := range queue {
		srv.handle(r)
	}
	return 0
}

func dupFile(fd int, name string) (*os.File, error) {
	d, err := unix.Dup(fd)
	if err != nil {
		return nil, fmt.Errorf("dup %s: %w", name, err)
	}
	unix.CloseOnExec(d)
	return os.NewFile(uintptr(d), name), nil
}

type server struct {
	out, err *os.File // the session's Stdout and Stderr
	// Muting points out's and err's descriptors at /dev/null; keep holds
	// copies of what they were.
	devNull, keepOut, keepErr int
	sync                      string
	session                   atomic.Pointer[repl.Session]
	reported                  int // inputs already sent to the parent
	// crash is the crash pipe (descriptor 2); goroutine notes on it which
	// input started each goroutine of the session's code (see goroutine).
	crash   *os.File
	current atomic.Int64 // the index the running request's input gets in the record
	inputOf sync.Map     // goroutine id → the index of the input that started it
	encMu   sync.Mutex
	enc     *json.Encoder
}

func (srv *server) handle(r request) {
	a := answer{ID: r.ID}
	s := srv.session.Load()
	ctx := context.Background()
	if s == nil && r.Op != "start" {
		a.Err = "the session is not started"
		srv.reply(a)
		return
	}
	srv.current.Store(int64(srv.reported))
	switch r.Op {
	case "start":
		ns, err := repl.New(repl.Options{Stdout: srv.out, Stderr: srv.err, Stdin: os.Stdin, Args: r.Args, Stack: r.Flag, StallTimeout: r.Stall,
			Goroutine: srv.goroutine})
		if err != nil {
			a.Err = err.Error()
		} else {
			srv.session.Store(ns)
		}
	case "eval":
		if r.Flag {
			srv.mute(true)
		}
		srv.result(&a, s.EvalSource(ctx, r.Src, r.Name, r.Line))
		if r.Flag {
			srv.mute(false)
		}
	case "load":
		srv.result(&a, s.LoadFile(ctx, r.Src))
	case "command":
		srv.result(&a, s.RunCommand(ctx, r.Src))
	case "complete":
		a.Prefix, a.Cands = s.Complete(r.Src)
	default:
		a.Err = "unknown request " + r.Op
	}
	if s := srv.session.Load(); s != nil {
		a.Quit = s.Quitting()
		added, total := s.Inputs(srv.reported)
		if total < srv.reported {
			added, _ = s.Inputs(0)
			a.Reset = true
		}
		a.Added = added
		srv.reported = total
	}
	srv.reply(a)
}

// goroutine notes, on the crash pipe, the input that starts a goroutine:
// that of the goroutine by that runs the go statement, if it is one of the
// session's, else the running request's. When a fatal error kills the
// process in that goroutine, the parent blames that input (goroutineNote in
// start.go).
func (srv *server) goroutine(by uint64) func(id uint64) func() {
	input := srv.current.Load()
	if v, ok := srv.inputOf.Load(by); ok {
		input = v.(int64)
	}
	return func(id uint64) func() {
		srv.inputOf.Store(id, input)
		fmt.Fprintf(srv.crash, "%s%d %d\n", goroutineNote, id, input)
		return func() {
			srv.inputOf.Delete(id)
			fmt.Fprintf(srv.crash, "%s%d -1\n", goroutineNote, id)
		}
	}
}

func (srv *server) result(a *answer, err error) {
	if err == nil {
		return
	}
	a.Failed = true
	var ex *repl.ExitError
	if errors.As(err, &ex) {
		a.Exited, a.Code = true, ex.Code
	}
}

func (srv *server) reply(a answer) {
	if srv.sync != "" {
		srv.out.WriteString(srv.sync)
	}
	srv.encMu.Lock()
	defer srv.encMu.Unlock()
	srv.enc.Encode(a)
}

func (srv *server) initMute() (err error) {
	if srv.devNull, err = unix.Open(os.DevNull, unix.O_WRONLY|unix.O_CLOEXEC, 0); err != nil {
		return err
	}
	if srv.keepOut, err = unix.Dup(int(srv.out.Fd())); err != nil {
		return err
	}
	srv.keepErr, err = unix.Dup(int(srv.err.Fd()))
	unix.CloseOnExec(srv.keepOut)
	unix.CloseOnExec(srv.keepErr)
	return err
}

// mute silences the session's results and errors (a replay), or restores
// them. Interpreted code's own os.Stdout and os.Stderr are not muted.
func (srv *server) mute(on bool) {
	out, errOut := srv.keepOut, srv.keepErr
	if on {
		out, errOut = srv.devNull, srv.devNull
	}
	unix.Dup2(out, int(srv.out.Fd()))
	unix.Dup2(errOut, int(srv.err.Fd()))
}
