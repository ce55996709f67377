package inspect

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress is a live progress line for a training loop: one line, redrawn
// in place with "\r", with the step, a bar, the loss and the rate.
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
}

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
	fmt.Fprint(p.out, "\r"+p.line(step, loss, t.Sub(p.start)))
	if final {
		fmt.Fprintln(p.out)
		p.done = true
	}
}

// Done ends the line, if the last step did not already.
func (p *Progress) Done() {
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
