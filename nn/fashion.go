package nn

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/engine"
	"golang.org/x/term"
)

// MNISTDataset holds MNIST-style images (gray, 28×28 for MNIST and
// Fashion-MNIST) and their class labels, as bytes; Get and the DataLoader
// convert them to float32 on the fly.
//
// Example i is the image scaled to [0, 1] with shape [1 28 28] (channels,
// height, width: ready for Conv2d; a batch is [B 1 28 28]), or [784] when
// Flat is set (ready for Linear; a batch is [B 784]), and its label as a
// scalar float tensor holding the class index 0…9 (a batch of labels is [B],
// what CrossEntropyLoss takes).
type MNISTDataset struct {
	Flat    bool     // examples as [Rows·Cols] vectors instead of [1 Rows Cols] images
	Classes []string // class names, by index
	Source  string   // where the data came from

	images     []byte // n·rows·cols pixels
	labels     []byte
	rows, cols int
}

// FashionMNISTClasses are the names of Fashion-MNIST's ten classes.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// fashionEnv names the environment variable that points FashionMNIST to a
// directory holding the four IDX files.
const fashionEnv = "DBR_FASHION_MNIST"

// fashionDebianDir is where Debian's dataset-fashion-mnist package installs them.
var fashionDebianDir = "/usr/share/datasets/fashion-mnist"

//go:embed fashiondata/*.gz
var fashionSubset embed.FS

// notices, when set (tests do), receives what nn prints for a person to
// read: the one-line notice of a data set falling back to the copy built
// into dbr, and FashionMNIST's progress line. Unset, that goes to os.Stderr
// as it is when printed, not as it was when nn was initialized: a dbr-repl
// session replaces os.Stderr (its descriptor 2 then carries crash reports
// only).
var notices io.Writer

// noticeOut returns where notices go: notices, or the current os.Stderr.
func noticeOut() io.Writer {
	if notices != nil {
		return notices
	}
	return os.Stderr
}

// FashionMNIST returns the "train" (60000 examples) or "test" (10000) split
// of Fashion-MNIST, read from the directory named by the environment variable
// DBR_FASHION_MNIST if it is set, else from /usr/share/datasets/fashion-mnist
// (Debian's dataset-fashion-mnist package). When neither has the files, it
// prints a one-line notice saying how to get them and returns the subset
// built into dbr (the first 1000 training or 200 test examples; see
// FashionMNISTSubset), so lessons run anywhere.
//
// A directory that is named by DBR_FASHION_MNIST but lacks the files, or
// files that are malformed, give an error naming the file.
func FashionMNIST(split string) (*MNISTDataset, error) {
	prefix, err := splitPrefix("nn.FashionMNIST", split)
	if err != nil {
		return nil, err
	}
	if dir := os.Getenv(fashionEnv); dir != "" {
		ds, err := loadMNISTDir("nn.FashionMNIST", dir, prefix)
		if err != nil {
			return nil, fmt.Errorf("%w (%s is set to %s)", err, fashionEnv, dir)
		}
		ds.Classes = FashionMNISTClasses
		return ds, nil
	}
	if _, err := os.Stat(fashionDebianDir); err == nil {
		ds, err := loadMNISTDir("nn.FashionMNIST", fashionDebianDir, prefix)
		if err != nil {
			return nil, err
		}
		ds.Classes = FashionMNISTClasses
		return ds, nil
	}
	ds, err := FashionMNISTSubset(split)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(noticeOut(), "nn.FashionMNIST: %s not found, using the %d-example %s subset built into dbr; for the full data: sudo apt-get install dataset-fashion-mnist, or set %s to a directory with the IDX files\n",
		fashionDebianDir, ds.Len(), split, fashionEnv)
	return ds, nil
}

