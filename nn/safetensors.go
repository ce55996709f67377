package nn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// The safetensors format (https://github.com/huggingface/safetensors):
//
//	8 bytes   N, the header length, unsigned little-endian
//	N bytes   a JSON object: {"name": {"dtype": "F32", "shape": [2, 3],
//	          "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}
//	rest      the tensors' bytes, little-endian, row-major; offsets are
//	          relative to the start of this part
//
// dbr writes F32 and F64 and reads those plus F16, BF16 and the integer types
// PyTorch puts in state dicts (I64, I32, I16, I8, U8, BOOL).

// maxHeaderBytes bounds the JSON header, as the reference implementation does
// (100 MB): a larger declared header is an error, not an allocation.
const maxHeaderBytes = 100 << 20

// stDType describes one safetensors dtype.
type stDType struct {
	size   int
	to64   bool // load as a float64 tensor (F64, and integers float32 cannot hold exactly)
	decode func(b []byte) float64
}

var stDTypes = map[string]stDType{
	"F64": {8, true, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }},
	"F32": {4, false, func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }},
	"F16": {2, false, func(b []byte) float64 { return float64(halfToFloat32(binary.LittleEndian.Uint16(b))) }},
	"BF16": {2, false, func(b []byte) float64 {
		return float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16))
	}},
	"I64": {8, true, func(b []byte) float64 { return float64(int64(binary.LittleEndian.Uint64(b))) }},
	"I32": {4, true, func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) }},
	"I16": {2, false, func(b []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(b))) }},
	"I8":  {1, false, func(b []byte) float64 { return float64(int8(b[0])) }},
	"U8":  {1, false, func(b []byte) float64 { return float64(b[0]) }},
	"BOOL": {1, false, func(b []byte) float64 {
		if b[0] != 0 {
			return 1
		}
		return 0
	}},
}

