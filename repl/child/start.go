package child

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config says how to start a child.
type Config struct {
	Args  []string // os.Args as the program sees it
	Stack bool     // print Go stacks of panics
	// Stall is the session's repl.Options.StallTimeout: a statement that
	// uses no CPU for this long ends with an error (0: never).
	Stall time.Duration
	// Output, when set, receives everything the child prints (results,
	// errors and the program's own output, in order) through a relay pipe;
	// when nil the child writes to the parent's stdout and stderr itself.
	Output io.Writer
}

// A Child is a session running in a child process. Its methods are not safe
// for concurrent use, except Interrupt.
type Child struct {
	cfg      Config
	cmd      *exec.Cmd
	reqs     *os.File
	writeMu  sync.Mutex
	answers  chan answer
	launched chan struct{} // closed when the process has started (or failed to)
	dead     chan struct{} // closed when the process has exited and its crash output is read
	crash    bytes.Buffer  // the head of the runtime's fatal error text
	status   string        // how the process ended
	synced   chan struct{} // a sync marker was relayed (Config.Output only)
	sync     string
	started  bool // the start request was answered
	startE   error
	id       int
	inputs   []string
	running  string // the input of the request in progress, for a *Died
	// goMu guards inputOf: for each live goroutine of the session's code,
	// the index in inputs of the input that started it (goroutineNote).
	goMu    sync.Mutex
	inputOf map[uint64]int
}

// Died is the error of a request during which the child process died, or
// of the first request after it died on its own.
type Died struct {
	Fatal string // the first line of the fatal error ("fatal error: concurrent map writes"), or how the process ended
	Input string // the input that was running; "" when none was
	// Goroutine is the earlier input that started the goroutine the fatal
	// error happened in, when it was not the running one; Restart leaves
	// it out of the replay.
	Goroutine string
	blamed    int // Goroutine's index in the inputs, or -1
}

func (d *Died) Error() string {
	msg := "the session's process died: " + d.Fatal
	if d.Goroutine != "" {
		msg += " (in a goroutine started by " + firstLine(d.Goroutine) + ")"
	}
	if d.Input != "" {
		msg += " (running " + firstLine(d.Input) + ")"
	}
	return msg
}

// goroutineNote starts a line the child writes on the crash pipe for each
// goroutine of the session's code: "<note><id> <input index>" when it
// starts, "<note><id> -1" when it ends.
const goroutineNote = "dbr-repl goroutine "

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if first, _, multi := strings.Cut(s, "\n"); multi {
		return first + " …"
	}
	return s
}

// Start starts a child running the current executable. It returns once the
// process runs; the session inside it starts meanwhile, and the first
// request waits for it.
func Start(cfg Config) (*Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	c := &Child{cfg: cfg, answers: make(chan answer, 1), dead: make(chan struct{})}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	crashR, crashW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	c.cmd = exec.Command(exe)
	c.cmd.Env = append(os.Environ(), envChild+"=1")
	c.cmd.Stdin = os.Stdin
	c.cmd.Stdout, c.cmd.Stderr = os.Stdout, os.Stderr
	var outR, outW *os.File
	if cfg.Output != nil {
		if outR, outW, err = os.Pipe(); err != nil {
			return nil, err
		}
		c.sync = "\x01dbr-sync-" + randomHex() + "\x02"
		c.synced = make(chan struct{}, 1)
		c.cmd.Env = append(c.cmd.Env, envSync+"="+c.sync)
		c.cmd.Stdout, c.cmd.Stderr = outW, outW
	}
	c.cmd.ExtraFiles = []*os.File{reqR, ansW, crashW}
	c.reqs = reqW
	// Starting a process waits for its exec, which takes tens of
	// milliseconds for a big binary: the caller goes on meanwhile (a prompt
	// shows), and requests queue in the pipe.
	c.launched = make(chan struct{})
	launch := func() error {
		err := c.cmd.Start()
		close(c.launched)
		for _, f := range []*os.File{reqR, ansW, crashW, outW} {
			if f != nil {
				f.Close()
			}
		}
		return err
	}

	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		dec := json.NewDecoder(bufio.NewReaderSize(ansR, 1<<16))
		for {
			var a answer
			if dec.Decode(&a) != nil {
				return
			}
			c.answers <- a
		}
	}()
	go func() {
		defer readers.Done()
		r := bufio.NewReaderSize(crashR, 4096)
		for {
			line, err := r.ReadSlice('\n')
			if note, ok := bytes.CutPrefix(line, []byte(goroutineNote)); ok && err == nil {
				c.noteGoroutine(string(bytes.TrimSpace(note)))
			} else if c.crash.Len() < 16<<10 {
				c.crash.Write(line)
			}
			if err != nil && err != bufio.ErrBufferFull {
				return
			}
		}
	}()
	if outR != nil {
		readers.Add(1)
		go func() {
			defer readers.Done()
			c.relay(outR)
		}()
	}
	go func() {
		err := launch()
		if err == nil {
			err = c.cmd.Wait()
		} else {
			err = fmt.Errorf("could not start the session's process: %w", err)
		}
		readers.Wait()
		c.status = "exited"
		if err != nil {
			c.status = err.Error()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					c.status = "killed by signal: " + ws.Signal().String()
					if ws.Signal() == syscall.SIGKILL {
						c.status += " (out of memory? the system kills the biggest process when memory runs out)"
					}
				}
			}
		}
		close(c.dead)
	}()
	// If this fails the child died: the first request reports it.
	c.send(request{Op: "start", Args: cfg.Args, Flag: cfg.Stack, Stall: cfg.Stall})
	return c, nil
}

