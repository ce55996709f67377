package nn

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// The IDX format of MNIST (http://yann.lecun.com/exdb/mnist/): the magic
// 00 00 <type> <ndims>, ndims sizes as big-endian uint32, then the values,
// big-endian, row-major. Files are often gzipped.

// maxIDXBytes bounds the data an IDX file may declare (4 GiB): a larger
// declaration is an error, not an allocation.
const maxIDXBytes = 4 << 30

// idxTypes maps an IDX type code to its name and element size.
var idxTypes = map[byte]struct {
	name string
	size int
}{
	0x08: {"unsigned byte", 1},
	0x09: {"signed byte", 1},
	0x0B: {"short", 2},
	0x0C: {"int", 4},
	0x0D: {"float", 4},
	0x0E: {"double", 8},
}

// idxData is a parsed IDX file: its type code, dims and raw (big-endian) data.
type idxData struct {
	typ  byte
	dims []int
	data []byte
}

// ReadIDX reads an IDX file, gzipped or not (MNIST's
// train-images-idx3-ubyte.gz and friends), into a tensor with the file's
// dims and raw values (bytes stay 0…255, not scaled): float64 for int and
// double files, float32 otherwise. A malformed file (bad magic, truncated,
// extra data) gives an error naming the file and the problem.
//
// The size the header declares is checked against the machine's memory
// (the file's values, the float values made from them and the tensor's copy
// of those) before anything is read, and reading stops at it: a small
// gzipped file that declares or holds gigabytes is an error, not an
// out-of-memory crash.
func ReadIDX(path string) (*engine.Tensor, error) {
	// Per value, besides the file's bytes: the tensor the values are
	// converted into, 4 or 8 bytes.
	d, err := readIDXFile(path, func(typ byte) int {
		if typ == 0x0C || typ == 0x0E {
			return 8
		}
		return 4
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("nn.ReadIDX %w", err)
	}
	// Convert straight into the tensor's memory: no intermediate slice that
	// the tensor would copy (it doubled the peak memory of a load).
	if d.typ == 0x0C || d.typ == 0x0E {
		out := engine.Zeros(d.dims...).Float64()
		vals := out.RawFloat64()
		for i := range vals {
			if d.typ == 0x0C {
				vals[i] = float64(int32(binary.BigEndian.Uint32(d.data[4*i:])))
			} else {
				vals[i] = math.Float64frombits(binary.BigEndian.Uint64(d.data[8*i:]))
			}
		}
		return out, nil
	}
	out := engine.Zeros(d.dims...)
	vals := out.RawFloat32()
	for i := range vals {
		switch d.typ {
		case 0x08:
			vals[i] = float32(d.data[i])
		case 0x09:
			vals[i] = float32(int8(d.data[i]))
		case 0x0B:
			vals[i] = float32(int16(binary.BigEndian.Uint16(d.data[2*i:])))
		case 0x0D:
			vals[i] = math.Float32frombits(binary.BigEndian.Uint32(d.data[4*i:]))
		}
	}
	return out, nil
}

// readIDXFile opens and parses path; errors start with the path. extra is
// as parseIDX's; prog, when not nil, counts the bytes read.
func readIDXFile(path string, extra func(typ byte) int, prog *loadProgress) (d *idxData, err error) {
	err = readFile(path, "an IDX file", func(f *os.File, size int64) (err error) {
		d, err = parseIDX(prog.wrap(f), size, extra)
		return err
	})
	return d, err
}

// parseIDX parses an IDX stream of size bytes, gunzipping it when it starts
// with the gzip magic. extra(typ), when not nil, gives the bytes per value
// the caller allocates besides the file's data (for the memory check that
// comes before reading the data).
func parseIDX(r io.Reader, size int64, extra func(typ byte) int) (*idxData, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	var in io.Reader = br
	remaining := size // bytes of IDX data available, or -1 when unknown (gzip)
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("not a valid gzip file: %v", err)
		}
		defer zr.Close()
		in, remaining = zr, -1
	}
	var head [4]byte
	if n, err := io.ReadFull(in, head[:]); err != nil {
		return nil, idxReadErr(gz, fmt.Sprintf("truncated: %d bytes, shorter than the 4-byte IDX magic", n), err)
	}
	t, ok := idxTypes[head[2]]
	if head[0] != 0 || head[1] != 0 || !ok || head[3] == 0 {
		return nil, fmt.Errorf("bad magic % x: not an IDX file (IDX files start with 00 00, a type code 08/09/0b/0c/0d/0e and the number of dims)", head)
	}
	nd := int(head[3])
	if nd > maxDims {
		return nil, fmt.Errorf("the header declares %d dims; a tensor has at most %d", nd, maxDims)
	}
	dimBuf := make([]byte, 4*nd)
	if n, err := io.ReadFull(in, dimBuf); err != nil {
		return nil, idxReadErr(gz, fmt.Sprintf("truncated in the header: it declares %d dims but only %d of their %d bytes are there", nd, n, 4*nd), err)
	}
	dims := make([]int, nd)
	total := int64(t.size)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(dimBuf[4*i:]))
		if dims[i] != 0 && total > maxIDXBytes/int64(dims[i]) {
			return nil, fmt.Errorf("the header declares dims %v of %s, more than the %d bytes dbr reads from one IDX file", dimsSoFar(dimBuf, nd), t.name, int64(maxIDXBytes))
		}
		total *= int64(dims[i])
	}
	perValue := t.size
	if extra != nil {
		perValue += extra(head[2])
	}
	if err := engine.CheckMemory("", int(total)/t.size, perValue); err != nil {
		return nil, fmt.Errorf("the header declares %v %s values: %s", dims, t.name, strings.TrimPrefix(err.Error(), ": "))
	}
	if remaining >= 0 {
		remaining -= int64(4 + 4*nd)
		if remaining < total {
			return nil, fmt.Errorf("truncated: the header declares %v %s values (%d bytes) but the file holds %d bytes of data", dims, t.name, total, remaining)
		}
		if remaining > total {
			return nil, fmt.Errorf("the header declares %v %s values (%d bytes) but the file holds %d bytes of data; the sizes in the header are wrong", dims, t.name, total, remaining)
		}
	}
	// Read exactly total bytes into a buffer that grows as data arrives,
	// doubling but never past total (a gzip stream declaring more than it
	// holds allocates about what it holds; an uncompressed file's size was
	// checked above, so its buffer is exact from the start), then make sure
	// nothing follows.
	size0 := total
	if gz {
		size0 = min(total, 1<<20)
	}
	data := make([]byte, 0, size0)
	for int64(len(data)) < total {
		if len(data) == cap(data) {
			grown := make([]byte, len(data), min(total, 2*int64(cap(data))))
			copy(grown, data)
			data = grown
		}
		n, err := in.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF && int64(len(data)) < total {
			return nil, fmt.Errorf("truncated: the header declares %v %s values (%d bytes) but the file holds %d bytes of data", dims, t.name, total, len(data))
		}
		if err != nil && err != io.EOF {
			return nil, idxReadErr(gz, fmt.Sprintf("truncated: the header declares %v %s values (%d bytes) but the data ends after %d bytes", dims, t.name, total, len(data)), err)
		}
	}
	var one [1]byte
	if n, err := io.ReadFull(in, one[:]); n > 0 {
		return nil, fmt.Errorf("the file holds more data than its header declares (%v %s values, %d bytes); the sizes in the header are wrong", dims, t.name, total)
	} else if err != io.EOF {
		return nil, idxReadErr(gz, fmt.Sprintf("after the %d bytes of data its header declares", total), err)
	}
	return &idxData{typ: head[2], dims: dims, data: data}, nil
}

func dimsSoFar(b []byte, nd int) []uint32 {
	out := make([]uint32, nd)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return out
}

// idxReadErr describes a failed read: a short read is msg; a gzip error says so.
func idxReadErr(gz bool, msg string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if gz {
			return fmt.Errorf("%s (the gzip data ends early)", msg)
		}
		return fmt.Errorf("%s", msg)
	}
	if gz {
		return fmt.Errorf("%s: corrupt gzip data: %v", msg, err)
	}
	return fmt.Errorf("%s: %v", msg, err)
}