// halfToFloat32 converts an IEEE 754 half-precision value.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalize
		e := uint32(127 - 15 + 1)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		frac &= 0x3ff
		return math.Float32frombits(sign | e<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// SaveTensors writes ps to path in the safetensors format, F32 for float32
// tensors and F64 for float64 ones, in the order given, under their names.
// PyTorch reads the file with safetensors.torch.load_file.
//
// The file is written to a temporary file in the same directory, synced and
// then renamed over path, so a crash or Ctrl-C during the save leaves either
// the old file or the new one, never a partial one. It returns an error, and
// writes nothing, when a name is empty, repeated or "__metadata__", or a
// tensor is nil.
func SaveTensors(path string, ps []Param) error { return saveParams("nn.SaveTensors", path, ps) }

// saveParams checks ps and writes them to path atomically; errors start with
// op and path. It serves SaveTensors, Save and SaveOptimizer.
func saveParams(op, path string, ps []Param) error {
	if err := checkSaveParams(ps); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	if err := writeAtomic(path, func(w io.Writer) error { return writeSafetensors(w, ps) }); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	return nil
}

func checkSaveParams(ps []Param) error {
	seen := map[string]bool{}
	for i, p := range ps {
		switch {
		case p.Name == "":
			return fmt.Errorf("parameter %d has no name", i)
		case p.Name == "__metadata__":
			return fmt.Errorf("parameter %d: the name __metadata__ is reserved by the safetensors format", i)
		case seen[p.Name]:
			return fmt.Errorf("two parameters are named %q; names in a checkpoint must be unique", p.Name)
		case p.Tensor == nil:
			return fmt.Errorf("parameter %q has a nil tensor", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// writeAtomic writes path through a temporary file in the same directory:
// write, fsync, close, rename, fsync the directory. On any error or panic
// (such as engine.ErrInterrupted) the temporary file is removed and path is
// left as it was.
func writeAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	done = true
	// Make the rename itself durable; not every system can sync a directory,
	// and the file is complete either way, so a failure here is ignored.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// writeSafetensors writes the header and data of ps.
func writeSafetensors(w io.Writer, ps []Param) error {
	var hdr bytes.Buffer
	hdr.WriteString(`{"__metadata__":{"format":"pt"}`)
	var off int64
	for _, p := range ps {
		size := 4
		dt := "F32"
		if p.Tensor.DType() == engine.Float64 {
			size, dt = 8, "F64"
		}
		n := int64(p.Tensor.Numel()) * int64(size)
		name, _ := json.Marshal(p.Name)
		shape := p.Tensor.Shape()
		dims := make([]string, len(shape))
		for i, s := range shape {
			dims[i] = strconv.Itoa(s)
		}
		fmt.Fprintf(&hdr, `,%s:{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}`, name, dt, strings.Join(dims, ","), off, off+n)
		off += n
	}
	hdr.WriteByte('}')
	// Pad with spaces to a multiple of 8 bytes so that the data is aligned,
	// as the reference implementation does.
	for (8+hdr.Len())%8 != 0 {
		hdr.WriteByte(' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(hdr.Len()))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(hdr.Bytes()); err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	for _, p := range ps {
		t := p.Tensor
		if t.DType() == engine.Float64 {
			for _, v := range t.Float64s() {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				if len(buf) >= 64<<10 {
					if err := flushChunk(w, &buf); err != nil {
						return err
					}
				}
			}
		} else {
			for _, v := range t.Float32s() {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= 64<<10 {
					if err := flushChunk(w, &buf); err != nil {
						return err
					}
				}
			}
		}
	}
	return flushChunk(w, &buf)
}

func flushChunk(w io.Writer, buf *[]byte) error {
	engine.CheckInterrupt()
	_, err := w.Write(*buf)
	*buf = (*buf)[:0]
	return err
}

// LoadTensors reads a safetensors file written by SaveTensors, by PyTorch
// (safetensors.torch.save_file) or by Hugging Face tools. It returns the
// tensors in the order of their data in the file, as new tensors that do not
// require grad: F64, I64 and I32 data as float64 tensors, every other dtype
// (F32, F16, BF16, I16, I8, U8, BOOL) as float32. Buffer is false in every
// returned Param: the file does not say which tensors are buffers.
//
// A file that is not valid safetensors (truncated, a header larger than
// 100 MB or than the file, offsets outside the file, sizes that do not match
// the shapes, an unknown dtype) gives an error naming the file and the
// problem; nothing is allocated beyond what the file actually holds.
func LoadTensors(path string) ([]Param, error) {
	ps, err := loadTensorsFile(path)
	if err != nil {
		return nil, fmt.Errorf("nn.LoadTensors %w", err)
	}
	return ps, nil
}

// loadTensorsFile is LoadTensors; its errors start with the file name so
// that each public function can put its own name in front.
func loadTensorsFile(path string) (ps []Param, err error) {
	err = readFile(path, "a safetensors file", func(f *os.File, size int64) (err error) {
		ps, err = readSafetensors(f, size)
		return err
	})
	return ps, err
}

// stEntry is one tensor of a parsed header.
type stEntry struct {
	name   string
	dtype  string
	shape  []int64
	begin  int64
	end    int64
	format stDType
}

// readSafetensors parses the safetensors data in r, which is size bytes long.
func readSafetensors(r io.ReaderAt, size int64) ([]Param, error) {
	entries, dataStart, err := readSafetensorsHeader(r, size)
	if err != nil {
		return nil, err
	}
	ps := make([]Param, 0, len(entries))
	for _, e := range entries {
		t, err := readTensor(r, dataStart, e)
		if err != nil {
			return nil, err
		}
		ps = append(ps, Param{Name: e.name, Tensor: t})
	}
	return ps, nil
}

// readSafetensorsHeader reads and checks the header: every entry's dtype,
// shape and offsets are valid and inside the data part. Entries come back in
// the order of their data.
func readSafetensorsHeader(r io.ReaderAt, size int64) ([]stEntry, int64, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, 0, fmt.Errorf("file is %d bytes long, too short for a safetensors file (it starts with an 8-byte header length)", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, 0, fmt.Errorf("reading the header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderBytes {
		return nil, 0, fmt.Errorf("the header length is %d bytes, more than the limit of %d; this is not a safetensors file or it is corrupt", n, maxHeaderBytes)
	}
	if int64(n) > size-8 {
		return nil, 0, fmt.Errorf("truncated: the header length is %d bytes but only %d bytes follow it", n, size-8)
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, 0, fmt.Errorf("reading the header: %w", err)
	}
	dataStart := 8 + int64(n)
	dataLen := size - dataStart

	entries, err := parseHeader(hdr)
	if err != nil {
		return nil, 0, err
	}
	for i := range entries {
		if err := checkEntry(&entries[i], dataLen); err != nil {
			return nil, 0, err
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].begin < entries[j].begin })
	for i := 1; i < len(entries); i++ {
		a, b := entries[i-1], entries[i]
		if b.begin < a.end {
			return nil, 0, fmt.Errorf("the data of tensors %q [%d, %d) and %q [%d, %d) overlap", a.name, a.begin, a.end, b.name, b.begin, b.end)
		}
	}
	return entries, dataStart, nil
}

// parseHeader decodes the JSON header, rejecting repeated names.
func parseHeader(hdr []byte) ([]stEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("the header is not a JSON object")
	}
	var entries []stEntry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("the header is not valid JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("the header is not valid JSON")
		}
		if name == "" {
			return nil, fmt.Errorf("the header has a tensor with an empty name")
		}
		if seen[name] {
			return nil, fmt.Errorf("the header names tensor %q twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("the header is not valid JSON: %v", err)
		}
		if name == "__metadata__" {
			var meta map[string]string
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, fmt.Errorf("__metadata__ must map strings to strings")
			}
			continue
		}
		var e struct {
			Dtype       *string  `json:"dtype"`
			Shape       *[]int64 `json:"shape"`
			DataOffsets *[]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("tensor %q: the header entry must be {\"dtype\": string, \"shape\": [ints], \"data_offsets\": [begin, end]}: %v", name, err)
		}
		if e.Dtype == nil || e.Shape == nil || e.DataOffsets == nil {
			return nil, fmt.Errorf("tensor %q: the header entry lacks dtype, shape or data_offsets", name)
		}
		if len(*e.DataOffsets) != 2 {
			return nil, fmt.Errorf("tensor %q: data_offsets must be [begin, end], got %d numbers", name, len(*e.DataOffsets))
		}
		for _, s := range *e.Shape {
			if s < 0 {
				return nil, fmt.Errorf("tensor %q: invalid shape %v", name, *e.Shape)
			}
		}
		entries = append(entries, stEntry{name: name, dtype: *e.Dtype, shape: *e.Shape,
			begin: (*e.DataOffsets)[0], end: (*e.DataOffsets)[1]})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("the header is not valid JSON: %v", err)
	}
	// Only padding may follow the object.
	rest, _ := io.ReadAll(dec.Buffered())
	if len(bytes.TrimRight(rest, " \x00")) != 0 {
		return nil, fmt.Errorf("the header has extra data after its JSON object")
	}
	return entries, nil
}

// checkEntry validates e against the data part's length and fills e.format.
func checkEntry(e *stEntry, dataLen int64) error {
	f, ok := stDTypes[e.dtype]
	if !ok {
		return fmt.Errorf("tensor %q has dtype %q, which dbr cannot read (it reads F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)", e.name, e.dtype)
	}
	e.format = f
	n := int64(1)
	for _, s := range e.shape {
		if s > math.MaxInt32 || (s != 0 && n > math.MaxInt64/8/s) {
			return fmt.Errorf("tensor %q: shape %v is too large", e.name, e.shape)
		}
		n *= s
	}
	if e.begin < 0 || e.end < e.begin {
		return fmt.Errorf("tensor %q: invalid data_offsets [%d, %d]", e.name, e.begin, e.end)
	}
	if e.end > dataLen {
		return fmt.Errorf("truncated: tensor %q needs data bytes [%d, %d) but the file holds only %d data bytes", e.name, e.begin, e.end, dataLen)
	}
	if want := n * int64(f.size); e.end-e.begin != want {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes but data_offsets [%d, %d] span %d", e.name, e.shape, e.dtype, want, e.begin, e.end, e.end-e.begin)
	}
	return nil
}

// readTensor reads and converts the data of e, in chunks.
func readTensor(r io.ReaderAt, dataStart int64, e stEntry) (*engine.Tensor, error) {
	size := e.format.size
	n := int((e.end - e.begin) / int64(size))
	var f32 []float32
	var f64 []float64
	if e.format.to64 {
		f64 = make([]float64, n)
	} else {
		f32 = make([]float32, n)
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk-chunk%size)
	for i := 0; i < n; {
		engine.CheckInterrupt()
		k := n - i
		if k > len(buf)/size {
			k = len(buf) / size
		}
		b := buf[:k*size]
		if _, err := r.ReadAt(b, dataStart+e.begin+int64(i*size)); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("truncated while reading tensor %q", e.name)
			}
			return nil, fmt.Errorf("reading tensor %q: %w", e.name, err)
		}
		switch {
		case e.dtype == "F32":
			for j := 0; j < k; j++ {
				f32[i+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[j*4:]))
			}
		case e.dtype == "F64":
			for j := 0; j < k; j++ {
				f64[i+j] = math.Float64frombits(binary.LittleEndian.Uint64(b[j*8:]))
			}
		case f64 != nil:
			for j := 0; j < k; j++ {
				f64[i+j] = e.format.decode(b[j*size:])
			}
		default:
			for j := 0; j < k; j++ {
				f32[i+j] = float32(e.format.decode(b[j*size:]))
			}
		}
		i += k
	}
	shape := make([]int, len(e.shape))
	for i, s := range e.shape {
		shape[i] = int(s)
	}
	if f64 != nil {
		return newTensor64(f64, shape), nil
	}
	return newTensor32(f32, shape), nil
}

// newTensor32 makes a tensor of the given shape, including 0-d ones
// (engine.New with no shape makes a 1-D tensor).
func newTensor32(data []float32, shape []int) *engine.Tensor {
	if len(shape) == 0 {
		return engine.New(data, 1).Reshape()
	}
	return engine.New(data, shape...)
}

func newTensor64(data []float64, shape []int) *engine.Tensor {
	if len(shape) == 0 {
		return engine.New64(data, 1).Reshape()
	}
	return engine.New64(data, shape...)
}
