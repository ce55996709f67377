package nn

import (
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
	"unicode/utf8"

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
// dbr reads and writes F64, F32, F16, BF16 and the integer types PyTorch
// puts in state dicts (I64, I32, I16, I8, U8, BOOL); Param.FileDType says
// which one a tensor is written as.

// maxHeaderBytes bounds the JSON header, as the reference implementation does
// (100 MB): a larger declared header is an error, not an allocation.
const maxHeaderBytes = 100 << 20

// maxDims is the most dims a tensor may have, as in PyTorch (and the engine).
const maxDims = 64

// stDType describes one safetensors dtype.
type stDType struct {
	size   int
	to64   bool // load as a float64 tensor (F64, and integers float32 cannot hold exactly)
	decode func(b []byte) float64
	// encode stores v in b and reports whether the dtype holds v (integer
	// dtypes hold only integers in their range; BOOL only 0 and 1).
	encode func(b []byte, v float64) bool
}

// stDTypeNames lists the dtypes in the order messages name them.
const stDTypeNames = "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL"

var stDTypes = map[string]stDType{
	"F64": {8, true, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) },
		func(b []byte, v float64) bool { binary.LittleEndian.PutUint64(b, math.Float64bits(v)); return true }},
	"F32": {4, false, func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) },
		func(b []byte, v float64) bool {
			binary.LittleEndian.PutUint32(b, math.Float32bits(float32(v)))
			return true
		}},
	"F16": {2, false, func(b []byte) float64 { return float64(halfToFloat32(binary.LittleEndian.Uint16(b))) },
		func(b []byte, v float64) bool {
			binary.LittleEndian.PutUint16(b, float32ToHalf(float32(v)))
			return true
		}},
	"BF16": {2, false, func(b []byte) float64 {
		return float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16))
	}, func(b []byte, v float64) bool {
		binary.LittleEndian.PutUint16(b, float32ToBF16(float32(v)))
		return true
	}},
	"I64": {8, true, func(b []byte) float64 { return float64(int64(binary.LittleEndian.Uint64(b))) },
		func(b []byte, v float64) bool {
			binary.LittleEndian.PutUint64(b, uint64(int64(v)))
			return isInt(v, -1<<63, 1<<63-1)
		}},
	"I32": {4, true, func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) },
		func(b []byte, v float64) bool {
			binary.LittleEndian.PutUint32(b, uint32(int32(v)))
			return isInt(v, math.MinInt32, math.MaxInt32)
		}},
	"I16": {2, false, func(b []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(b))) },
		func(b []byte, v float64) bool {
			binary.LittleEndian.PutUint16(b, uint16(int16(v)))
			return isInt(v, math.MinInt16, math.MaxInt16)
		}},
	"I8": {1, false, func(b []byte) float64 { return float64(int8(b[0])) },
		func(b []byte, v float64) bool { b[0] = byte(int8(v)); return isInt(v, math.MinInt8, math.MaxInt8) }},
	"U8": {1, false, func(b []byte) float64 { return float64(b[0]) },
		func(b []byte, v float64) bool { b[0] = byte(v); return isInt(v, 0, math.MaxUint8) }},
	"BOOL": {1, false, func(b []byte) float64 {
		if b[0] != 0 {
			return 1
		}
		return 0
	}, func(b []byte, v float64) bool { b[0] = byte(v); return v == 0 || v == 1 }},
}

// isInt reports whether v is an integer from lo to hi (both exact in float64
// except 1<<63-1, whose float64 is 1<<63, which v must stay below).
func isInt(v, lo, hi float64) bool {
	return v == math.Trunc(v) && v >= lo && (v < hi || (v == hi && hi < 1<<53))
}

// float32ToHalf converts f to IEEE 754 half precision, rounding to nearest
// even as PyTorch's .half() does; values beyond 65504 become ±Inf.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	frac := b & 0x7fffff
	if exp == 0xff { // Inf or NaN
		if frac != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e <= 0: // a half subnormal (or zero): m·2⁻²⁴
		shift := uint32(14 - e)
		if shift > 24 {
			return sign
		}
		mant := frac | 0x800000
		m := mant >> shift
		rem, half := mant&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > half || (rem == half && m&1 == 1) {
			m++ // may carry into the smallest normal, which is right
		}
		return sign | uint16(m)
	}
	h := uint16(e)<<10 | uint16(frac>>13)
	if rem := frac & 0x1fff; rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, up to Inf, which is right
	}
	return sign | h
}

