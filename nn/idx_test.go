package nn

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/engine"
)

// idxBytes builds an IDX file by hand: magic, dims, then body as given.
func idxBytes(typ byte, dims []uint32, body []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, body...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadIDXTypes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		typ  byte
		dims []uint32
		body []byte
		want []float64
		is64 bool
	}{
		{"ubyte", 0x08, []uint32{2, 3}, []byte{0, 1, 2, 127, 128, 255}, []float64{0, 1, 2, 127, 128, 255}, false},
		{"sbyte", 0x09, []uint32{3}, []byte{0xff, 0x80, 5}, []float64{-1, -128, 5}, false},
		{"short", 0x0B, []uint32{2}, []byte{0xff, 0xfe, 0x01, 0x00}, []float64{-2, 256}, false},
		{"int", 0x0C, []uint32{1, 2}, []byte{0x80, 0, 0, 0, 0, 0, 1, 0}, []float64{-2147483648, 256}, true},
		{"float", 0x0D, []uint32{1}, []byte{0x3f, 0xc0, 0, 0}, []float64{1.5}, false},
		{"double", 0x0E, []uint32{1}, []byte{0xc0, 0x04, 0, 0, 0, 0, 0, 0}, []float64{-2.5}, true},
	}
	for _, c := range cases {
		raw := idxBytes(c.typ, c.dims, c.body)
		for _, gz := range []bool{false, true} {
			b := raw
			if gz {
				b = gzipped(raw)
			}
			p := writeFile(t, dir, c.name, b)
			x, err := ReadIDX(p)
			if err != nil {
				t.Fatalf("%s gz=%v: %v", c.name, gz, err)
			}
			wantShape := make([]int, len(c.dims))
			for i, d := range c.dims {
				wantShape[i] = int(d)
			}
			equalValues(t, c.name, x, engine.New64(c.want, wantShape...))
			if (x.DType() == engine.Float64) != c.is64 {
				t.Fatalf("%s: dtype %v", c.name, x.DType())
			}
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated: 0 bytes"},
		{"magic", []byte{0x50, 0x4b, 3, 4, 0, 0, 0, 0}, "bad magic 50 4b 03 04: not an IDX file"},
		{"type", []byte{0, 0, 0x07, 1, 0, 0, 0, 1, 9}, "bad magic"},
		{"no dims", []byte{0, 0, 8, 0}, "bad magic"},
		{"short dims", []byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0}, "declares 3 dims but only 6 of their 12 bytes"},
		{"short data", idxBytes(8, []uint32{2, 3}, []byte{1, 2, 3}), "truncated: the header declares [2 3] unsigned byte values (6 bytes) but the file holds 3 bytes"},
		{"extra data", idxBytes(8, []uint32{2}, []byte{1, 2, 3}), "the sizes in the header are wrong"},
		{"huge", idxBytes(0x0E, []uint32{1 << 31, 1 << 31}, nil), "more than the 4294967296 bytes"},
		{"gz short", gzipped(idxBytes(8, []uint32{2, 3}, []byte{1, 2, 3})), "truncated: the header declares [2 3]"},
		{"gz extra", gzipped(idxBytes(8, []uint32{2}, []byte{1, 2, 3})), "more data than its header declares"},
		{"gz corrupt", gzipped(idxBytes(8, []uint32{4}, []byte{1, 2, 3, 4}))[:20], "gzip data ends early"},
		{"not gzip", []byte{0x1f, 0x8b, 0, 0}, "not a valid gzip file"},
	}
	for _, c := range cases {
		p := writeFile(t, dir, c.name, c.b)
		_, err := ReadIDX(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want an error naming the file and %q", c.name, err, c.want)
		}
	}
	if _, err := ReadIDX(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "nope: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

// A header that declares far more data than the file holds is an error
// before any large allocation, gzipped or not.
func TestReadIDXHugeDeclarationDoesNotAllocate(t *testing.T) {
	dir := t.TempDir()
	big := idxBytes(8, []uint32{60000 * 100, 28, 28}, make([]byte, 1000)) // declares 4.7 GB
	big2 := idxBytes(8, []uint32{1000000, 28, 28}, make([]byte, 1000))    // declares 784 MB
	for _, b := range [][]byte{big, gzipped(big), big2, gzipped(big2)} {
		p := writeFile(t, dir, "big", b)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		_, err := ReadIDX(p)
		runtime.ReadMemStats(&m1)
		if err == nil {
			t.Fatal("a file declaring more than it holds was read")
		}
		if d := m1.TotalAlloc - m0.TotalAlloc; d > 8<<20 {
			t.Fatalf("reading a bad header allocated %d bytes: %v", d, err)
		}
	}
}

func TestReadIDXTruncatedEverywhere(t *testing.T) {
	dir := t.TempDir()
	full := idxBytes(8, []uint32{3, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	for _, gz := range []bool{false, true} {
		b := full
		if gz {
			b = gzipped(full)
		}
		for n := 0; n < len(b); n++ {
			p := writeFile(t, dir, "cut", b[:n])
			if _, err := ReadIDX(p); err == nil || !strings.Contains(err.Error(), p) {
				t.Fatalf("gz=%v cut to %d of %d bytes: %v", gz, n, len(b), err)
			}
		}
	}
}

// mnistFiles writes a tiny MNIST-style split to dir: n images of 2×3 pixels
// where pixel j of image i is 10·i + j, and label i%10.
func mnistFiles(t *testing.T, dir, prefix string, n int, gz bool) {
	t.Helper()
	px := make([]byte, n*6)
	for i := 0; i < n; i++ {
		for j := 0; j < 6; j++ {
			px[i*6+j] = byte(10*i + j)
		}
	}
	lab := make([]byte, n)
	for i := range lab {
		lab[i] = byte(i % 10)
	}
	img, lb := idxBytes(8, []uint32{uint32(n), 2, 3}, px), idxBytes(8, []uint32{uint32(n)}, lab)
	ext := ""
	if gz {
		img, lb, ext = gzipped(img), gzipped(lb), ".gz"
	}
	writeFile(t, dir, prefix+"-images-idx3-ubyte"+ext, img)
	writeFile(t, dir, prefix+"-labels-idx1-ubyte"+ext, lb)
}

func TestLoadMNIST(t *testing.T) {
	dir := t.TempDir()
	mnistFiles(t, dir, "train", 12, true)
	mnistFiles(t, dir, "t10k", 5, false)
	ds, err := LoadMNIST(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 12 || ds.Label(11) != 1 {
		t.Fatalf("Len %d, Label(11) %d", ds.Len(), ds.Label(11))
	}
	x, y := ds.Get(3)
	equalValues(t, "image 3", x, engine.New([]float32{30. / 255, 31. / 255, 32. / 255, 33. / 255, 34. / 255, 35. / 255}, 1, 2, 3))
	if y.Dims() != 0 || y.Item() != 3 || x.DType() != engine.Float32 {
		t.Fatalf("label %v", y)
	}
	ds.Flat = true
	if x, _ := ds.Get(0); !slices.Equal(x.Shape(), []int{6}) {
		t.Fatalf("flat shape %v", x.Shape())
	}
	test, err := LoadMNIST(dir, "test")
	if err != nil || test.Len() != 5 {
		t.Fatalf("test split: %v", err)
	}
	// A DataLoader stacks them.
	dl := NewDataLoader(test, LoaderOpts{BatchSize: 4})
	dl.Next()
	xb, yb := dl.Batch()
	if !slices.Equal(xb.Shape(), []int{4, 1, 2, 3}) || !slices.Equal(yb.Shape(), []int{4}) || yb.At(2) != 2 || xb.At(1, 0, 1, 2) != float64(float32(15)/255) {
		t.Fatalf("batch %v %v", xb.Shape(), yb)
	}
	dl.Close()
	all, labels := ds.Head(2).Tensors()
	if !slices.Equal(all.Shape(), []int{2, 6}) || labels.At(1) != 1 {
		t.Fatalf("Head(2).Tensors: %v %v", all.Shape(), labels)
	}
	if _, err := LoadMNIST(t.TempDir(), "train"); err == nil || !strings.Contains(err.Error(), "no images-idx3-ubyte file in") || !strings.Contains(err.Error(), "looked for train-images-idx3-ubyte.gz, train-images-idx3-ubyte, train-images.idx3-ubyte.gz") {
		t.Fatalf("empty directory: %v", err)
	}
	if _, err := LoadMNIST(dir, "validation"); err == nil || !strings.Contains(err.Error(), `"train" or "test"`) {
		t.Fatalf("bad split: %v", err)
	}
	if err := engine.Try(func() { ds.Get(12) }); err == nil || !strings.Contains(err.Error(), "index 12 is out of range for 12") {
		t.Fatalf("Get(12): %v", err)
	}
}

func TestReadMNISTErrors(t *testing.T) {
	dir := t.TempDir()
	img := writeFile(t, dir, "img", idxBytes(8, []uint32{3, 2, 2}, make([]byte, 12)))
	lab2 := writeFile(t, dir, "lab2", idxBytes(8, []uint32{2}, []byte{1, 2}))
	lab3 := writeFile(t, dir, "lab3", idxBytes(8, []uint32{3}, []byte{1, 2, 10}))
	img2d := writeFile(t, dir, "img2d", idxBytes(8, []uint32{3, 4}, make([]byte, 12)))
	labF := writeFile(t, dir, "labF", idxBytes(0x0D, []uint32{3}, make([]byte, 12)))
	bad := writeFile(t, dir, "bad", []byte("GIF89a"))
	cases := []struct {
		img, lab, want string
	}{
		{img, lab2, img + " holds 3 images but " + lab2 + " holds 2 labels"},
		{img, lab3, lab3 + ": label 2 is 10"},
		{img2d, lab2, img2d + ": not an image file"},
		{img, labF, labF + ": not a label file: it holds float values"},
		{bad, lab2, bad + ": bad magic"},
		{img, bad, bad + ": bad magic"},
	}
	for _, c := range cases {
		_, err := ReadMNIST(c.img, c.lab)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadMNIST(%s, %s): %v, want %q", filepath.Base(c.img), filepath.Base(c.lab), err, c.want)
		}
	}
}

// The embedded subset: sizes, value range, and the class counts that
// fashiondata/make_subset.py found in Debian's files.
func TestFashionMNISTSubset(t *testing.T) {
	for _, c := range []struct {
		split  string
		n      int
		counts [10]int
	}{
		{"train", 1000, [10]int{107, 104, 86, 92, 95, 100, 100, 115, 102, 99}},
		{"test", 200, [10]int{20, 27, 27, 17, 21, 16, 16, 20, 18, 18}},
	} {
		ds, err := FashionMNISTSubset(c.split)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Len() != c.n {
			t.Fatalf("%s: %d examples", c.split, ds.Len())
		}
		var counts [10]int
		for i := 0; i < ds.Len(); i++ {
			counts[ds.Label(i)]++
		}
		if counts != c.counts {
			t.Fatalf("%s class counts %v, want %v", c.split, counts, c.counts)
		}
		x, y := ds.Tensors()
		if !slices.Equal(x.Shape(), []int{c.n, 1, 28, 28}) || !slices.Equal(y.Shape(), []int{c.n}) {
			t.Fatalf("%s: shapes %v %v", c.split, x.Shape(), y.Shape())
		}
		lo, hi := 1.0, 0.0
		for _, v := range x.Float32s() {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
		if lo != 0 || hi != 1 {
			t.Fatalf("%s: pixel range [%v, %v], want [0, 1]", c.split, lo, hi)
		}
		if ds.Classes[9] != "Ankle boot" {
			t.Fatalf("classes %v", ds.Classes)
		}
	}
}

func TestFashionMNISTFallbackAndEnv(t *testing.T) {
	var notice bytes.Buffer
	oldOut, oldDir := notices, fashionDebianDir
	defer func() { notices, fashionDebianDir = oldOut, oldDir }()
	notices = &notice

	// Neither the environment variable nor the Debian files: the subset, with a notice.
	t.Setenv(fashionEnv, "")
	fashionDebianDir = filepath.Join(t.TempDir(), "absent")
	ds, err := FashionMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 200 {
		t.Fatalf("fallback has %d examples", ds.Len())
	}
	msg := notice.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "apt-get install dataset-fashion-mnist") || !strings.Contains(msg, fashionEnv) {
		t.Fatalf("notice %q", msg)
	}

	// The environment variable names a directory with the files.
	dir := t.TempDir()
	mnistFiles(t, dir, "train", 7, true)
	t.Setenv(fashionEnv, dir)
	notice.Reset()
	ds, err = FashionMNIST("train")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 7 || ds.Source != dir || notice.Len() != 0 || ds.Classes[0] != "T-shirt/top" {
		t.Fatalf("from %s: %v, notice %q", fashionEnv, ds, notice.String())
	}
	// ... or without them: an error that says how to get them, no fallback.
	_, err = FashionMNIST("test")
	if err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") || !strings.Contains(err.Error(), fashionEnv+" is set to "+dir) {
		t.Fatalf("missing files in %s: %v", fashionEnv, err)
	}
}

// The real files of Debian's dataset-fashion-mnist, when installed: full
// sizes, and the embedded subset is their beginning.
func TestFashionMNISTDebianFiles(t *testing.T) {
	if _, err := os.Stat(fashionDebianDir); err != nil {
		t.Skipf("skipping: %s not found (sudo apt-get install dataset-fashion-mnist)", fashionDebianDir)
	}
	if testing.Short() {
		t.Skip("skipping the full Fashion-MNIST files in -short mode")
	}
	t.Setenv(fashionEnv, "")
	for _, c := range []struct {
		split string
		n     int
	}{{"train", 60000}, {"test", 10000}} {
		ds, err := FashionMNIST(c.split)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Len() != c.n || ds.Source != fashionDebianDir {
			t.Fatalf("%s: %v", c.split, ds)
		}
		sub, _ := FashionMNISTSubset(c.split)
		if !bytes.Equal(ds.images[:len(sub.images)], sub.images) || !bytes.Equal(ds.labels[:sub.Len()], sub.labels) {
			t.Fatalf("%s: the embedded subset is not the start of the Debian files", c.split)
		}
	}
}

// The declared size is checked against memory before reading, counting the
// tensor ReadIDX makes (a 4 MB gzip file of zeros declaring 4 GiB of
// bytes needs 20 GiB); and reading a gzip stream stops at the declared
// size however much more it holds.
func TestReadIDXMemoryBounds(t *testing.T) {
	dir := t.TempDir()
	if big := uint64(1) << 32; strconv.IntSize < 64 || engine.CheckMemory("", int(big), 5) == nil {
		t.Logf("skipping the memory check: this machine holds 20 GiB")
	} else {
		decl := idxBytes(8, []uint32{1 << 16, 1 << 16}, make([]byte, 100))
		for _, b := range [][]byte{decl, gzipped(decl)} {
			_, err := ReadIDX(writeFile(t, dir, "decl", b))
			if err == nil || !strings.Contains(err.Error(), "the header declares [65536 65536] unsigned byte values: 4294967296 values of 5 bytes need 20.0 GiB, more than this machine's memory") {
				t.Errorf("4 GiB declared: %v", err)
			}
		}
	}
	bomb := gzipped(idxBytes(8, []uint32{1 << 20}, make([]byte, 64<<20))) // 64 MiB of zeros, 1 MiB declared
	p := writeFile(t, dir, "bomb.gz", bomb)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, err := ReadIDX(p)
	runtime.ReadMemStats(&m1)
	if err == nil || !strings.Contains(err.Error(), "more data than its header declares") {
		t.Fatalf("gzip holding more than declared: %v", err)
	}
	if d := m1.TotalAlloc - m0.TotalAlloc; d > 8<<20 {
		t.Errorf("a %d-byte gzip file declaring 1 MiB made ReadIDX allocate %d bytes", len(bomb), d)
	}
}

// Reading a real (well-formed) gzip IDX file allocates the bytes it holds,
// grown as they arrive, and the float32 tensor: about 6 times the data for
// unsigned bytes. It was 11 (a buffer grown past the declared size, a float
// slice, and the tensor's copy of it): a 1 MB .gz reached 12.6 GB RSS.
func TestReadIDXGzipMemory(t *testing.T) {
	const n = 8 << 20
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7919>>3) & 0x3f
	}
	p := writeFile(t, t.TempDir(), "x.gz", gzipped(idxBytes(8, []uint32{n / 1024, 1024}, data)))
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	x, err := ReadIDX(p)
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	if v := x.RawFloat32(); v[12345] != float32(data[12345]) || v[n-1] != float32(data[n-1]) {
		t.Fatalf("values %v %v, want %v %v", v[12345], v[n-1], data[12345], data[n-1])
	}
	if d := m1.TotalAlloc - m0.TotalAlloc; d > 7*n {
		t.Errorf("reading %d bytes of IDX data allocated %d bytes (%.1f times the data); want at most 7 times", n, d, float64(d)/n)
	}
}

