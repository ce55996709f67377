package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// install writes the kernelspec: kernel.json and two logos, in the user's
// Jupyter data directory (--user, the default), under a prefix (--prefix
// DIR: DIR/share/jupyter/kernels/dbr), or system-wide when run as root
// without either.
func install(args []string) error {
	fs := flag.NewFlagSet("dbr-kernel install", flag.ContinueOnError)
	user := fs.Bool("user", false, "install for the current user (the default)")
	prefix := fs.String("prefix", "", "install under `DIR`/share/jupyter/kernels/dbr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user && *prefix != "" {
		return fmt.Errorf("--user and --prefix exclude each other")
	}
	dir, err := specDir(*prefix)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return err
	}
	spec := map[string]any{
		"argv":           []string{exe, "-f", "{connection_file}"},
		"display_name":   "dbr (Go)",
		"language":       "go",
		"interrupt_mode": "message",
		"metadata":       map[string]any{"debugger": false},
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"kernel.json": append(b, '\n')}
	for _, size := range []int{32, 64} {
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = logo(size)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("installed the dbr kernel in %s\n", dir)
	return nil
}

// specDir is where the kernelspec goes: as jupyter kernelspec install
// --user or --prefix puts it.
func specDir(prefix string) (string, error) {
	if prefix != "" {
		return filepath.Join(prefix, "share", "jupyter", "kernels", "dbr"), nil
	}
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Join(d, "kernels", "dbr"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "jupyter", "kernels", "dbr"), nil
}

// logo draws dbr's logo: a small graph, three nodes feeding a fourth, on
// a dark rounded square.
func logo(size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	bg := color.RGBA{0x1f, 0x2a, 0x44, 0xff}
	edge := color.RGBA{0x9a, 0xb8, 0xe0, 0xff}
	node := color.RGBA{0x00, 0xad, 0xd8, 0xff} // Go's blue
	s := float64(size)
	r := s * 0.18
	in := func(x, y float64) bool { // inside the rounded square
		cx, cy := math.Max(r, math.Min(s-r, x)), math.Max(r, math.Min(s-r, y))
		return math.Hypot(x-cx, y-cy) <= r
	}
	nodes := [][2]float64{{0.25, 0.25}, {0.25, 0.5}, {0.25, 0.75}, {0.72, 0.5}}
	segDist := func(px, py float64, a, b [2]float64) float64 {
		ax, ay, bx, by := a[0]*s, a[1]*s, b[0]*s, b[1]*s
		dx, dy := bx-ax, by-ay
		t := math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/(dx*dx+dy*dy)))
		return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
	}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			if !in(px, py) {
				continue
			}
			c := bg
			for _, n := range nodes[:3] {
				if segDist(px, py, n, nodes[3]) < s*0.035 {
					c = edge
				}
			}
			for i, n := range nodes {
				rad := s * 0.09
				if i == 3 {
					rad = s * 0.14
				}
				if math.Hypot(px-n[0]*s, py-n[1]*s) < rad {
					c = node
				}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
