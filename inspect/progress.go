package inspect

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dbr-go/dbr/display"
)

// Progress is a live progress line for a training loop: one line, redrawn
// in place with "\r", with the step, a bar, the loss and the rate. In a
// notebook the line is one output that each redraw updates.
//
//	p := inspect.NewProgress(epochs)
//	for i := 0; i < epochs; i++ {
//		loss := step()
//		p.Update(i+1, loss)
//	}
type Progress struct {
	total int
	start time.Time
	last  time.Time
	now   func() time.Time
	out   io.Writer
	done  bool
	id    string // display id in a notebook; "" before the first draw
}

var progressSeq atomic.Int64

// progressEvery limits how often the line is redrawn.
const progressEvery = 100 * time.Millisecond

// NewProgress starts a progress line for total steps.
func NewProgress(total int) *Progress {
	return newProgress(total, time.Now, output())
}

func newProgress(total int, now func() time.Time, w io.Writer) *Progress {
	t := now()
	return &Progress{total: total, start: t, now: now, out: w}
}

// Update redraws the line after step steps (1 to total) with the latest
// loss. Redraws are at most ten a second; the last step always draws and
// ends the line.
func (p *Progress) Update(step int, loss float64) {
	if p.done {
		return
	}
	t := p.now()
	final := step >= p.total
	if !final && t.Sub(p.last) < progressEvery {
		return
	}
	p.last = t
	line := p.line(step, loss, t.Sub(p.start))
	if p.show(line) {
		p.done = final
		return
	}
	fmt.Fprint(p.out, "\r"+line)
	if final {
		fmt.Fprintln(p.out)
		p.done = true
	}
}

// show shows line as a notebook output, the same one at every redraw,
// and reports whether it could.
func (p *Progress) show(line string) bool {
	o := display.Output{Data: map[string][]byte{"text/plain": []byte(line)}, ID: p.id, Update: p.id != ""}
	if o.ID == "" {
		o.ID = fmt.Sprintf("dbr-progress-%d", progressSeq.Add(1))
	}
	if !display.Emit(o) {
		return false
	}
	p.id = o.ID
	return true
}

// Done ends the line, if the last step did not already.
func (p *Progress) Done() {
	if !p.done && p.id != "" {
		p.done = true
		return
	}
	if !p.done {
		fmt.Fprintln(p.out)
		p.done = true
	}
}

// line formats the progress line; elapsed gives the rate.
func (p *Progress) line(step int, loss float64, elapsed time.Duration) string {
	const barWidth = 20
	frac := 0.0
	if p.total > 0 {
		frac = float64(step) / float64(p.total)
	}
	if frac > 1 {
		frac = 1
	}
	fill := int(frac * barWidth)
	bar := strings.Repeat("█", fill) + strings.Repeat("░", barWidth-fill)
	w := len(fmt.Sprint(p.total))
	rate := "–"
	if s := elapsed.Seconds(); s > 0 {
		rate = fmt.Sprintf("%.1f", float64(step)/s)
	}
	return fmt.Sprintf("step %*d/%d %s %3.0f%%  loss %-10s %s steps/s", w, step, p.total, bar, frac*100, num(loss), rate)
}