// FashionMNISTSubset returns the small part of Fashion-MNIST that is built
// into dbr: the first 1000 examples of the "train" split or the first 200 of
// the "test" split (about 100 per class, resp. 20), for quick runs and tests.
func FashionMNISTSubset(split string) (*MNISTDataset, error) {
	prefix, err := splitPrefix("nn.FashionMNISTSubset", split)
	if err != nil {
		return nil, err
	}
	read := func(name string) (*idxData, error) {
		raw, err := fashionSubset.ReadFile("fashiondata/" + name)
		if err != nil {
			return nil, err
		}
		d, err := parseIDX(bytes.NewReader(raw), int64(len(raw)), nil)
		if err != nil {
			return nil, fmt.Errorf("embedded %s: %w", name, err)
		}
		return d, nil
	}
	imgs, err := read(prefix + "-images-idx3-ubyte.gz")
	if err != nil {
		return nil, fmt.Errorf("nn.FashionMNISTSubset: %w", err)
	}
	labs, err := read(prefix + "-labels-idx1-ubyte.gz")
	if err != nil {
		return nil, fmt.Errorf("nn.FashionMNISTSubset: %w", err)
	}
	ds, err := newMNIST(imgs, labs, "embedded "+prefix+"-images", "embedded "+prefix+"-labels")
	if err != nil {
		return nil, fmt.Errorf("nn.FashionMNISTSubset: %w", err)
	}
	ds.Classes = FashionMNISTClasses
	ds.Source = "the Fashion-MNIST subset built into dbr"
	return ds, nil
}

// LoadMNIST reads the "train" or "test" split of MNIST or Fashion-MNIST from
// dir, which holds the files under their usual names
// (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each possibly gzipped with .gz). Classes is set to
// the digits "0"…"9".
func LoadMNIST(dir, split string) (*MNISTDataset, error) {
	prefix, err := splitPrefix("nn.LoadMNIST", split)
	if err != nil {
		return nil, err
	}
	return loadMNISTDir("nn.LoadMNIST", dir, prefix)
}

func splitPrefix(op, split string) (string, error) {
	switch split {
	case "train":
		return "train", nil
	case "test", "t10k":
		return "t10k", nil
	}
	return "", fmt.Errorf("%s: split must be \"train\" or \"test\", got %q", op, split)
}

