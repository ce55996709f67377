package repl

import (
	"bytes"
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// Interpreted code's os.Stdout and os.Stderr are the session's only when
// they are *os.File values (yaegi replaces them only by files). A session
// whose Stdout or Stderr is another writer (a notebook kernel's, a buffer)
// therefore writes through a pipe: fmt, os.Stdout, log, inspect and the
// REPL's own results all go into the pipe's write end, in the order they
// were written, and a goroutine copies what comes out to the writer. flush
// waits until everything written so far has reached the writer; the
// session flushes after every piece of code it runs and before a result or
// display callback, so output and results arrive in order.

// flushMark, written into the pipe, tells the copier to acknowledge that
// everything before it was copied. It never reaches the writer.
var flushMark = []byte("\x00\x1bdbr:flush\x1b\x00")

// pipeOut is the write end of a session's output pipe.
type pipeOut struct {
	w    *os.File
	mu   sync.Mutex    // one flush at a time
	acks chan struct{} // one per flushMark copied; closed when the copier ends
}

// newPipeOut starts copying a new pipe to dst. When the session and its
// interpreter are dropped, the write end's finalizer closes it and the
// copier ends; Session.Close does it at once.
func newPipeOut(dst io.Writer) (*pipeOut, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &pipeOut{w: w, acks: make(chan struct{}, 1)}
	go copyOut(r, dst, p.acks) // must not reference p or w
	return p, nil
}

func copyOut(r *os.File, dst io.Writer, acks chan<- struct{}) {
	defer close(acks)
	defer r.Close()
	buf := make([]byte, 32<<10)
	var pending []byte
	for {
		n, err := r.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			i := bytes.Index(pending, flushMark)
			if i < 0 {
				break
			}
			if i > 0 {
				dst.Write(pending[:i])
			}
			pending = pending[i+len(flushMark):]
			acks <- struct{}{}
		}
		// Keep back a tail that could be the start of a mark.
		keep := 0
		if err == nil {
			keep = partialMark(pending)
		}
		if out := len(pending) - keep; out > 0 {
			dst.Write(pending[:out])
			pending = append(pending[:0], pending[out:]...)
		}
		if err != nil {
			return
		}
	}
}

// partialMark returns the length of the longest end of b that begins
// flushMark.
func partialMark(b []byte) int {
	for k := len(flushMark) - 1; k > 0; k-- {
		if len(b) >= k && bytes.Equal(b[len(b)-k:], flushMark[:k]) {
			return k
		}
	}
	return 0
}

// flushTimeout bounds a flush whose writer does not accept output.
const flushTimeout = 10 * time.Second

// flush returns once everything written to the pipe so far has been
// copied to the writer.
func (p *pipeOut) flush() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.w.Write(flushMark); err != nil {
		return
	}
	select {
	case <-p.acks:
	case <-time.After(flushTimeout):
	}
}

func (p *pipeOut) close() {
	if p != nil {
		p.w.Close()
	}
}

// sessionWriter returns the writer the session gives interpreted code for
// w: w itself when it is a file, else the write end of a pipe copied to w.
func sessionWriter(w io.Writer) (io.Writer, *pipeOut, error) {
	if f, ok := w.(*os.File); ok {
		return f, nil, nil
	}
	p, err := newPipeOut(w)
	if err != nil {
		return nil, nil, err
	}
	return p.w, p, nil
}

// dupFile returns a new descriptor for f (f itself if it cannot be
// duplicated, nil for nil).
func dupFile(f *os.File) *os.File {
	if f == nil {
		return nil
	}
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return f
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), f.Name())
}
