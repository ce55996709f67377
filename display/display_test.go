package display

import (
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestBundleTensor(t *testing.T) {
	x := engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3).SetRequiresGrad(true)
	y := x.MulScalar(2)
	d := Bundle(y, y.String())
	if string(d["text/plain"]) != y.String() {
		t.Errorf("text/plain = %q, want the tensor's String", d["text/plain"])
	}
	h := string(d["text/html"])
	for _, want := range []string{"<code>[2 3]</code>", "<code>float32</code>", ">grad_fn<", "<code>MulScalar</code>", "<pre style=\"margin:4px 0 0 0\">[[2 4 6] [8 10 12]]</pre>"} {
		if !strings.Contains(h, want) {
			t.Errorf("text/html lacks %q:\n%s", want, h)
		}
	}
	big := engine.Zeros(100, 100)
	if h := string(Bundle(big, "")["text/html"]); !strings.Contains(h, "...") || len(h) > 2000 {
		t.Errorf("a 100×100 tensor's HTML is not elided (%d bytes):\n%s", len(h), h)
	}
}

func TestNoHandler(t *testing.T) {
	if Active() || Emit(Output{}) {
		t.Fatal("a handler is installed by default")
	}
	var got []Output
	prev := SetHandler(func(o Output) { got = append(got, o) })
	defer SetHandler(prev)
	Image([]byte("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"))
	Clear()
	if len(got) != 2 || got[0].Data["image/svg+xml"] == nil || !got[1].Clear {
		t.Errorf("got %+v, want an SVG image then a clear", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "not a PNG or SVG") {
			t.Errorf("Image of junk: recovered %v", r)
		}
	}()
	Image([]byte("hello"))
}