// loadMNISTDir finds and reads the image and label files of prefix in dir.
func loadMNISTDir(op, dir, prefix string) (*MNISTDataset, error) {
	find := func(kind string) (string, error) {
		var tried []string
		for _, name := range []string{prefix + "-" + kind, prefix + "-" + strings.Replace(kind, "-", ".", 1)} {
			for _, ext := range []string{".gz", ""} {
				p := filepath.Join(dir, name+ext)
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
				tried = append(tried, name+ext)
			}
		}
		hint := ""
		if op == "nn.FashionMNIST" {
			hint = "; get Fashion-MNIST with: sudo apt-get install dataset-fashion-mnist"
		}
		return "", fmt.Errorf("%s: no %s file in %s (looked for %s)%s", op, kind, dir, strings.Join(tried, ", "), hint)
	}
	ip, err := find("images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lp, err := find("labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	prog := newLoadProgress(op, dir, ip, lp)
	ds, err := readMNIST(ip, lp, prog)
	prog.end(err == nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ds.Source = dir
	return ds, nil
}

// ReadMNIST reads an MNIST-style pair of IDX files (gzipped or not): images
// of unsigned bytes with dims [N rows cols] and labels of unsigned bytes with
// dims [N], each label below 10. A malformed file, or a count of images that
// differs from the count of labels, gives an error naming the file.
func ReadMNIST(imagesPath, labelsPath string) (*MNISTDataset, error) {
	ds, err := readMNIST(imagesPath, labelsPath, nil)
	if err != nil {
		return nil, fmt.Errorf("nn.ReadMNIST: %w", err)
	}
	return ds, nil
}

func readMNIST(imagesPath, labelsPath string, prog *loadProgress) (*MNISTDataset, error) {
	imgs, err := readIDXFile(imagesPath, nil, prog)
	if err != nil {
		return nil, err
	}
	labs, err := readIDXFile(labelsPath, nil, prog)
	if err != nil {
		return nil, err
	}
	ds, err := newMNIST(imgs, labs, imagesPath, labelsPath)
	if err != nil {
		return nil, err
	}
	ds.Classes = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	ds.Source = filepath.Dir(imagesPath)
	return ds, nil
}

func newMNIST(imgs, labs *idxData, imagesName, labelsName string) (*MNISTDataset, error) {
	if imgs.typ != 0x08 || len(imgs.dims) != 3 {
		return nil, fmt.Errorf("%s: not an image file: it holds %s values with dims %v, want unsigned bytes with dims [N rows cols]", imagesName, idxTypes[imgs.typ].name, imgs.dims)
	}
	if labs.typ != 0x08 || len(labs.dims) != 1 {
		return nil, fmt.Errorf("%s: not a label file: it holds %s values with dims %v, want unsigned bytes with dims [N]", labelsName, idxTypes[labs.typ].name, labs.dims)
	}
	if imgs.dims[0] != labs.dims[0] {
		return nil, fmt.Errorf("%s holds %d images but %s holds %d labels", imagesName, imgs.dims[0], labelsName, labs.dims[0])
	}
	for i, l := range labs.data {
		if l >= 10 {
			return nil, fmt.Errorf("%s: label %d is %d; labels must be class indices 0…9", labelsName, i, l)
		}
	}
	return &MNISTDataset{images: imgs.data, labels: labs.data, rows: imgs.dims[1], cols: imgs.dims[2]}, nil
}

// Len returns the number of examples.
func (d *MNISTDataset) Len() int { return len(d.labels) }

// Label returns the class index of example i.
func (d *MNISTDataset) Label(i int) int {
	d.check("Label", i)
	return int(d.labels[i])
}

// Size returns the height and width of the images (28, 28).
func (d *MNISTDataset) Size() (rows, cols int) { return d.rows, d.cols }

func (d *MNISTDataset) check(op string, i int) {
	if i < 0 || i >= len(d.labels) {
		errorf("MNISTDataset."+op, "index %d is out of range for %d examples", i, len(d.labels))
	}
}

// Get returns example i: the image scaled to [0, 1], shape [1 28 28] (or
// [784] with Flat), and the label as a scalar. It panics with an
// *engine.Error when i is out of range.
func (d *MNISTDataset) Get(i int) (x, y *engine.Tensor) {
	d.check("Get", i)
	x, _ = d.batch([]int{i})
	return x.Reshape(d.exampleShape()...), engine.New([]float32{float32(d.labels[i])}, 1).Reshape()
}

func (d *MNISTDataset) exampleShape() []int {
	if d.Flat {
		return []int{d.rows * d.cols}
	}
	return []int{1, d.rows, d.cols}
}

func (d *MNISTDataset) batch(idx []int) (x, y *engine.Tensor) {
	per := d.rows * d.cols
	xs := make([]float32, len(idx)*per)
	ys := make([]float32, len(idx))
	for k, i := range idx {
		d.check("Get", i)
		px := d.images[i*per : (i+1)*per]
		row := xs[k*per : (k+1)*per]
		for j, p := range px {
			row[j] = pixelScale[p]
		}
		ys[k] = float32(d.labels[i])
	}
	return engine.New(xs, append([]int{len(idx)}, d.exampleShape()...)...), engine.New(ys, len(idx))
}

// pixelScale maps a byte to its value scaled to [0, 1], float32(p)/255.
var pixelScale = func() (t [256]float32) {
	for p := range t {
		t[p] = float32(p) / 255
	}
	return t
}()

// Tensors returns all examples at once: images [N 1 28 28] (or [N 784] with
// Flat) scaled to [0, 1], and labels [N].
func (d *MNISTDataset) Tensors() (x, y *engine.Tensor) {
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	return d.batch(idx)
}

// Head returns a dataset of the first n examples (all when n >= Len()),
// sharing the data, for quick experiments.
func (d *MNISTDataset) Head(n int) *MNISTDataset {
	if n < 0 {
		errorf("MNISTDataset.Head", "n must be >= 0, got %d", n)
	}
	n = min(n, d.Len())
	h := *d
	h.labels = d.labels[:n]
	h.images = d.images[:n*d.rows*d.cols]
	return &h
}

// String describes the dataset, e.g.
// "MNISTDataset: 60000 examples of [1 28 28], 10 classes, from /usr/share/datasets/fashion-mnist".
func (d *MNISTDataset) String() string {
	return fmt.Sprintf("MNISTDataset: %d examples of %v, %d classes, from %s", d.Len(), d.exampleShape(), len(d.Classes), d.Source)
}

// loadProgress prints a progress line to noticeOut() ("nn.FashionMNIST: reading
// /usr/share/datasets/fashion-mnist  45%") while LoadMNIST or FashionMNIST
// reads its files, once the reading has taken more than a second, where a
// person watches: when that is a terminal, or a pipe while standard
// input is a terminal (dbr-repl's session, whose output its parent relays
// to the terminal), or in a notebook, as one output updated in place. Not
// to a log file (a line redrawn with "\r" is noise there).
type loadProgress struct {
	op, dir     string
	start, last time.Time
	read, total int64
	shown       bool
	id          string // the notebook output's ID
}

// loadClock is the clock of loadProgress, and loadProgressOn says whether
// to show it (tests replace both).
var (
	loadClock      = time.Now
	loadProgressOn = func() bool {
		if display.Active() {
			return true
		}
		f, ok := noticeOut().(*os.File)
		if !ok {
			return false
		}
		if term.IsTerminal(int(f.Fd())) {
			return true
		}
		st, err := f.Stat()
		return err == nil && st.Mode()&os.ModeNamedPipe != 0 && term.IsTerminal(int(os.Stdin.Fd()))
	}
)

// newLoadProgress returns the progress of reading paths, or nil when it is
// not shown.
func newLoadProgress(op, dir string, paths ...string) *loadProgress {
	if !loadProgressOn() {
		return nil
	}
	p := &loadProgress{op: op, dir: dir, start: loadClock()}
	for _, path := range paths {
		if st, err := os.Stat(path); err == nil {
			p.total += st.Size()
		}
	}
	return p
}

// wrap returns r counting what is read from it; a nil p returns r.
func (p *loadProgress) wrap(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return &progressReader{r, p}
}

type progressReader struct {
	r io.Reader
	p *loadProgress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.add(n)
	return n, err
}

func (p *loadProgress) add(n int) {
	p.read += int64(n)
	t := loadClock()
	if t.Sub(p.start) < time.Second || t.Sub(p.last) < 100*time.Millisecond || p.total == 0 {
		return
	}
	p.last = t
	p.show(fmt.Sprintf("%s: reading %s %3d%%", p.op, p.dir, min(100*p.read/p.total, 100)), false)
}

// show draws line: in a notebook as the one output it updates, elsewhere
// redrawn with "\r" (ended with a newline when final).
func (p *loadProgress) show(line string, final bool) {
	o := display.Output{Data: map[string][]byte{"text/plain": []byte(line)}, ID: p.id, Update: p.id != ""}
	if o.ID == "" {
		o.ID = fmt.Sprintf("dbr-load-%p", p)
	}
	switch {
	case display.Emit(o):
		p.id = o.ID
	case final:
		fmt.Fprintf(noticeOut(), "\r%s\n", line)
	default:
		fmt.Fprintf(noticeOut(), "\r%s", line)
	}
	p.shown = true
}

// end ends the line, if one was shown.
func (p *loadProgress) end(ok bool) {
	if p == nil || !p.shown {
		return
	}
	if !ok {
		if p.id == "" {
			fmt.Fprintln(noticeOut())
		}
		return
	}
	p.show(fmt.Sprintf("%s: read %s (%.1f MB) in %.1f s", p.op, p.dir, float64(p.total)/1e6, loadClock().Sub(p.start).Seconds()), true)
}