// Reading MNIST files that takes more than a second shows a progress line
// (on the same writer as FashionMNIST's notice); a quick read shows nothing.
func TestLoadMNISTProgress(t *testing.T) {
	dir := t.TempDir()
	mnistFiles(t, dir, "train", 3000, false) // 18 kB of pixels: several reads
	var out strings.Builder
	oldOut, oldClock, oldOn := notices, loadClock, loadProgressOn
	defer func() { notices, loadClock, loadProgressOn = oldOut, oldClock, oldOn }()
	notices = &out
	if loadProgressOn() {
		t.Fatal("progress shown on a writer that is no terminal")
	}
	loadProgressOn = func() bool { return true } // as on a terminal
	clock := time.Unix(0, 0)
	loadClock = func() time.Time { return clock }
	if _, err := LoadMNIST(dir, "train"); err != nil || out.Len() != 0 {
		t.Fatalf("a read that took no time printed %q (%v)", out.String(), err)
	}
	loadClock = func() time.Time { clock = clock.Add(400 * time.Millisecond); return clock }
	if _, err := LoadMNIST(dir, "train"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\r")[1:]
	if len(lines) < 3 {
		t.Fatalf("progress %q: want several redraws", out.String())
	}
	last := -1
	for _, l := range lines[:len(lines)-1] {
		var pct int
		if _, err := fmt.Sscanf(strings.TrimPrefix(l, "nn.LoadMNIST: reading "+dir), " %d%%", &pct); err != nil || pct < last || pct > 100 {
			t.Fatalf("progress line %q after %d%%", l, last)
		}
		last = pct
	}
	if end := lines[len(lines)-1]; !strings.HasPrefix(end, "nn.LoadMNIST: read "+dir+" (0.0 MB) in ") || !strings.HasSuffix(end, " s\n") {
		t.Errorf("last line %q", end)
	}
}

// An IDX file may declare up to 255 dims; a tensor holds at most 64, so
// more is an error from the reader, not a panic from the engine.
func TestReadIDXTooManyDims(t *testing.T) {
	dims := make([]uint32, 65)
	for i := range dims {
		dims[i] = 1
	}
	p := writeFile(t, t.TempDir(), "dims", idxBytes(8, dims, []byte{7}))
	var err error
	if perr := engine.Try(func() { _, err = ReadIDX(p) }); perr != nil {
		t.Fatalf("ReadIDX panicked: %v", perr)
	}
	if err == nil || !strings.Contains(err.Error(), "the header declares 65 dims; a tensor has at most 64") {
		t.Errorf("65 dims: %v", err)
	}
	x, err := ReadIDX(writeFile(t, t.TempDir(), "dims64", idxBytes(8, dims[:64], []byte{7})))
	if err != nil || x.Dims() != 64 || x.Item() != 7 {
		t.Errorf("64 dims: %v %v", x, err)
	}
}

// In a notebook (a display handler installed) the load progress is shown,
// though no terminal is there, as one output updated in place that ends
// with the "read" line; nothing goes to notices.
func TestLoadMNISTProgressNotebook(t *testing.T) {
	dir := t.TempDir()
	mnistFiles(t, dir, "train", 3000, false)
	var out strings.Builder
	oldOut, oldClock := notices, loadClock
	defer func() { notices, loadClock = oldOut, oldClock }()
	notices = &out
	var got []display.Output
	prev := display.SetHandler(func(o display.Output) { got = append(got, o) })
	defer display.SetHandler(prev)
	clock := time.Unix(0, 0)
	loadClock = func() time.Time { clock = clock.Add(400 * time.Millisecond); return clock }
	if _, err := LoadMNIST(dir, "train"); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || len(got) < 3 {
		t.Fatalf("%d notebook outputs, notices %q: want several outputs and no text", len(got), out.String())
	}
	for i, o := range got {
		if o.ID != got[0].ID || o.ID == "" || o.Update != (i > 0) {
			t.Errorf("output %d: ID %q (first %q), Update %v", i, o.ID, got[0].ID, o.Update)
		}
	}
	if first, last := string(got[0].Data["text/plain"]), string(got[len(got)-1].Data["text/plain"]); !strings.HasPrefix(first, "nn.LoadMNIST: reading "+dir) ||
		!strings.HasPrefix(last, "nn.LoadMNIST: read "+dir+" (0.0 MB) in ") {
		t.Errorf("first %q, last %q", first, last)
	}
}
