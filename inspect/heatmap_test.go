package inspect

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/engine"
)

func TestHeatmapText(t *testing.T) {
	w := engine.New64([]float64{
		1, 0, 0,
		0.25, 0.75, 0,
		0.004, 0.5, 0.496,
	}, 3, 3)
	got := Heatmap(w, []string{".", "a", "b"}, []string{".", "a", "b"}).String()
	want := "      .     a     b\n" +
		".  1.00     0     0\n" +
		"a  0.25  0.75     0\n" +
		"b  0.00  0.50  0.50"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}

	// nil labels are the indices; negative, non-finite and float32 values
	x := engine.New([]float32{-1.5, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 12.345, -0.001}, 2, 3)
	got = Heatmap(x, nil, []string{"x", "yy", "zzz"}).String()
	want = "       x     yy    zzz\n" +
		"0  -1.50    NaN   +Inf\n" +
		"1   -Inf  12.35  -0.00"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHeatmapHTML(t *testing.T) {
	w := engine.New64([]float64{-2, 0, 2, math.NaN()}, 2, 2)
	h := Heatmap(w, []string{"<q>", "k&v"}, nil)
	data := h.MIMEData()
	if string(data["text/plain"]) != h.String() {
		t.Fatalf("text/plain %q is not String() %q", data["text/plain"], h.String())
	}
	html := string(data["text/html"])
	for _, want := range []string{
		`<th style="padding:2px 6px;text-align:right">&lt;q&gt;</th>`,
		`<th style="padding:2px 6px;text-align:right">k&amp;v</th>`,
		`<th style="padding:2px 6px">0</th><th style="padding:2px 6px">1</th>`,
		`background:rgba(31,119,180,0.00);color:#000">-2.00</td>`, // the smallest: unshaded
		`background:rgba(31,119,180,0.50);color:#000">0</td>`,     // halfway
		`background:rgba(31,119,180,1.00);color:#fff">2.00</td>`,  // the largest: darkest, white text
		`background:rgba(31,119,180,0.00);color:#000">NaN</td>`,   // non-finite: unshaded
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %s:\n%s", want, html)
		}
	}
	// a notebook showing the table as a cell's result gets both forms
	if b := display.Bundle(h, "unused"); string(b["text/html"]) != html || string(b["text/plain"]) != h.String() {
		t.Fatalf("display.Bundle: %q", b)
	}
	// all values equal: nothing to shade, and no NaN from 0/0
	same := string(Heatmap(engine.Ones(1, 2), nil, nil).MIMEData()["text/html"])
	if strings.Count(same, "rgba(31,119,180,0.00)") != 2 || strings.Contains(same, "NaN") {
		t.Fatalf("constant matrix: %s", same)
	}
}

func TestHeatmapErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { Heatmap(engine.Ones(2, 3, 4), nil, nil) }, "Heatmap: [2 3 4]: the tensor must be 2-D [rows, columns], got 3-D (pick one matrix, e.g. w.Select(0, 0) for the first of a batch)"},
		{func() { Heatmap(engine.Ones(2, 3), []string{"a"}, nil) }, "Heatmap: [2 3]: 1 row labels for 2 rows (give one label each, or nil for the indices)"},
		{func() { Heatmap(engine.Ones(2, 3), nil, []string{"a", "b", "c", "d"}) }, "Heatmap: [2 3]: 4 column labels for 3 columns"},
		{func() { Heatmap(nil, nil, nil) }, "Heatmap: the tensor is nil"},
	} {
		err := engine.Try(c.f)
		var se *engine.ShapeError
		var e *engine.Error
		if err == nil || !(errors.As(err, &se) || errors.As(err, &e)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an engine error containing %q", err, c.want)
		}
	}
}