func randomHex() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// relay copies the child's output to Config.Output, without the sync
// markers, and signals each marker.
func (c *Child) relay(r io.Reader) {
	buf := make([]byte, 32<<10)
	var pending []byte // a tail that may be the start of a marker
	marker := []byte(c.sync)
	for {
		n, err := r.Read(buf)
		data := append(pending, buf[:n]...)
		pending = nil
		for {
			i := bytes.Index(data, marker)
			if i < 0 {
				break
			}
			if i > 0 {
				c.cfg.Output.Write(data[:i])
			}
			data = data[i+len(marker):]
			select {
			case c.synced <- struct{}{}:
			default:
			}
		}
		// Keep back a tail that could begin a marker split across reads.
		keep := 0
		for k := min(len(marker)-1, len(data)); k > 0; k-- {
			if bytes.HasPrefix(marker, data[len(data)-k:]) {
				keep = k
				break
			}
		}
		if len(data)-keep > 0 {
			c.cfg.Output.Write(data[:len(data)-keep])
		}
		pending = append([]byte(nil), data[len(data)-keep:]...)
		if err != nil {
			if len(pending) > 0 {
				c.cfg.Output.Write(pending)
			}
			return
		}
	}
}

func (c *Child) send(r request) error {
	c.id++
	r.ID = c.id
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.write(append(b, '\n'))
}

// write writes one request whole: Interrupt writes from other goroutines.
func (c *Child) write(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err := c.reqs.Write(b)
	return err
}

// wait waits for the answer to the last request sent.
func (c *Child) wait() (answer, error) {
	select {
	case a := <-c.answers:
		if c.synced != nil {
			select {
			case <-c.synced:
			case <-c.dead:
			}
		}
		if a.Reset {
			c.inputs = nil
		}
		c.inputs = append(c.inputs, a.Added...)
		return a, nil
	case <-c.dead:
		return answer{}, c.died()
	}
}

// Ready waits until the session in the child has started.
func (c *Child) Ready() error {
	if c.started {
		return c.startE
	}
	c.started = true
	a, err := c.wait()
	if err != nil {
		c.startE = err
	} else if a.Err != "" {
		c.startE = errors.New(a.Err)
	}
	return c.startE
}

func (c *Child) died() *Died {
	d := &Died{Fatal: fatalLine(c.crash.String()), Input: c.running, blamed: -1}
	if d.Fatal == "" {
		d.Fatal = c.status
	}
	// A fatal error names the goroutine it happened in first; if an
	// earlier input started it, that input killed the process.
	if m := crashGoroutine.FindStringSubmatch(c.crash.String()); m != nil {
		id, _ := strconv.ParseUint(m[1], 10, 64)
		c.goMu.Lock()
		i, ok := c.inputOf[id]
		c.goMu.Unlock()
		if ok && i >= 0 && i < len(c.inputs) {
			d.Goroutine, d.blamed = c.inputs[i], i
		}
	}
	return d
}

var crashGoroutine = regexp.MustCompile(`(?m)^goroutine (\d+) \[`)

// noteGoroutine records a note of the child's (see goroutineNote).
func (c *Child) noteGoroutine(note string) {
	idS, inS, _ := strings.Cut(note, " ")
	id, err1 := strconv.ParseUint(idS, 10, 64)
	in, err2 := strconv.Atoi(inS)
	if err1 != nil || err2 != nil {
		return
	}
	c.goMu.Lock()
	defer c.goMu.Unlock()
	if in < 0 {
		delete(c.inputOf, id)
		return
	}
	if c.inputOf == nil {
		c.inputOf = map[uint64]int{}
	}
	c.inputOf[id] = in
}

