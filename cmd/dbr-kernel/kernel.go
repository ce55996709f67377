package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/repl"
	"github.com/go-zeromq/zmq4"
)

// connection is the connection file Jupyter writes for a kernel.
type connection struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
}

func (c connection) endpoint(port int) string {
	return fmt.Sprintf("%s://%s:%d", c.Transport, c.IP, port)
}

// A kernel is one dbr session served over the five Jupyter channels. Shell
// requests are handled one at a time on one goroutine (an execute request
// runs there); control requests (interrupt, shutdown) on another, so that
// they are served while a cell runs.
type kernel struct {
	sig                       signer
	shell, control, stdin, hb zmq4.Socket
	iopub                     zmq4.Socket
	iopubMu                   sync.Mutex
	session                   string // this kernel's session id
	logger                    *log.Logger

	s       *repl.Session
	out     *streamWriter
	errOut  *streamWriter
	in      *stdinReader
	count   int       // execution count
	history []histRow // executed cells with store_history
	current *message  // the execute request running, for its outputs
	last    *message  // the last one that was not silent
	quiet   bool      // a silent request runs
	curMu   sync.Mutex
	failed  *repl.Error // the error of the running cell
	result  string      // text of the running cell's last result
	askExit bool        // the running cell ran :quit
	// received counts the shell messages received so far (the receiving
	// goroutine numbers each one); abortThrough: execute requests numbered
	// up to it are answered "aborted" without running, as the cells that
	// were queued behind one that failed with stop_on_error (Run All stops
	// at the first error). Message order decides, not clocks.
	received     atomic.Uint64
	abortThrough uint64

	done chan struct{}
}

type histRow struct {
	line   int
	input  string
	output string
}

func newKernel(conn connection, logger *log.Logger) (*kernel, error) {
	if conn.SignatureScheme != "" && conn.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("signature scheme %q is not supported (only hmac-sha256)", conn.SignatureScheme)
	}
	ctx := context.Background()
	k := &kernel{
		sig:     signer{key: []byte(conn.Key)},
		shell:   zmq4.NewRouter(ctx),
		control: zmq4.NewRouter(ctx),
		stdin:   zmq4.NewRouter(ctx),
		iopub:   zmq4.NewPub(ctx),
		hb:      zmq4.NewRep(ctx),
		session: newID(),
		logger:  logger,
		done:    make(chan struct{}),
	}
	for _, l := range []struct {
		s    zmq4.Socket
		port int
	}{{k.shell, conn.ShellPort}, {k.control, conn.ControlPort}, {k.stdin, conn.StdinPort}, {k.iopub, conn.IOPubPort}, {k.hb, conn.HBPort}} {
		if err := l.s.Listen(conn.endpoint(l.port)); err != nil {
			k.close()
			return nil, fmt.Errorf("listening on %s: %v", conn.endpoint(l.port), err)
		}
	}
	k.out = &streamWriter{k: k, name: "stdout"}
	k.errOut = &streamWriter{k: k, name: "stderr"}
	k.in = &stdinReader{k: k}
	s, err := repl.New(repl.Options{
		Stdout:  k.out,
		Stderr:  k.errOut,
		Stdin:   k.in,
		Args:    []string{"dbr-kernel"},
		Result:  k.onResult,
		Display: k.onDisplay,
		Error:   func(e *repl.Error) { k.failed = e; k.onError(e) },
	})
	if err != nil {
		k.close()
		return nil, err
	}
	k.s = s
	// A kernel is one session in its process: inspect's output and the
	// display handler, which are process-wide and which the session points
	// at itself while its code runs, point at it between cells too, so
	// that a plot or a progress line from a goroutine of an earlier cell
	// shows under that cell (as its fmt output does), not in the kernel's
	// log.
	inspect.SetOutput(s.Stdout())
	display.SetOutput(s.Stdout())
	display.SetHandler(k.onDisplay)
	s.AddCommand(repl.Command{Name: "quit", Help: "end the session: in a notebook, Kernel > Shut Down (or Restart)",
		Run: func(context.Context, *repl.Session, string) error {
			k.askExit = true
			fmt.Fprintln(s.Stdout(), quitText)
			return nil
		}})
	return k, nil
}

func (k *kernel) close() {
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		s.Close()
	}
}

// serve runs the kernel until a shutdown request.
func (k *kernel) serve() {
	k.publish(nil, "status", map[string]string{"execution_state": "starting"})
	go k.heartbeat()
	go k.loop(k.control, true)
	go k.loop(k.shell, false)
	<-k.done
	// Let the last replies and iopub messages leave before closing.
	time.Sleep(100 * time.Millisecond)
	k.close()
}

