package nn

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/dbr-go/dbr/engine"
)

// CSVOpts are the settings of ReadCSV; the zero value reads a comma-separated
// file whose last column is the target, with the header detected.
type CSVOpts struct {
	// Target is the target column: a header name, or a 0-based column
	// number ("0"; negative counts from the end, "-1" is the last column).
	// "" means the last column.
	Target string
	// NoTarget makes every column a feature; the dataset's y is then nil.
	NoTarget bool
	// Drop lists columns to ignore (names or numbers, as Target), such as an id.
	Drop []string
	// Header is "yes" (the first row holds the column names), "no", or ""
	// to detect it: the first row is a header when a column that holds a
	// number in the second row holds something else in the first.
	Header string
	// Comma is the field separator; 0 means ','.
	Comma rune
	// Classes gives the order of the classes of a text target: the value
	// Classes[i] becomes class i, and a value not listed is an error. Nil
	// sorts the distinct values (so "red, green, blue" becomes blue 0,
	// green 1, red 2); give the order the data means instead.
	Classes []string
}

// CSVDataset is a table read by ReadCSV: a TensorDataset whose x is
// [rows, features] and whose y is [rows], both float32.
type CSVDataset struct {
	*TensorDataset
	Features []string // names of the feature columns, in order ("col3" without a header)
	Target   string   // name of the target column ("" with NoTarget)
	// Classes lists the classes of a non-numeric target column, in
	// CSVOpts.Classes' order or else sorted; y holds each row's index into it. Nil for a numeric target,
	// whose values y holds as they are.
	Classes []string
}

// ReadCSV reads a small table into memory, for tabular lessons:
//
//	ds, err := nn.ReadCSV("iris.csv", nn.CSVOpts{Target: "species"})
//
// Every feature column must hold numbers; a non-numeric target column
// becomes class indices (see CSVDataset.Classes). A row with a wrong number
// of fields, an empty field or a field that is not a number gives an error
// with the file name, the line number and the column.
//
// The file must be a regular file (not a device or a pipe) whose size fits
// in memory several times over, with lines (and quoted fields) of at most
// 1 MiB; messages quote at most 60 characters of a field.
func ReadCSV(path string, o CSVOpts) (*CSVDataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nn.ReadCSV %s: %w", path, pathErr(err))
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("nn.ReadCSV %s: %w", path, err)
	case st.IsDir():
		return nil, fmt.Errorf("nn.ReadCSV %s: is a directory, not a CSV file", path)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("nn.ReadCSV %s: is %s, not a regular file; ReadCSV reads tables from files", path, fileKind(st.Mode()))
	}
	if err := engine.CheckMemory("", int(st.Size()), csvBytesPerByte); err != nil {
		return nil, fmt.Errorf("nn.ReadCSV %s: %d bytes are too many to read as a table: %s", path, st.Size(), strings.TrimPrefix(err.Error(), ": "))
	}
	ds, err := readCSV(&lineLimit{r: f, max: csvMaxLine}, path, o)
	if err != nil {
		return nil, fmt.Errorf("nn.ReadCSV %w", err)
	}
	return ds, nil
}

// fileKind names what a file that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

const (
	csvMaxLine = 1 << 20 // bytes in one line or quoted field
	// csvBytesPerByte bounds the memory ReadCSV takes per byte of the file:
	// each field's string and slice header, and its float32 (ten bytes of
	// text such as "5.1,3.5,1." make three fields).
	csvBytesPerByte = 16
)

// lineLimit passes r through until a line exceeds max bytes, then fails.
type lineLimit struct {
	r    io.Reader
	max  int
	line int // bytes since the last newline
	n    int // lines so far
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.line = 0
			l.n++
			continue
		}
		if l.line++; l.line > l.max {
			return 0, fmt.Errorf("line %d is longer than %d bytes; ReadCSV reads tables whose lines (and quoted fields) are shorter", l.n+1, l.max)
		}
	}
	return n, err
}

// csvRow is one record and the line it starts on.
type csvRow struct {
	fields []string
	line   int
}

