package inspect

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/nn"
)

// Progress is a live progress line for a training loop: one line, redrawn
// in place with "\r", with the step, a bar as wide as the terminal allows,
// the elapsed time and the estimated time left, the rate, and the metrics
// the loop reports (Set, or the loss given to Update). In a notebook the line
// is one output that each redraw updates.
//
//	p := inspect.NewProgress(epochs)
//	for i := 0; i < epochs; i++ {
//		loss := step()
//		p.Update(i+1, loss)
//	}
//
// Track draws one for each epoch of a DataLoader without further calls.
//
// (github.com/schollz/progressbar was considered: it writes its own "\r"
// frames straight to a writer, while a line here must also be a notebook
// output updated in place (display.Output's ID), and its metrics would have
// to be re-formatted into a description on every step. The line is a few
// dozen lines of code here.)
type Progress struct {
	label   string // "step", or "epoch 3" for a tracked DataLoader
	total   int
	step    int
	start   time.Time
	last    time.Time
	now     func() time.Time
	width   func() int
	out     io.Writer
	done    bool
	id      string // display id in a notebook; "" before the first draw
	metrics []metric
	bar     int // the bar's width so far: it only shrinks, so the line does not jump
	drawn   int // characters of the line last drawn, which a shorter one must cover
}

// metric is one named value of the line, in the order first reported.
type metric struct {
	name string
	v    float64
}

var progressSeq atomic.Int64

// progressEvery limits how often the line is redrawn.
const progressEvery = 100 * time.Millisecond

// NewProgress starts a progress line for total steps.
func NewProgress(total int) *Progress {
	return newProgress(total, time.Now, terminalWidth, output())
}

func newProgress(total int, now func() time.Time, width func() int, w io.Writer) *Progress {
	return &Progress{label: "step", total: total, start: now(), now: now, width: width, out: w}
}

// Set records a metric shown from the next redraw on ("loss", "acc"); a
// name set again replaces its value.
func (p *Progress) Set(name string, v float64) {
	for i := range p.metrics {
		if p.metrics[i].name == name {
			p.metrics[i].v = v
			return
		}
	}
	p.metrics = append(p.metrics, metric{name, v})
}

// Update records loss as the metric "loss" and redraws the line after step
// steps (1 to total), as Step does.
func (p *Progress) Update(step int, loss float64) {
	p.Set("loss", loss)
	p.Step(step)
}

// Step redraws the line after step steps (1 to total). Redraws are at most
// ten a second; the last step always draws and ends the line.
func (p *Progress) Step(step int) { p.advance(step, step >= p.total) }

// advance records step and redraws, ending the line when final.
func (p *Progress) advance(step int, final bool) {
	if p.done {
		return
	}
	p.step = step
	t := p.now()
	if !final && t.Sub(p.last) < progressEvery {
		return
	}
	p.draw(t, final)
}

// draw draws the line at time t, ending it when final.
func (p *Progress) draw(t time.Time, final bool) {
	p.last = t
	line := p.line(t.Sub(p.start))
	if p.show(line) {
		p.done = final
		return
	}
	n := utf8.RuneCountInString(line)
	fmt.Fprint(p.out, "\r"+line+strings.Repeat(" ", max(p.drawn-n, 0)))
	p.drawn = n
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

// Done draws the line a last time with the latest metrics and ends it, if
// the last step did not already.
func (p *Progress) Done() {
	if !p.done {
		p.draw(p.now(), true)
	}
}

// line formats the progress line; elapsed gives the rate and the time left.
func (p *Progress) line(elapsed time.Duration) string {
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(p.step)/float64(p.total), 1)
	}
	w := len(fmt.Sprint(p.total))
	left, rate := "?", "–"
	if s := elapsed.Seconds(); s > 0 && p.step > 0 {
		r := float64(p.step) / s
		rate = fmt.Sprintf("%.1f", r)
		left = clock(time.Duration(float64(max(p.total-p.step, 0)) / r * float64(time.Second)))
	}
	head := fmt.Sprintf("%s %*d/%d ", p.label, w, p.step, p.total)
	tail := fmt.Sprintf(" %3.0f%% %s<%s %s steps/s", frac*100, clock(elapsed), left, rate)
	for _, m := range p.metrics {
		tail += "  " + m.name + " " + num(m.v)
	}
	// The bar takes what the terminal has left, from 10 to 30 characters.
	barWidth := min(max(p.width()-utf8.RuneCountInString(head+tail)-1, 10), 30)
	if p.bar > 0 {
		barWidth = min(barWidth, p.bar)
	}
	p.bar = barWidth
	fill := int(frac * float64(barWidth))
	return head + strings.Repeat("█", fill) + strings.Repeat("░", barWidth-fill) + tail
}

// clock formats d as m:ss, or h:mm:ss from an hour on.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Track shows a progress line for every epoch of dl: once it is called,
// each dl.Next() redraws the line with the batch, the elapsed time and the
// time left, batches per second and the metrics the loop reports with Set;
// the Next that ends the epoch ends the line. It returns the Progress, for Set.
//
//	p := inspect.Track(dl)
//	for dl.Next() {
//		loss := nn.CrossEntropyLoss(m.Forward(dl.X()), dl.Y())
//		...
//		p.Set("loss", loss.Item())
//	}
func Track(dl *nn.DataLoader) *Progress {
	return track(dl, time.Now, terminalWidth, output())
}

func track(dl *nn.DataLoader, now func() time.Time, width func() int, w io.Writer) *Progress {
	p := newProgress(dl.Len(), now, width, w)
	p.done = true // until the first batch
	dl.OnNext(func(dl *nn.DataLoader, more bool) {
		if !more {
			p.Done()
			return
		}
		if dl.BatchIndex() == 0 { // a new epoch: a new line
			p.Done() // the line of an epoch left unfinished, if any
			*p = Progress{label: fmt.Sprintf("epoch %d", dl.Epoch()+1), total: dl.Len(), start: now(), now: now, width: width, out: w}
		}
		p.advance(dl.BatchIndex()+1, false) // the epoch's end ends the line, with the last batch's metrics
	})
	return p
}
