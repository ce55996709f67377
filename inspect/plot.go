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
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Terminal plot size: the width comes from $COLUMNS when set.
const (
	defaultWidth  = 80
	plotHeight    = 10 // rows of braille cells, 4 dots each
	minPlotWidth  = 20
	savePlotW     = 800 // SavePlot image size in pixels
	savePlotH     = 500
	savePlotDPI   = 96
	brailleOffset = 0x2800
)

// terminalWidth is $COLUMNS, or 80.
func terminalWidth() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n >= minPlotWidth {
		return n
	}
	return defaultWidth
}

// Plot draws values (a loss history, say) as a line chart in the terminal
// with Unicode braille dots, as wide as the window ($COLUMNS, else 80
// characters). The y axis is labelled with the largest and smallest value,
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

// SavePlot writes values as a line chart to a PNG image of 800×500 pixels
// at path (made with gonum.org/v1/plot), x axis "step", y axis "value".
// NaN and Inf values are left out. It returns an error, and writes
// nothing, when there is no finite value or the file cannot be written.
// In a notebook it also shows the image.
func SavePlot(path string, values []float64) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return fmt.Errorf("SavePlot %s: only .png is supported", path)
	}
	img, err := plotPNG(values)
	if err != nil {
		return fmt.Errorf("SavePlot %s: %w", path, err)
	}
	if err := os.WriteFile(path, img, 0o644); err != nil {
		return fmt.Errorf("SavePlot: %w", err)
	}
	display.Emit(display.Output{Data: map[string][]byte{"image/png": img, "text/plain": []byte("[plot saved to " + path + "]")}})
	return nil
}

// plotPNG draws values as SavePlot does and returns the PNG file.
func plotPNG(values []float64) ([]byte, error) {
	var pts plotter.XYs
	for i, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			pts = append(pts, plotter.XY{X: float64(i), Y: v})
		}
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("no finite values to plot")
	}
	p := plot.New()
	p.X.Label.Text = "step"
	p.Y.Label.Text = "value"
	p.Add(plotter.NewGrid())
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	line.Width = vg.Points(1.5)
	p.Add(line)
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(savePlotW)*vg.Inch/savePlotDPI, vg.Length(savePlotH)*vg.Inch/savePlotDPI), vgimg.UseDPI(savePlotDPI))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