// float32ToBF16 keeps the top 16 bits of f, rounding to nearest even as
// PyTorch does.
func float32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if f != f {
		return uint16(b>>16) | 0x40 // a quiet NaN
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
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

// SaveTensors writes ps to path in the safetensors format, in the order
// given, under their names: float32 tensors as F32 and float64 ones as F64,
// or as their FileDType when it is set (integer dtypes such as BatchNorm's
// I64 num_batches_tracked; F16 and BF16 to halve the file, see WithFileDType).
// PyTorch reads the file with safetensors.torch.load_file.
//
// The file is written to a temporary file in the same directory, synced and
// then renamed over path, so a crash or Ctrl-C during the save leaves either
// the old file or the new one, never a partial one; the temporary files of
// saves that were killed are removed by the next save or load of path. It
// returns an error, and changes nothing, when a name is empty, repeated or
// "__metadata__", a tensor is nil, a FileDType is unknown, or a value does
// not fit its FileDType (1.5 or 300 as U8).
func SaveTensors(path string, ps []Param) error { return saveParams("nn.SaveTensors", path, ps) }

// WithFileDType returns copies of ps (the same tensors) that SaveTensors
// writes as dtype: "F16" or "BF16" for half the size of F32, "F32" or
// "F64". Params stored as integers (BatchNorm's num_batches_tracked) keep
// their dtype. It panics with an *engine.Error for any other dtype.
//
//	nn.SaveTensors("model-f16.safetensors", nn.WithFileDType(nn.StateDict(m), "F16"))
func WithFileDType(ps []Param, dtype string) []Param {
	switch dtype {
	case "F64", "F32", "F16", "BF16":
	default:
		errorf("nn.WithFileDType", "dtype %q is not a floating-point safetensors dtype (F64, F32, F16, BF16)", dtype)
	}
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = p
		if p.FileDType == "" || isFloatDType(p.FileDType) {
			out[i].FileDType = dtype
		}
	}
	return out
}

func isFloatDType(d string) bool { return d == "F64" || d == "F32" || d == "F16" || d == "BF16" }

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
			return fmt.Errorf("two parameters are named %s; names in a checkpoint must be unique", quoteShort(p.Name))
		case p.Tensor == nil:
			return fmt.Errorf("parameter %s has a nil tensor", quoteShort(p.Name))
		case p.FileDType != "" && stDTypes[p.FileDType].encode == nil:
			return fmt.Errorf("parameter %s: FileDType %s is not a safetensors dtype (%s)", quoteShort(p.Name), quoteShort(p.FileDType), stDTypeNames)
		}
		seen[p.Name] = true
	}
	return nil
}

// fileDType returns the dtype p is written as.
func fileDType(p Param) string {
	switch {
	case p.FileDType != "":
		return p.FileDType
	case p.Tensor.DType() == engine.Float64:
		return "F64"
	}
	return "F32"
}