func (k *kernel) heartbeat() {
	for {
		m, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(m); err != nil {
			return
		}
	}
}

// loop receives requests on sock and handles them one after the other.
// Shell requests are received on their own goroutine and numbered as they
// arrive, so that a cell that fails knows which requests were queued
// behind it.
func (k *kernel) loop(sock zmq4.Socket, control bool) {
	if control {
		for {
			m, ok := k.receive(sock)
			if !ok {
				return
			}
			k.handle(sock, m, 0)
		}
	}
	queue := make(chan numbered, 1024)
	go func() {
		defer close(queue)
		for {
			m, ok := k.receive(sock)
			if !ok {
				return
			}
			queue <- numbered{m, k.received.Add(1)}
		}
	}()
	for r := range queue {
		k.handle(sock, r.m, r.n)
	}
}

// A numbered message is a shell request with its place in the order of
// arrival (1 for the first).
type numbered struct {
	m *message
	n uint64
}

// receive returns the next message on sock whose signature is good; it
// drops and logs the others.
func (k *kernel) receive(sock zmq4.Socket) (*message, bool) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			select {
			case <-k.done:
			default:
				k.logger.Printf("receiving: %v", err)
			}
			return nil, false
		}
		m, err := k.sig.decode(raw.Frames)
		if err != nil {
			k.logger.Printf("dropped a message: %v", err)
			continue
		}
		return m, true
	}
}

// handle answers one request, between status busy and idle on iopub; n is
// a shell request's number (0 on control).
func (k *kernel) handle(sock zmq4.Socket, m *message, n uint64) {
	k.publish(m, "status", map[string]string{"execution_state": "busy"})
	defer k.publish(m, "status", map[string]string{"execution_state": "idle"})
	switch t := m.header.MsgType; t {
	case "kernel_info_request":
		k.send(sock, m, "kernel_info_reply", kernelInfo())
	case "execute_request":
		k.execute(sock, m, n)
	case "complete_request":
		k.complete(sock, m)
	case "inspect_request":
		k.inspect(sock, m)
	case "is_complete_request":
		k.isComplete(sock, m)
	case "history_request":
		k.historyReply(sock, m)
	case "comm_info_request":
		k.send(sock, m, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "interrupt_request":
		k.s.Interrupt()
		k.send(sock, m, "interrupt_reply", map[string]any{"status": "ok"})
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		json.Unmarshal(m.content, &c)
		k.s.Interrupt()
		k.send(sock, m, "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart})
		select {
		case <-k.done:
		default:
			close(k.done)
		}
	case "comm_open", "comm_msg", "comm_close":
		// No comm targets: the protocol says to ignore them.
	default:
		k.logger.Printf("ignored a %s", t)
	}
}

func kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       protocolVersion,
		"implementation":         "dbr",
		"implementation_version": "0.1",
		"language_info": map[string]any{
			"name":            "go",
			"version":         "1.22",
			"mimetype":        "text/x-go",
			"file_extension":  ".go",
			"pygments_lexer":  "go",
			"codemirror_mode": "go",
		},
		"banner": "dbr: define-by-run deep learning in Go (engine, nn, inspect, display, fmt and math imported; :help for commands)",
		"help_links": []map[string]string{
			{"text": "dbr commands", "url": "https://github.com/dbr-go/dbr#using-the-repl"},
		},
	}
}

// send answers req on sock.
func (k *kernel) send(sock zmq4.Socket, req *message, msgType string, content any) {
	m, err := reply(req, msgType, content)
	if err != nil {
		k.logger.Printf("encoding %s: %v", msgType, err)
		return
	}
	m.header.Session = k.session
	m.ids = req.ids
	frames, err := k.sig.encode(m)
	if err != nil {
		k.logger.Printf("encoding %s: %v", msgType, err)
		return
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		k.logger.Printf("sending %s: %v", msgType, err)
	}
}

// publish sends a message on iopub with parent as its parent (nil: none).
func (k *kernel) publish(parent *message, msgType string, content any) {
	req := parent
	if req == nil {
		req = &message{}
	}
	m, err := reply(req, msgType, content)
	if err != nil {
		k.logger.Printf("encoding %s: %v", msgType, err)
		return
	}
	m.header.Session = k.session
	if parent == nil {
		m.parent = json.RawMessage("{}")
	}
	m.ids = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	frames, err := k.sig.encode(m)
	if err != nil {
		k.logger.Printf("encoding %s: %v", msgType, err)
		return
	}
	k.iopubMu.Lock()
	defer k.iopubMu.Unlock()
	if err := k.iopub.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		k.logger.Printf("publishing %s: %v", msgType, err)
	}
}