// fatalLine picks what killed a Go process from its crash output: the
// "fatal error:" line, else the first "panic:" line, else the first line.
func fatalLine(out string) string {
	lines := strings.Split(out, "\n")
	for _, prefix := range []string{"fatal error:", "panic:"} {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return strings.TrimSpace(l)
			}
		}
	}
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// A Result is what a request did.
type Result struct {
	Failed bool // the input failed (its error is printed)
	Exited bool // the program called os.Exit(Code)
	Code   int
	Quit   bool // :quit was typed
}

func (c *Child) do(r request, input string) (Result, error) {
	if err := c.Ready(); err != nil {
		return Result{}, err
	}
	select {
	case <-c.dead:
		return Result{}, c.died()
	default:
	}
	c.running = input
	defer func() { c.running = "" }()
	if err := c.send(r); err != nil {
		<-c.dead
		return Result{}, c.died()
	}
	a, err := c.wait()
	if err != nil {
		return Result{}, err
	}
	if a.Err != "" {
		return Result{}, errors.New(a.Err)
	}
	return Result{Failed: a.Failed, Exited: a.Exited, Code: a.Code, Quit: a.Quit}, nil
}

// Eval evaluates src as repl.Session.EvalSource does.
func (c *Child) Eval(src, name string, line int) (Result, error) {
	return c.do(request{Op: "eval", Src: src, Name: name, Line: line}, src)
}

// Load runs a Go file as repl.Session.LoadFile does.
func (c *Child) Load(file string) (Result, error) {
	return c.do(request{Op: "load", Src: file}, ":load "+file)
}

// Command runs a `:name args` line.
func (c *Child) Command(line string) (Result, error) {
	return c.do(request{Op: "command", Src: line}, line)
}

// Complete returns completions as repl.Session.Complete does; nothing when
// the child is not running.
func (c *Child) Complete(before string) (string, []string) {
	select {
	case <-c.dead:
		return "", nil
	default:
	}
	if c.Ready() != nil || c.send(request{Op: "complete", Src: before}) != nil {
		return "", nil
	}
	a, err := c.wait()
	if err != nil {
		return "", nil
	}
	return a.Prefix, a.Cands
}

// Interrupt stops the request in progress: interpreted code at its next
// step, compiled engine ops at their next check. Safe from any goroutine.
func (c *Child) Interrupt() {
	c.write([]byte(`{"ID":0,"Op":"interrupt"}` + "\n"))
}

// Inputs returns the successful inputs of the session so far.
func (c *Child) Inputs() []string { return c.inputs }

// Dead reports whether the child process has ended.
func (c *Child) Dead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// Done is closed when the child process has ended; Death then says how.
func (c *Child) Done() <-chan struct{} { return c.dead }

// Death says how the ended child process died (Input is the input that
// was running, if any).
func (c *Child) Death() *Died { return c.died() }

// Close ends the child.
func (c *Child) Close() {
	c.reqs.Close()
	<-c.launched
	select {
	case <-c.dead:
	default:
		if c.cmd.Process != nil {
			c.cmd.Process.Kill()
		}
		<-c.dead
	}
}

// A Rebuild is what Restart did.
type Rebuild struct {
	Replayed int      // inputs replayed
	Failed   []string // inputs that failed this time
	Dropped  []string // inputs that killed the new child too, left out
}

// Restart ends this child, starts a new one with the same configuration
// and replays into it, printing nothing, the inputs this one succeeded
// with. An input that kills the new child too is left out and the replay
// starts again without it, up to three times.
func (c *Child) Restart() (*Child, Rebuild, error) {
	inputs := c.inputs
	if d := c.died(); d.blamed >= 0 {
		inputs = append(append([]string(nil), inputs[:d.blamed]...), inputs[d.blamed+1:]...)
	}
	var rb Rebuild
	n, err := c.Fresh()
	for attempt := 0; err == nil; attempt++ {
		rb.Replayed, rb.Failed = 0, nil
		dead := -1
		for i, in := range inputs {
			res, err := n.do(request{Op: "eval", Src: in, Flag: true}, in)
			var d *Died
			if errors.As(err, &d) {
				dead = i
				break
			}
			if err != nil {
				return n, rb, err
			}
			rb.Replayed++
			if res.Failed {
				rb.Failed = append(rb.Failed, in)
			}
		}
		if dead < 0 {
			return n, rb, n.Ready()
		}
		rb.Dropped = append(rb.Dropped, inputs[dead])
		inputs = append(append([]string(nil), inputs[:dead]...), inputs[dead+1:]...)
		if attempt == 2 {
			return n, rb, n.died()
		}
		n, err = n.Fresh()
	}
	return nil, rb, err
}

// Fresh ends this child and starts a new one with the same configuration,
// with nothing replayed.
func (c *Child) Fresh() (*Child, error) {
	c.Close()
	return Start(c.cfg)
}