func readCSV(in io.Reader, path string, o CSVOpts) (*CSVDataset, error) {
	r := csv.NewReader(in)
	if o.Comma != 0 {
		r.Comma = o.Comma
	}
	r.FieldsPerRecord = -1 // checked below, with a better message
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	var rows []csvRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if len(rows) == 0 && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff") // a byte-order mark from a spreadsheet
		}
		rows = append(rows, csvRow{rec, line})
		if len(rows)%4096 == 0 {
			engine.CheckInterrupt()
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: the file is empty", path)
	}
	ncol := len(rows[0].fields)
	for _, row := range rows[1:] {
		if len(row.fields) != ncol {
			return nil, fmt.Errorf("%s:%d: the row has %d fields, the first row has %d", path, row.line, len(row.fields), ncol)
		}
	}

	var header []string
	switch o.Header {
	case "yes":
		header = rows[0].fields
	case "no":
	case "":
		if csvHasHeader(rows) {
			header = rows[0].fields
		}
	default:
		return nil, fmt.Errorf("%s: CSVOpts.Header must be \"yes\", \"no\" or \"\" (detect), got %s", path, quoteShort(o.Header))
	}
	names := make([]string, ncol)
	for j := range names {
		names[j] = "col" + strconv.Itoa(j)
		if header != nil {
			names[j] = header[j]
		}
	}
	data := rows
	if header != nil {
		data = rows[1:]
	}

	target := -1
	if !o.NoTarget {
		spec := o.Target
		if spec == "" {
			spec = "-1"
		}
		t, err := csvColumn(spec, names, header != nil)
		if err != nil {
			return nil, fmt.Errorf("%s: target column %w", path, err)
		}
		target = t
	}
	drop := map[int]bool{}
	for _, d := range o.Drop {
		j, err := csvColumn(d, names, header != nil)
		if err != nil {
			return nil, fmt.Errorf("%s: dropped column %w", path, err)
		}
		if j == target {
			return nil, fmt.Errorf("%s: column %s is both the target and dropped", path, quoteShort(names[j]))
		}
		drop[j] = true
	}
	var feats []int
	for j := 0; j < ncol; j++ {
		if j != target && !drop[j] {
			feats = append(feats, j)
		}
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("%s: no feature columns are left (%d columns, the target and %d dropped)", path, ncol, len(drop))
	}

	xs := make([]float32, 0, len(data)*len(feats))
	for _, row := range data {
		for _, j := range feats {
			v, err := csvNumber(row.fields[j])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: column %d (%s): %v", path, row.line, j, clip(names[j]), err)
			}
			xs = append(xs, v)
		}
	}
	ds := &CSVDataset{}
	for _, j := range feats {
		ds.Features = append(ds.Features, names[j])
	}
	x := engine.New(xs, len(data), len(feats))
	if target < 0 {
		ds.TensorDataset = NewTensorDataset(x, nil)
		return ds, nil
	}
	ds.Target = names[target]
	ys := make([]float32, len(data))
	numeric := o.Classes == nil
	for _, row := range data {
		if !numeric {
			break
		}
		if _, err := csvNumber(row.fields[target]); err != nil {
			numeric = false
			break
		}
	}
	if numeric {
		for i, row := range data {
			ys[i], _ = csvNumber(row.fields[target])
		}
	} else {
		index := map[string]int{}
		for i, c := range o.Classes {
			if _, dup := index[c]; dup {
				return nil, fmt.Errorf("%s: CSVOpts.Classes lists %s twice", path, quoteShort(c))
			}
			index[c] = i
		}
		for _, row := range data {
			v := row.fields[target]
			if v == "" {
				return nil, fmt.Errorf("%s:%d: column %d (%s): the target is empty", path, row.line, target, clip(names[target]))
			}
			if _, ok := index[v]; !ok && o.Classes != nil {
				return nil, fmt.Errorf("%s:%d: column %d (%s): the target %s is not one of CSVOpts.Classes %q", path, row.line, target, clip(names[target]), quoteShort(v), o.Classes)
			}
			index[v] = 0
		}
		if o.Classes != nil {
			ds.Classes = append([]string(nil), o.Classes...)
		} else {
			for c := range index {
				ds.Classes = append(ds.Classes, c)
			}
			sort.Strings(ds.Classes)
		}
		for i, c := range ds.Classes {
			index[c] = i
		}
		for i, row := range data {
			ys[i] = float32(index[row.fields[target]])
		}
	}
	ds.TensorDataset = NewTensorDataset(x, engine.New(ys, len(data)))
	return ds, nil
}

// String describes the table: its size, its columns and its classes.
func (d *CSVDataset) String() string {
	if d == nil || d.TensorDataset == nil {
		return "CSVDataset(nil)"
	}
	feats := d.Features
	more := ""
	if len(feats) > 8 {
		feats, more = feats[:8], fmt.Sprintf(", … (%d in all)", len(d.Features))
	}
	s := fmt.Sprintf("CSVDataset(%d rows, %d features: %s%s", d.Len(), len(d.Features), strings.Join(feats, ", "), more)
	switch {
	case d.Target == "":
		s += "; no target"
	case d.Classes != nil:
		s += fmt.Sprintf("; target %s: %d classes %v", d.Target, len(d.Classes), d.Classes)
	default:
		s += "; target " + d.Target
	}
	return s + ")"
}

// csvHasHeader detects a header: some column holds a non-number in the
// first row and a number in the second (or the file has one row of
// non-numbers).
func csvHasHeader(rows []csvRow) bool {
	for j, f := range rows[0].fields {
		if _, err := csvNumber(f); err == nil {
			continue
		}
		if len(rows) == 1 {
			return true
		}
		if _, err := csvNumber(rows[1].fields[j]); err == nil {
			return true
		}
	}
	return false
}

// csvColumn resolves a column given by name or number.
func csvColumn(spec string, names []string, haveHeader bool) (int, error) {
	if haveHeader {
		for j, n := range names {
			if n == spec {
				return j, nil
			}
		}
	}
	j, err := strconv.Atoi(spec)
	if err != nil {
		if haveHeader {
			return 0, fmt.Errorf("%s is not a column; the columns are %s", quoteShort(spec), clip(strings.Join(names, ", ")))
		}
		return 0, fmt.Errorf("%s is not a column number, and the file has no header to look names up in", quoteShort(spec))
	}
	if j < 0 {
		j += len(names)
	}
	if j < 0 || j >= len(names) {
		return 0, fmt.Errorf("%s is out of range for %d columns", spec, len(names))
	}
	return j, nil
}

func csvNumber(s string) (float32, error) {
	if s == "" {
		return 0, errors.New("the field is empty (missing values are not supported; fill or drop them first)")
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%s is out of the range of float32", quoteShort(s))
		}
		return 0, fmt.Errorf("%s is not a number", quoteShort(s))
	}
	return float32(v), nil
}