// running returns the execute request whose outputs are being published,
// or nil (a silent request, or none).
func (k *kernel) running() *message {
	k.curMu.Lock()
	defer k.curMu.Unlock()
	return k.current
}

// setRunning marks m as the execute request running (nil: none); silent
// tells whether it is silent, whose output is published nowhere.
func (k *kernel) setRunning(m *message, silent bool) {
	k.curMu.Lock()
	k.current, k.quiet = m, silent
	if m != nil {
		k.last = m
	}
	k.curMu.Unlock()
}

// latest returns the execute request that output goes under: the running
// one, else the last one (what a goroutine prints or shows after its cell
// ended goes under that cell, as in ipykernel), or nil while a silent
// request runs.
func (k *kernel) latest() *message {
	k.curMu.Lock()
	defer k.curMu.Unlock()
	if k.quiet {
		return nil
	}
	if k.current != nil {
		return k.current
	}
	return k.last
}

type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     bool              `json:"stop_on_error"`
}

func (k *kernel) execute(sock zmq4.Socket, m *message, n uint64) {
	var req executeRequest
	if err := json.Unmarshal(m.content, &req); err != nil {
		k.logger.Printf("execute_request: %v", err)
		return
	}
	if n != 0 && n <= k.abortThrough {
		k.send(sock, m, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.count})
		return
	}
	store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
	if store {
		k.count++
	}
	if !req.Silent {
		k.publish(m, "execute_input", map[string]any{"code": req.Code, "execution_count": k.count})
		k.setRunning(m, false)
	} else {
		k.setRunning(nil, true)
	}
	k.in.start(m, req.AllowStdin)
	k.failed, k.result, k.askExit = nil, "", false
	var payload []any
	if name, ok := pageRequest(req.Code); ok {
		payload = k.page(name)
	} else {
		k.s.EvalCell(context.Background(), req.Code)
		if k.askExit {
			payload = append(payload, map[string]any{"source": "ask_exit", "keepkernel": false})
		}
	}
	k.out.flush()
	k.errOut.flush()
	k.in.stop()
	k.setRunning(nil, false)
	if store {
		k.history = append(k.history, histRow{line: k.count, input: req.Code, output: k.result})
	}
	content := map[string]any{"execution_count": k.count}
	if e := k.failed; e != nil {
		if req.StopOnError {
			k.abortThrough = k.received.Load()
		}
		content["status"] = "error"
		content["ename"], content["evalue"], content["traceback"] = errorParts(e)
	} else {
		content["status"] = "ok"
		content["payload"] = append([]any{}, payload...)
		content["user_expressions"] = k.userExpressions(req.UserExpressions)
	}
	k.send(sock, m, "execute_reply", content)
}

// quitText is what :quit prints in a cell. A notebook outlives its
// kernel, so :quit cannot close it; a console frontend (jupyter console)
// exits on the ask_exit payload that comes with it, as on IPython's exit.
const quitText = "The kernel keeps running: a notebook ends its session with Kernel > Shut Down, " +
	"or starts afresh with Kernel > Restart (:reset forgets every variable but keeps the kernel)."

// errorParts are the ename, evalue and short traceback of an error.
func errorParts(e *repl.Error) (string, string, []string) {
	name := "error"
	if e.Msg == "interrupted" {
		name = "interrupted"
	}
	tb := []string{"error: " + e.Msg}
	if e.Where != "" {
		tb = append(tb, "  in: "+e.Where)
	}
	if e.At != "" {
		tb = append(tb, "  at: "+e.At)
	}
	return name, e.Msg, tb
}

func (k *kernel) onError(e *repl.Error) {
	m := k.running()
	if m == nil {
		return
	}
	k.out.flush()
	k.errOut.flush()
	name, value, tb := errorParts(e)
	k.publish(m, "error", map[string]any{"ename": name, "evalue": value, "traceback": tb})
}

func (k *kernel) onResult(vals []any, text string) {
	k.result = text
	m := k.running()
	if m == nil {
		return
	}
	k.out.flush()
	k.errOut.flush()
	data := map[string][]byte{"text/plain": []byte(text)}
	if len(vals) == 1 {
		data = display.Bundle(vals[0], text)
	}
	k.publish(m, "execute_result", map[string]any{
		"execution_count": k.count, "data": mimeBundle(data), "metadata": map[string]any{},
	})
}

