// Package display shows rich output (an image, HTML, a line updated in
// place) where a dbr program runs in a notebook, and plain text elsewhere.
//
// In a Jupyter notebook (cmd/dbr-kernel) the session installs a Handler
// while a cell runs; Show, Image and HTML then hand it an Output, which the
// kernel sends as display_data. In a compiled program or at the dbr-repl
// prompt there is no handler, and each function prints its text to
// os.Stdout instead (or to the writer SetOutput names: the REPL's), so a
// lesson prints the same both ways.
//
//	display.Show(x)                        // a tensor as a table (its String elsewhere)
//	display.HTML("<b>epoch 3</b>")
//	png, _ := os.ReadFile("loss.png"); display.Image(png)
//
// inspect's Plot, SavePlot, graph drawings and progress lines use it too.
package display

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/dbr-go/dbr/engine"
)

// An Output is one piece of rich output: the same content in one or more
// MIME types ("text/plain" always among them; "text/html", "image/png",
// "image/svg+xml").
type Output struct {
	Data map[string][]byte
	// ID names the output so that a later Output with the same ID and
	// Update set replaces it where it is shown (a progress line); "" for
	// none.
	ID     string
	Update bool
	// Clear asks to clear the cell's output shown so far (Data is empty).
	Clear bool
}

// A Handler shows Outputs; SetHandler installs one.
type Handler func(Output)

var (
	mu      sync.Mutex
	handler Handler
	out     io.Writer // nil: os.Stdout at the time of printing
)

// SetOutput sets where the functions print their text when no handler is
// installed, and returns the previous writer; nil, the default, means
// os.Stdout at the time of printing. The REPL points it at its own output.
func SetOutput(w io.Writer) io.Writer {
	mu.Lock()
	defer mu.Unlock()
	prev := out
	out = w
	return prev
}

func output() io.Writer {
	mu.Lock()
	defer mu.Unlock()
	if out == nil {
		return os.Stdout
	}
	return out
}

// SetHandler installs h (nil: none) and returns the previous handler. The
// REPL session installs its own while it evaluates code.
func SetHandler(h Handler) Handler {
	mu.Lock()
	defer mu.Unlock()
	prev := handler
	handler = h
	return prev
}

// Active reports whether a handler is installed: whether rich output is
// shown rather than printed.
func Active() bool {
	mu.Lock()
	defer mu.Unlock()
	return handler != nil
}

// Emit hands o to the handler and reports whether there was one.
func Emit(o Output) bool {
	mu.Lock()
	h := handler
	mu.Unlock()
	if h == nil {
		return false
	}
	h(o)
	return true
}

// A Rich value has forms other than text; Show and the notebook's results
// use them. MIMEData returns them by MIME type ("text/plain" may be left
// out: the value's String is used).
type Rich interface {
	MIMEData() map[string][]byte
}

// Show shows v: in a notebook in every form it has (a tensor as a table),
// elsewhere as fmt.Println(v) prints it.
func Show(v any) {
	if !Emit(Output{Data: Bundle(v, fmt.Sprint(v))}) {
		fmt.Fprintln(output(), v)
	}
}

// HTML shows HTML in a notebook; elsewhere it prints the HTML source.
func HTML(html string) {
	if !Emit(Output{Data: map[string][]byte{"text/html": []byte(html), "text/plain": []byte(html)}}) {
		fmt.Fprintln(output(), html)
	}
}

// Image shows a PNG or SVG image (its bytes) in a notebook; elsewhere it
// prints one line saying what it is. It panics if img is neither.
func Image(img []byte) {
	mime, desc := imageType(img)
	if mime == "" {
		panic(fmt.Errorf("display.Image: not a PNG or SVG image (%d bytes starting %q)", len(img), head(img)))
	}
	if !Emit(Output{Data: map[string][]byte{mime: img, "text/plain": []byte(desc)}}) {
		fmt.Fprintln(output(), desc)
	}
}

// Clear clears the output of the notebook cell shown so far; elsewhere it
// does nothing.
func Clear() { Emit(Output{Clear: true}) }

// Bundle returns v's forms by MIME type, text its text/plain form: a Rich
// value's own, and a table for a tensor.
func Bundle(v any, text string) map[string][]byte {
	data := map[string][]byte{}
	switch v := v.(type) {
	case Rich:
		for k, b := range v.MIMEData() {
			data[k] = b
		}
	case *engine.Tensor:
		if v != nil {
			data["text/html"] = []byte(TensorHTML(v))
		}
	}
	if _, ok := data["text/plain"]; !ok {
		data["text/plain"] = []byte(text)
	}
	return data
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// imageType returns the MIME type of a PNG or SVG image and a line
// describing it.
func imageType(img []byte) (mime, desc string) {
	if bytes.HasPrefix(img, pngMagic) && len(img) >= 24 {
		w := int(img[16])<<24 | int(img[17])<<16 | int(img[18])<<8 | int(img[19])
		h := int(img[20])<<24 | int(img[21])<<16 | int(img[22])<<8 | int(img[23])
		return "image/png", fmt.Sprintf("[PNG image %d×%d]", w, h)
	}
	t := bytes.TrimSpace(img)
	if bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<svg")) {
		if bytes.Contains(t, []byte("<svg")) {
			return "image/svg+xml", "[SVG image]"
		}
	}
	return "", ""
}

func head(b []byte) []byte {
	if len(b) > 8 {
		return b[:8]
	}
	return b
}
