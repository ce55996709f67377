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

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
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
	if err := SavePlot(path, Chart{}.Add("", lossCurve(100))); err != nil {
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
	if err := SavePlot(bad, Chart{}.Add("", []float64{math.NaN()})); err == nil || !strings.Contains(err.Error(), "no finite values") {
		t.Errorf("all NaN: %v", err)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("file written for a failed plot")
	}
	if err := SavePlot(filepath.Join(dir, "missing", "x.png"), Chart{}.Add("", lossCurve(3))); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("bad directory: %v", err)
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Unix(0, 0)
	p := newProgress(200, func() time.Time { return clock }, func() int { return 60 }, &buf)
	clock = clock.Add(2 * time.Second)
	p.Update(50, 0.75)
	clock = clock.Add(10 * time.Millisecond)
	p.Update(51, 0.74) // too soon: not drawn
	clock = clock.Add(2 * time.Second)
	p.Update(200, 0.125) // 200 steps in 4.01 s
	p.Update(200, 0.1)   // after the end: ignored
	want := "\rstep  50/200 ██░░░░░░░░  25% 0:02<0:06 25.0 steps/s  loss 0.75" +
		"\rstep 200/200 ██████████ 100% 0:04<0:00 49.9 steps/s  loss 0.125\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}

	// A wide terminal gets a wider bar (at most 30); metrics in the order set.
	buf.Reset()
	clock = time.Unix(0, 0)
	p = newProgress(4, func() time.Time { return clock }, func() int { return 200 }, &buf)
	clock = clock.Add(90 * time.Minute)
	p.Set("loss", 2)
	p.Set("acc", 0.5)
	p.Set("loss", 1.5)
	p.Step(1)
	p.Done()
	want = "\rstep 1/4 ███████░░░░░░░░░░░░░░░░░░░░░░░  25% 1:30:00<4:30:00 0.0 steps/s  loss 1.5  acc 0.5" +
		"\rstep 1/4 ███████░░░░░░░░░░░░░░░░░░░░░░░  25% 1:30:00<4:30:00 0.0 steps/s  loss 1.5  acc 0.5\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

// A redraw shorter than the line before covers it with spaces, and the bar
// never grows back once a metric made it shorter.
func TestProgressRedrawCoversTheLastLine(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Unix(0, 0)
	p := newProgress(10, func() time.Time { return clock }, func() int { return 62 }, &buf)
	clock = clock.Add(time.Second)
	p.Update(1, 0.125)
	clock = clock.Add(time.Second)
	p.Update(2, 0.5)
	p.Done()
	// 62 columns: 11 for "step  1/10 ", 39 after the bar, 1 spare: a bar of 11,
	// kept at 11 when the shorter loss would leave room for 13.
	want := "\rstep  1/10 █░░░░░░░░░░  10% 0:01<0:09 1.0 steps/s  loss 0.125" +
		"\rstep  2/10 ██░░░░░░░░░  20% 0:02<0:08 1.0 steps/s  loss 0.5  " +
		"\rstep  2/10 ██░░░░░░░░░  20% 0:02<0:08 1.0 steps/s  loss 0.5\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

// Track draws a line per epoch of a DataLoader from its Next calls alone,
// with the metrics the loop sets; the end of the epoch ends the line.
func TestTrackDataLoader(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Unix(0, 0)
	dl := nn.NewDataLoader(nn.NewTensorDataset(engine.Arange(10).Reshape(10, 1), nil), nn.LoaderOpts{BatchSize: 4})
	p := track(dl, func() time.Time { return clock }, func() int { return 50 }, &buf)
	for i := 0; dl.Next(); i++ {
		clock = clock.Add(time.Second)
		p.Set("loss", []float64{0.5, 0.25, 0.125}[i])
	}
	dl.Next() // the first batch of the second epoch
	dl.Reset()
	dl.Next() // the epoch again: the unfinished line ends, a new one starts
	want := "\repoch 1 1/3 █████░░░░░░░░░░  33% 0:00<? – steps/s" +
		"\repoch 1 2/3 ██████░░░░  67% 0:01<0:01 2.0 steps/s  loss 0.5" +
		"\repoch 1 3/3 ██████████ 100% 0:02<0:00 1.5 steps/s  loss 0.25" +
		"\repoch 1 3/3 ██████████ 100% 0:03<0:00 1.0 steps/s  loss 0.125\n" +
		"\repoch 2 1/3 █████░░░░░░░░░░  33% 0:00<? – steps/s" +
		"\repoch 2 1/3 █████░░░░░░░░░░  33% 0:00<? – steps/s\n" +
		"\repoch 2 1/3 █████░░░░░░░░░░  33% 0:00<? – steps/s"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
	dl.Close()
}

// A Chart holds several named series, a title and axis labels, and saves as
// PNG or SVG by the extension.
func TestSavePlotSeries(t *testing.T) {
	dir := t.TempDir()
	train, val := lossCurve(100), make([]float64, 100)
	for i := range val {
		val[i] = train[i] + 0.3
	}
	c0 := Chart{Title: "Fashion-MNIST run", XLabel: "epoch", YLabel: "cross-entropy"}
	c := c0.Add("train", train).Add("validation", val)
	if len(c0.Series) != 0 || len(c.Series) != 2 {
		t.Fatalf("Add changed its receiver (%d series) or lost a series (%d)", len(c0.Series), len(c.Series))
	}

	svgPath := filepath.Join(dir, "loss.svg")
	if err := SavePlot(svgPath, c); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(svgPath)
	if !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) {
		t.Fatalf("not an SVG file: %.100s", svg)
	}
	for _, text := range []string{"Fashion-MNIST run", "epoch", "cross-entropy", "train", "validation"} {
		if !bytes.Contains(svg, []byte(">"+text+"<")) {
			t.Errorf("the SVG has no text %q", text)
		}
	}
	// Two lines, in the first two colors.
	for _, stroke := range []string{"stroke:#1F77B4", "stroke:#FF7F0E"} {
		if !bytes.Contains(bytes.ToUpper(svg), []byte(strings.ToUpper(stroke))) {
			t.Errorf("the SVG has no line with %s", stroke)
		}
	}

	pngPath := filepath.Join(dir, "loss.PNG")
	if err := SavePlot(pngPath, c); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(pngPath)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	orange := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 240 && g>>8 > 110 && g>>8 < 145 && bl>>8 < 40 {
				orange++
			}
		}
	}
	if orange < 100 {
		t.Errorf("the PNG has %d orange pixels: the second series is not drawn", orange)
	}

	for _, bad := range []string{"loss.jpg", "loss"} {
		if err := SavePlot(filepath.Join(dir, bad), c); err == nil || !strings.Contains(err.Error(), "SavePlot "+filepath.Join(dir, bad)+": the extension must be .png or .svg") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	half := Chart{Series: []Series{{Name: "nan", Values: []float64{math.NaN()}}, {Name: "ok", Values: []float64{1, 2}}}}
	if err := SavePlot(filepath.Join(dir, "half.png"), half); err != nil {
		t.Errorf("one series all NaN, the other fine: %v", err)
	}
}
