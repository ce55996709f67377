package inspect

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dbr-go/dbr/display"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Terminal plot size: the width comes from the terminal (see terminalWidth).
const (
	defaultWidth  = 80
	plotHeight    = 10 // rows of braille cells, 4 dots each
	minPlotWidth  = 20
	savePlotW     = 800 // SavePlot image size in pixels
	savePlotH     = 500
	savePlotDPI   = 96
	brailleOffset = 0x2800
)

// Plot draws values (a loss history, say) as a line chart in the terminal
// with Unicode braille dots, as wide as the terminal window (else $COLUMNS,
// else 80 characters). The y axis is labelled with the largest and smallest value,
// the x axis with the first and last index. NaN and Inf are left out and
// counted below the chart. In a notebook it shows the chart as SavePlot
// draws it, an image (with the text chart as its plain-text form).
//
//	inspect.Plot(losses)
func Plot(values []float64) {
	text := PlotString(values, terminalWidth(), plotHeight)
	if display.Active() {
		if img, err := plotPNG(values); err == nil {
			display.Emit(display.Output{Data: map[string][]byte{"image/png": img, "text/plain": []byte(text)}})
			return
		}
	}
	fmt.Fprintln(output(), text)
}

// PlotString is Plot returning the chart as text of the given width (in
// characters, at least 20) and height (in rows, at least 2).
func PlotString(values []float64, width, height int) string {
	if width < minPlotWidth {
		width = minPlotWidth
	}
	if height < 2 {
		height = 2
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	bad := 0
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad++
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if len(values)-bad == 0 {
		return "no values to plot"
	}
	top, bottom := num(hi), num(lo)
	label := len(top)
	if len(bottom) > label {
		label = len(bottom)
	}
	cols := width - label - 2
	dotsX, dotsY := cols*2, height*4
	grid := make([][]bool, dotsY)
	for i := range grid {
		grid[i] = make([]bool, dotsX)
	}
	span := hi - lo
	ypix := func(v float64) int {
		if span == 0 {
			return dotsY / 2
		}
		return int(math.Round((hi - v) / span * float64(dotsY-1)))
	}
	// Fewer values than dot columns: interpolate linearly between them.
	n := len(values)
	vals := values
	if n < dotsX {
		vals = make([]float64, dotsX)
		for x := range vals {
			pos := 0.0
			if dotsX > 1 {
				pos = float64(x) * float64(n-1) / float64(dotsX-1)
			}
			i := int(pos)
			if i >= n-1 {
				vals[x] = values[n-1]
				continue
			}
			f := pos - float64(i)
			vals[x] = values[i]*(1-f) + values[i+1]*f
			if f == 0 {
				vals[x] = values[i]
			}
		}
	}
	// Each dot column covers a range of values; draw the range it spans,
	// joined to the previous column so the line has no gaps.
	m := len(vals)
	prev := -1
	for x := 0; x < dotsX; x++ {
		a, b := x*m/dotsX, (x+1)*m/dotsX
		if b <= a {
			continue
		}
		ymin, ymax := -1, -1
		for _, v := range vals[a:b] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			y := ypix(v)
			if ymin < 0 || y < ymin {
				ymin = y
			}
			if y > ymax {
				ymax = y
			}
		}
		if ymin < 0 {
			prev = -1
			continue
		}
		if prev >= 0 && prev < ymin {
			ymin = prev + 1
		}
		if prev >= 0 && prev > ymax {
			ymax = prev - 1
		}
		for y := ymin; y <= ymax; y++ {
			grid[y][x] = true
		}
		prev = ypix(lastFinite(vals[a:b]))
	}
	// Braille dot bits: columns 0/1, rows 0..3.
	bits := [4][2]int{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}
	var sb strings.Builder
	for row := 0; row < height; row++ {
		var line strings.Builder
		lab, tick := "", "│"
		switch row {
		case 0:
			lab, tick = top, "┤"
		case height - 1:
			lab, tick = bottom, "┤"
		}
		line.WriteString(strings.Repeat(" ", label-len(lab)) + lab + " " + tick)
		for c := 0; c < cols; c++ {
			r := 0
			for dy := 0; dy < 4; dy++ {
				for dx := 0; dx < 2; dx++ {
					if grid[row*4+dy][c*2+dx] {
						r |= bits[dy][dx]
					}
				}
			}
			if r == 0 {
				line.WriteByte(' ')
			} else {
				line.WriteRune(rune(brailleOffset + r))
			}
		}
		sb.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	pad := strings.Repeat(" ", label+1)
	sb.WriteString(pad + "└" + strings.Repeat("─", cols) + "\n")
	first, last := "0", strconv.Itoa(n-1)
	gap := cols - len(first) - len(last)
	if gap < 1 {
		gap = 1
	}
	sb.WriteString(pad + " " + first + strings.Repeat(" ", gap) + last)
	if bad > 0 {
		fmt.Fprintf(&sb, "\n%d NaN/Inf values not shown", bad)
	}
	return sb.String()
}

func lastFinite(vs []float64) float64 {
	for i := len(vs) - 1; i >= 0; i-- {
		if !math.IsNaN(vs[i]) && !math.IsInf(vs[i], 0) {
			return vs[i]
		}
	}
	return math.NaN()
}

// Series is one named line of a Chart: Values[i] is drawn at x = i.
type Series struct {
	Name   string
	Values []float64
}

// Chart is a line chart of one or more named series, such as the training
// and validation loss of a run, with a title and axis labels, for SavePlot:
//
//	c := inspect.Chart{Title: "Fashion-MNIST", XLabel: "epoch", YLabel: "loss"}
//	err := inspect.SavePlot("loss.svg", c.Add("train", trainLoss).Add("validation", valLoss))
//
// Each series has its own color; named series get a legend. NaN and Inf
// values are left out.
type Chart struct {
	Title  string
	XLabel string // "step" when empty
	YLabel string // "value" when empty
	Series []Series
}

// Add returns c with one more series, so calls chain and a chart of one
// series is a single expression: inspect.Chart{}.Add("loss", losses).
// c itself is left as it was.
func (c Chart) Add(name string, values []float64) Chart {
	c.Series = append(c.Series[:len(c.Series):len(c.Series)], Series{Name: name, Values: values})
	return c
}

// SavePlot writes c to path, 800×500 pixels, as a PNG image or an SVG
// drawing by the extension (.png or .svg), made with gonum.org/v1/plot:
// every series of c, its title and its axis labels. It returns an error,
// and writes nothing, when the extension is neither, no series has a
// finite value, or the file cannot be written. In a notebook it also shows
// the chart.
func SavePlot(path string, c Chart) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("SavePlot %s: the extension must be .png or .svg", path)
	}
	img, err := c.render(format)
	if err != nil {
		return fmt.Errorf("SavePlot %s: %w", path, err)
	}
	if err := os.WriteFile(path, img, 0o644); err != nil {
		return fmt.Errorf("SavePlot: %w", err)
	}
	mime := map[string]string{"png": "image/png", "svg": "image/svg+xml"}[format]
	display.Emit(display.Output{Data: map[string][]byte{mime: img, "text/plain": []byte("[plot saved to " + path + "]")}})
	return nil
}

// plotPNG draws values as SavePlot does and returns the PNG file.
func plotPNG(values []float64) ([]byte, error) {
	return Chart{Series: []Series{{Values: values}}}.render("png")
}

// seriesColors are matplotlib's first colors ("tab10"), so that charts look
// as PyTorch users know them.
var seriesColors = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255},
}

// render draws c as a PNG or SVG file.
func (c Chart) render(format string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	if p.X.Label.Text == "" {
		p.X.Label.Text = "step"
	}
	if p.Y.Label.Text == "" {
		p.Y.Label.Text = "value"
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	drawn := 0
	for i, s := range c.Series {
		var pts plotter.XYs
		for x, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				pts = append(pts, plotter.XY{X: float64(x), Y: v})
			}
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color = seriesColors[i%len(seriesColors)]
		line.Width = vg.Points(1.5)
		p.Add(line)
		if s.Name != "" {
			p.Legend.Add(s.Name, line)
		}
		drawn++
	}
	if drawn == 0 {
		return nil, fmt.Errorf("no finite values to plot")
	}
	w, err := p.WriterTo(vg.Length(savePlotW)*vg.Inch/savePlotDPI, vg.Length(savePlotH)*vg.Inch/savePlotDPI, format)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
