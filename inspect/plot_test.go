package inspect

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func lossCurve(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2.3*math.Exp(-float64(i)/20) + 0.1
	}
	return v
}

func TestPlotStringGolden(t *testing.T) {
	golden(t, "plot_loss", PlotString(lossCurve(100), 60, 8))
	vals := lossCurve(10)
	vals[3] = math.NaN()
	golden(t, "plot_short_nan", PlotString(vals, 30, 4))
}

func TestPlotWidth(t *testing.T) {
	for _, w := range []int{20, 57, 120} {
		s := PlotString(lossCurve(300), w, 5)
		lines := strings.Split(s, "\n")
		if n := utf8.RuneCountInString(lines[5]); n != w {
			t.Errorf("width %d: the x axis has %d characters", w, n)
		}
		for i, line := range lines[:5] {
			if n := utf8.RuneCountInString(line); n > w {
				t.Errorf("width %d: line %d has %d characters", w, i, n)
			}
		}
	}
	t.Setenv("COLUMNS", "44")
	var buf bytes.Buffer
	prev := SetOutput(&buf)
	defer SetOutput(prev)
	Plot(lossCurve(50))
	axis := strings.Split(buf.String(), "\n")[10]
	if n := utf8.RuneCountInString(axis); n != 44 {
		t.Errorf("COLUMNS=44: x axis has %d characters", n)
	}
	if s := PlotString([]float64{math.NaN()}, 40, 4); s != "no values to plot" {
		t.Errorf("all NaN: %q", s)
	}
	if s := PlotString([]float64{1, 1, 1}, 40, 4); strings.Count(s, "⠉") != 40-3 {
		t.Errorf("flat line not drawn:\n%s", s)
	}
}

func TestSavePlot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loss.png")
	if err := SavePlot(path, lossCurve(100)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 500 {
		t.Errorf("size %dx%d, want 800x500", b.Dx(), b.Dy())
	}
	bad := filepath.Join(dir, "nan.png")
	if err := SavePlot(bad, []float64{math.NaN()}); err == nil || !strings.Contains(err.Error(), "no finite values") {
		t.Errorf("all NaN: %v", err)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("file written for a failed plot")
	}
	if err := SavePlot(filepath.Join(dir, "missing", "x.png"), lossCurve(3)); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("bad directory: %v", err)
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Unix(0, 0)
	p := newProgress(200, func() time.Time { return clock }, &buf)
	clock = clock.Add(2 * time.Second)
	p.Update(50, 0.75)
	clock = clock.Add(10 * time.Millisecond)
	p.Update(51, 0.74) // too soon: not drawn
	clock = clock.Add(2 * time.Second)
	p.Update(200, 0.125) // 200 steps in 4.01 s
	p.Update(200, 0.1)   // after the end: ignored
	want := "\rstep  50/200 █████░░░░░░░░░░░░░░░  25%  loss 0.75       25.0 steps/s" +
		"\rstep 200/200 ████████████████████ 100%  loss 0.125      49.9 steps/s\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}