func (k *kernel) onDisplay(o display.Output) {
	m := k.latest()
	if m == nil {
		return
	}
	k.out.flush()
	k.errOut.flush()
	if o.Clear {
		k.publish(m, "clear_output", map[string]any{"wait": false})
		return
	}
	msgType := "display_data"
	if o.Update {
		msgType = "update_display_data"
	}
	c := map[string]any{"data": mimeBundle(o.Data), "metadata": map[string]any{}, "transient": map[string]any{}}
	if o.ID != "" {
		c["transient"] = map[string]any{"display_id": o.ID}
	}
	k.publish(m, msgType, c)
}

// mimeBundle turns display data into JSON values: text as strings, images
// as base64 (encoding/json encodes []byte so).
func mimeBundle(data map[string][]byte) map[string]any {
	out := map[string]any{}
	for mime, b := range data {
		if strings.HasPrefix(mime, "text/") || mime == "image/svg+xml" || strings.HasSuffix(mime, "json") {
			out[mime] = string(b)
		} else {
			out[mime] = b
		}
	}
	return out
}

func (k *kernel) userExpressions(exprs map[string]string) map[string]any {
	out := map[string]any{}
	for name, src := range exprs {
		vals, err := k.s.Value(context.Background(), src)
		if err != nil {
			out[name] = map[string]any{"status": "error", "ename": "error", "evalue": err.Error(), "traceback": []string{err.Error()}}
			continue
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = k.s.Format(v)
		}
		out[name] = map[string]any{"status": "ok", "data": map[string]string{"text/plain": strings.Join(parts, " ")}, "metadata": map[string]any{}}
	}
	return out
}

// pageRequest recognizes a cell that asks for documentation as IPython's
// "name?" and "?name" do.
func pageRequest(code string) (string, bool) {
	c := strings.TrimSpace(code)
	if strings.ContainsAny(c, " \t\n(") || len(c) < 2 {
		return "", false
	}
	switch {
	case strings.HasSuffix(c, "?"):
		return strings.TrimSuffix(c, "?"), true
	case strings.HasPrefix(c, "?"):
		return strings.TrimPrefix(c, "?"), true
	}
	return "", false
}

// page returns the pager payload with the documentation of name, or
// reports the error.
func (k *kernel) page(name string) []any {
	doc, err := k.s.DocOf(name)
	if err != nil {
		k.failed = &repl.Error{Msg: err.Error(), Where: name + "?"}
		k.onError(k.failed)
		return nil
	}
	return []any{map[string]any{"source": "page", "data": map[string]string{"text/plain": doc}, "start": 0}}
}

// streamWriter publishes what the session writes as stream messages of the
// running cell, at most every 50 ms while it runs, and at once before a
// result, a display or the reply.
type streamWriter struct {
	k     *kernel
	name  string
	mu    sync.Mutex
	buf   strings.Builder
	timer *time.Timer
}

const streamEvery = 50 * time.Millisecond

func (w *streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.timer == nil {
		w.timer = time.AfterFunc(streamEvery, w.flush)
	}
	return len(p), nil
}

func (w *streamWriter) flush() {
	w.mu.Lock()
	text := w.buf.String()
	w.buf.Reset()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.mu.Unlock()
	if text == "" {
		return
	}
	if m := w.k.latest(); m != nil {
		w.k.publish(m, "stream", map[string]string{"name": w.name, "text": text})
	}
}

// stdinReader is the session's standard input (fmt.Scan and friends): it
// asks the frontend for a line with an input_request on the stdin channel
// when the running request allows it, and reads end of file otherwise.
type stdinReader struct {
	k       *kernel
	mu      sync.Mutex
	req     *message
	allowed bool
	buf     []byte
}

func (r *stdinReader) start(m *message, allowed bool) {
	r.mu.Lock()
	r.req, r.allowed, r.buf = m, allowed, nil
	r.mu.Unlock()
}

func (r *stdinReader) stop() { r.start(nil, false) }

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		if !r.allowed || r.req == nil {
			return 0, io.EOF
		}
		r.k.out.flush()
		r.k.errOut.flush()
		line, err := r.k.input(r.req)
		if err != nil {
			return 0, err
		}
		r.buf = []byte(line + "\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// input sends an input_request for req and waits for the input_reply.
func (k *kernel) input(req *message) (string, error) {
	k.send(k.stdin, req, "input_request", map[string]any{"prompt": "", "password": false})
	for {
		raw, err := k.stdin.Recv()
		if err != nil {
			return "", err
		}
		m, err := k.sig.decode(raw.Frames)
		if err != nil {
			k.logger.Printf("dropped a message on stdin: %v", err)
			continue
		}
		if m.header.MsgType != "input_reply" {
			continue
		}
		var c struct {
			Value string `json:"value"`
		}
		json.Unmarshal(m.content, &c)
		return c.Value, nil
	}
}