// writeSafetensors writes the header and data of ps.
func writeSafetensors(w io.Writer, ps []Param) error {
	var hdr bytes.Buffer
	hdr.WriteString(`{"__metadata__":{"format":"pt"}`)
	var off int64
	for _, p := range ps {
		dt := fileDType(p)
		n := int64(p.Tensor.Numel()) * int64(stDTypes[dt].size)
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
	const chunk = 64 << 10
	buf := make([]byte, 0, chunk)
	for _, p := range ps {
		t, dt := p.Tensor, fileDType(p)
		switch {
		case dt == "F64" && t.DType() == engine.Float64:
			for _, v := range t.Float64s() {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				if len(buf) >= chunk {
					if err := flushChunk(w, &buf); err != nil {
						return err
					}
				}
			}
		case dt == "F32" && t.DType() == engine.Float32:
			for _, v := range t.Float32s() {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= chunk {
					if err := flushChunk(w, &buf); err != nil {
						return err
					}
				}
			}
		default:
			f := stDTypes[dt]
			var b [8]byte
			for i, v := range t.Float64s() {
				if !f.encode(b[:f.size], v) {
					return fmt.Errorf("parameter %s: element %d is %v, which %s cannot hold (%s)", quoteShort(p.Name), i, v, dt, dtypeRange(dt))
				}
				buf = append(buf, b[:f.size]...)
				if len(buf) >= chunk {
					if err := flushChunk(w, &buf); err != nil {
						return err
					}
				}
			}
		}
	}
	return flushChunk(w, &buf)
}

// dtypeRange says which values an integer dtype holds.
func dtypeRange(dt string) string {
	switch dt {
	case "BOOL":
		return "only 0 and 1"
	case "U8":
		return "integers from 0 to 255"
	case "I8":
		return "integers from -128 to 127"
	case "I16":
		return "integers from -32768 to 32767"
	case "I32":
		return "integers from -2147483648 to 2147483647"
	}
	return "integers from -2⁶³ to 2⁶³-1"
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
// (F32, F16, BF16, I16, I8, U8, BOOL) as float32. Each Param's FileDType is
// the file's dtype, so SaveTensors writes them back as they were; Buffer is
// false in every returned Param: the file does not say which are buffers.
//
// A file that is not valid safetensors (truncated, a header larger than
// 100 MB or than the file, offsets outside the file, holes between the
// tensors' data, sizes that do not match the shapes, more than 64 dims, an
// unknown dtype or header key) gives an error naming the file and the
// problem; nothing is allocated beyond what the file actually holds. A
// PyTorch .pt file (torch.save) gives an error saying how to convert it.
func LoadTensors(path string) ([]Param, error) {
	ps, err := loadTensorsFile(path)
	if err != nil {
		return nil, fmt.Errorf("nn.LoadTensors %w", err)
	}
	return ps, nil
}

// loadTensorsFile is LoadTensors; its errors start with the file name so
// that each public function can put its own name in front. It first removes
// the temporary files that killed saves of path left (see writeAtomic).
func loadTensorsFile(path string) (ps []Param, err error) {
	removeStale(path)
	err = readFile(path, "a safetensors file", func(f *os.File, size int64) (err error) {
		ps, err = readSafetensors(f, size)
		if te, ok := err.(*torchFileError); ok {
			te.path = path
		}
		return err
	})
	return ps, err
}

// torchFileError is the error for a file written by torch.save.
type torchFileError struct {
	zip  bool   // the zip format of PyTorch 1.6 and later, else a bare pickle
	path string // set by loadTensorsFile, for the conversion command
}

func (e *torchFileError) Error() string {
	kind := "a pickle"
	if e.zip {
		kind = "a zip archive holding a pickle"
	}
	in, out := "model.pt", "model.safetensors"
	if e.path != "" {
		in, out = e.path, strings.TrimSuffix(e.path, filepath.Ext(e.path))+".safetensors"
	}
	return fmt.Sprintf("this is a PyTorch file written by torch.save (%s), not safetensors; dbr never unpickles, since a pickle can run any code. "+
		"Convert it once with PyTorch (pip install safetensors): "+
		"python3 -c 'import torch; from safetensors.torch import save_file; save_file({k: v.contiguous() for k, v in torch.load(%q, map_location=\"cpu\").items()}, %q)'",
		kind, in, out)
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
	buf := make([]byte, 0, 64<<10) // shared: a header may list 100k tiny tensors
	for _, e := range entries {
		t, err := readTensor(r, dataStart, e, buf)
		if err != nil {
			return nil, err
		}
		ps = append(ps, Param{Name: e.name, Tensor: t, FileDType: e.dtype})
	}
	return ps, nil
}

// readSafetensorsHeader reads and checks the header: every entry's dtype,
// shape and offsets are valid, and the entries' data fills the data part
// without holes or overlaps. Entries come back in the order of their data.
func readSafetensorsHeader(r io.ReaderAt, size int64) ([]stEntry, int64, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, 0, fmt.Errorf("file is %d bytes long, too short for a safetensors file (it starts with an 8-byte header length)", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, 0, fmt.Errorf("reading the header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderBytes || int64(n) > size-8 {
		if string(lenBuf[:4]) == "PK\x03\x04" {
			return nil, 0, &torchFileError{zip: true}
		}
		if lenBuf[0] == 0x80 && lenBuf[1] >= 2 && lenBuf[1] <= 5 { // pickle's PROTO opcode
			return nil, 0, &torchFileError{}
		}
	}
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
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		return a.begin < b.begin || (a.begin == b.begin && a.end < b.end)
	})
	// The format forbids holes: each tensor's data starts where the one
	// before ends, and the last one ends the file.
	var at int64
	prev := ""
	for _, e := range entries {
		switch {
		case e.begin < at:
			return nil, 0, fmt.Errorf("the data of tensors %s and %s overlap (bytes [%d, %d) of the data part)", quoteShort(prev), quoteShort(e.name), e.begin, at)
		case e.begin > at:
			return nil, 0, fmt.Errorf("bytes [%d, %d) of the data part belong to no tensor (before %s); the safetensors format allows no holes", at, e.begin, quoteShort(e.name))
		}
		at, prev = e.end, e.name
	}
	if at != dataLen {
		return nil, 0, fmt.Errorf("%d bytes follow the last tensor's data; the safetensors format allows none", dataLen-at)
	}
	return entries, dataStart, nil
}

// parseHeader decodes the JSON header, rejecting repeated names and unknown
// keys. It scans the bytes itself, copying out only the names and dtypes it
// keeps, so that parsing allocates little more than the entries it returns
// (encoding/json's tokens allocated 19 times the size of a header of 200k
// entries), and a shape of millions of dims is refused at its 65th.
func parseHeader(hdr []byte) ([]stEntry, error) {
	s := &hdrScanner{b: hdr}
	if !s.delim('{') {
		return nil, fmt.Errorf("the header is not a JSON object")
	}
	// Every entry has a "data_offsets" key and takes at least 50 bytes, so
	// this many entries make room for them all without growing.
	n := min(bytes.Count(hdr, []byte(`"data_offsets"`)), len(hdr)/50+1)
	entries := make([]stEntry, 0, n)
	seen := make(map[string]struct{}, n)
	err := s.object(func() error {
		name, err := s.str()
		if err != nil {
			return err
		}
		if name == "" {
			return fmt.Errorf("the header has a tensor with an empty name")
		}
		if _, ok := seen[name]; ok {
			return fmt.Errorf("the header names tensor %s twice", quoteShort(name))
		}
		seen[name] = struct{}{}
		if !s.delim(':') {
			return s.invalid("expected a colon after a name")
		}
		if name == "__metadata__" {
			if s.null() {
				return nil
			}
			if !s.delim('{') {
				return fmt.Errorf("__metadata__ must map strings to strings")
			}
			return s.object(func() error {
				if _, err := s.str(); err != nil {
					return fmt.Errorf("__metadata__ must map strings to strings")
				}
				if !s.delim(':') {
					return s.invalid("expected a colon after a name")
				}
				if _, err := s.str(); err != nil {
					return fmt.Errorf("__metadata__ must map strings to strings")
				}
				return nil
			})
		}
		e, err := parseEntry(s, name)
		if err != nil {
			return fmt.Errorf("tensor %s: %v", quoteShort(name), err)
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Only padding may follow the object.
	if len(bytes.TrimRight(s.b[s.i:], " \x00")) != 0 {
		return nil, fmt.Errorf("the header has extra data after its JSON object")
	}
	return entries, nil
}

// entryForm is the shape of a header entry, for messages.
const entryForm = `a header entry is {"dtype": string, "shape": [ints], "data_offsets": [begin, end]}`

// parseEntry reads one header entry: an object with exactly the keys dtype,
// shape and data_offsets.
func parseEntry(s *hdrScanner, name string) (stEntry, error) {
	e := stEntry{name: name}
	if !s.delim('{') {
		return e, fmt.Errorf("the entry is not an object; %s", entryForm)
	}
	var haveDType, haveShape, haveOffsets bool
	err := s.object(func() error {
		key, err := s.str()
		if err != nil {
			return err
		}
		if !s.delim(':') {
			return s.invalid("expected a colon after a key")
		}
		switch key {
		case "dtype":
			if e.dtype, err = s.str(); err != nil {
				return fmt.Errorf("dtype must be a string")
			}
			for k := range stDTypes { // one string per dtype, not one per entry
				if k == e.dtype {
					e.dtype = k
				}
			}
			haveDType = true
		case "shape":
			if e.shape, err = s.ints(maxDims, "shape"); err != nil {
				return err
			}
			haveShape = true
		case "data_offsets":
			var offs []int64
			if offs, err = s.ints(2, "data_offsets"); err != nil {
				return err
			}
			if len(offs) != 2 {
				return fmt.Errorf("data_offsets must be [begin, end], got %d numbers", len(offs))
			}
			e.begin, e.end = offs[0], offs[1]
			haveOffsets = true
		default:
			return fmt.Errorf("unknown key %s; %s and nothing else", quoteShort(key), entryForm)
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	if !haveDType || !haveShape || !haveOffsets {
		return e, fmt.Errorf("the entry lacks dtype, shape or data_offsets; %s", entryForm)
	}
	return e, nil
}

// hdrScanner reads the JSON of a safetensors header: the few forms it
// may hold (objects, strings, arrays of integers, null).
type hdrScanner struct {
	b []byte
	i int
}

func (s *hdrScanner) invalid(msg string) error {
	return fmt.Errorf("the header is not valid JSON: %s at byte %d", msg, s.i)
}

func (s *hdrScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// delim skips white space and c, reporting whether c was there.
func (s *hdrScanner) delim(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *hdrScanner) null() bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// object calls member for each member of an object whose '{' was read,
// then reads its '}'.
func (s *hdrScanner) object(member func() error) error {
	if s.delim('}') {
		return nil
	}
	for {
		if err := member(); err != nil {
			return err
		}
		if s.delim(',') {
			continue
		}
		if s.delim('}') {
			return nil
		}
		return s.invalid("expected a comma or '}'")
	}
}

// str reads a string; only one with escapes or invalid UTF-8 goes through
// encoding/json.
func (s *hdrScanner) str() (string, error) {
	if !s.delim('"') {
		return "", s.invalid("expected a string")
	}
	start, plain := s.i, true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if plain && utf8.Valid(raw) {
				return string(raw), nil
			}
			var out string
			if err := json.Unmarshal(s.b[start-1:s.i], &out); err != nil {
				return "", fmt.Errorf("the header is not valid JSON: %v", err)
			}
			return out, nil
		case c == '\\':
			plain = false
			s.i += 2
		case c < 0x20:
			return "", s.invalid("a control character in a string")
		default:
			s.i++
		}
	}
	return "", s.invalid("a string that does not end")
}

// ints reads an array of at most max integers >= 0.
func (s *hdrScanner) ints(max int, what string) ([]int64, error) {
	if !s.delim('[') {
		return nil, fmt.Errorf("%s must be an array of integers", what)
	}
	var out []int64
	if s.delim(']') {
		return out, nil
	}
	for {
		s.ws()
		start := s.i
		for s.i < len(s.b) && strings.IndexByte("0123456789+-.eE", s.b[s.i]) >= 0 {
			s.i++
		}
		if start == s.i {
			return nil, fmt.Errorf("%s must be an array of integers", what)
		}
		num := string(s.b[start:s.i])
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("invalid %s: %s is not an integer >= 0", what, quoteShort(num))
		}
		if len(out) == max {
			if what == "shape" {
				return nil, fmt.Errorf("the shape has more than %d dims, the most a tensor may have (as in PyTorch)", max)
			}
			return nil, fmt.Errorf("%s must be [begin, end], got more numbers", what)
		}
		out = append(out, v)
		if s.delim(',') {
			continue
		}
		if s.delim(']') {
			return out, nil
		}
		return nil, s.invalid("expected a comma or ']'")
	}
}

// checkEntry validates e against the data part's length and fills e.format.
func checkEntry(e *stEntry, dataLen int64) error {
	f, ok := stDTypes[e.dtype]
	if !ok {
		return fmt.Errorf("tensor %s has dtype %s, which dbr cannot read (it reads %s)", quoteShort(e.name), quoteShort(e.dtype), stDTypeNames)
	}
	e.format = f
	n := int64(1)
	for _, s := range e.shape {
		if s > math.MaxInt32 || (s != 0 && n > math.MaxInt64/8/s) {
			return fmt.Errorf("tensor %s: shape %v is too large", quoteShort(e.name), e.shape)
		}
		n *= s
	}
	if e.end < e.begin {
		return fmt.Errorf("tensor %s: invalid data_offsets [%d, %d]", quoteShort(e.name), e.begin, e.end)
	}
	if e.end > dataLen {
		return fmt.Errorf("truncated: tensor %s needs data bytes [%d, %d) but the file holds only %d data bytes", quoteShort(e.name), e.begin, e.end, dataLen)
	}
	if want := n * int64(f.size); e.end-e.begin != want {
		return fmt.Errorf("tensor %s: shape %v of %s needs %d bytes but data_offsets [%d, %d] span %d", quoteShort(e.name), e.shape, e.dtype, want, e.begin, e.end, e.end-e.begin)
	}
	return nil
}

// readTensor reads and converts the data of e, in chunks of buf's capacity.
func readTensor(r io.ReaderAt, dataStart int64, e stEntry, buf []byte) (*engine.Tensor, error) {
	size := e.format.size
	n := int((e.end - e.begin) / int64(size))
	var f32 []float32
	var f64 []float64
	if e.format.to64 {
		f64 = make([]float64, n)
	} else {
		f32 = make([]float32, n)
	}
	buf = buf[:cap(buf)-cap(buf)%size]
	for i := 0; i < n; {
		engine.CheckInterrupt()
		k := n - i
		if k > len(buf)/size {
			k = len(buf) / size
		}
		b := buf[:k*size]
		if _, err := r.ReadAt(b, dataStart+e.begin+int64(i*size)); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("truncated while reading tensor %s", quoteShort(e.name))
			}
			return nil, fmt.Errorf("reading tensor %s: %w", quoteShort(e.name), err)
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
