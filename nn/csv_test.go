package nn

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func csvFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCSVClasses(t *testing.T) {
	p := csvFile(t, "\ufeffid, sepal_length,sepal_width,species\n"+
		"1,5.1,3.5,setosa\n"+
		"2, 7.0,3.2,versicolor\n"+
		"\n"+
		"3,6.3,-3.3e-1,virginica\n"+
		"4,4.9,3.0,setosa\n")
	ds, err := ReadCSV(p, CSVOpts{Target: "species", Drop: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 4 || strings.Join(ds.Features, ",") != "sepal_length,sepal_width" || ds.Target != "species" {
		t.Fatalf("Len %d, features %v, target %q", ds.Len(), ds.Features, ds.Target)
	}
	if strings.Join(ds.Classes, ",") != "setosa,versicolor,virginica" {
		t.Fatalf("classes %v", ds.Classes)
	}
	x, y := ds.Tensors()
	equalValues(t, "x", x, engine.New([]float32{5.1, 3.5, 7.0, 3.2, 6.3, -0.33, 4.9, 3.0}, 4, 2))
	equalValues(t, "y", y, engine.New([]float32{0, 1, 2, 0}, 4))
	// It is a Dataset for the DataLoader.
	dl := NewDataLoader(ds, LoaderOpts{BatchSize: 3})
	dl.Next()
	xb, yb := dl.Batch()
	if !slices.Equal(xb.Shape(), []int{3, 2}) || yb.At(1) != 1 {
		t.Fatalf("batch %v %v", xb.Shape(), yb)
	}
	dl.Close()
}

func TestReadCSVNoHeaderNumericTarget(t *testing.T) {
	text := "1;2;0.5\n3;4;1.5\n"
	ds, err := ReadCSV(csvFile(t, text), CSVOpts{Comma: ';'})
	if err != nil {
		t.Fatal(err)
	}
	x, y := ds.Tensors()
	equalValues(t, "x", x, engine.New([]float32{1, 2, 3, 4}, 2, 2))
	equalValues(t, "y", y, engine.New([]float32{0.5, 1.5}, 2))
	if ds.Classes != nil || ds.Target != "col2" {
		t.Fatalf("classes %v target %q", ds.Classes, ds.Target)
	}
	// Target by number, and no target at all.
	ds, err = ReadCSV(csvFile(t, text), CSVOpts{Comma: ';', Target: "0"})
	if err != nil {
		t.Fatal(err)
	}
	x, y = ds.Tensors()
	equalValues(t, "x/target 0", x, engine.New([]float32{2, 0.5, 4, 1.5}, 2, 2))
	equalValues(t, "y/target 0", y, engine.New([]float32{1, 3}, 2))
	ds, err = ReadCSV(csvFile(t, text), CSVOpts{Comma: ';', NoTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	if x, y := ds.Tensors(); x.Size(1) != 3 || y != nil {
		t.Fatalf("NoTarget: %v %v", x.Shape(), y)
	}
	// A string target without a header is not mistaken for a header.
	ds, err = ReadCSV(csvFile(t, "1,2,cat\n3,4,dog\n"), CSVOpts{})
	if err != nil || ds.Len() != 2 || len(ds.Classes) != 2 {
		t.Fatalf("string targets without a header: %v %v", ds, err)
	}
	// A numeric header is only a header when told.
	ds, err = ReadCSV(csvFile(t, "1,2\n3,4\n5,6\n"), CSVOpts{Header: "yes"})
	if err != nil || ds.Len() != 2 || ds.Features[0] != "1" {
		t.Fatalf("Header yes: %v %v", ds, err)
	}
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		text string
		o    CSVOpts
		want string
	}{
		{"a,b,y\n1,2,3\n4,x5,6\n", CSVOpts{}, `:3: column 1 (b): "x5" is not a number`},
		{"a,b,y\n1,2,3\n4,,6\n", CSVOpts{}, ":3: column 1 (b): the field is empty"},
		{"a,b,y\n1,2,3\n4,5\n", CSVOpts{}, ":3: the row has 2 fields, the first row has 3"},
		{"a,b,y\n1,2,3\n4,\"5,6\n", CSVOpts{}, `:3: extraneous or missing " in quoted-field`},
		{"a,b,y\n1,2,3\n", CSVOpts{Target: "z"}, `target column "z" is not a column; the columns are a, b, y`},
		{"1,2,3\n", CSVOpts{Target: "y"}, "no header to look names up in"},
		{"a,b,y\n1,2,3\n", CSVOpts{Target: "5"}, "5 is out of range for 3 columns"},
		{"a,y\n1,2\n", CSVOpts{Drop: []string{"a"}}, "no feature columns are left"},
		{"a,y\n1,2\n", CSVOpts{Drop: []string{"y"}}, "both the target and dropped"},
		{"a,y\n1,2\n", CSVOpts{Header: "maybe"}, `got "maybe"`},
		{"a,y\n1,1e99\n", CSVOpts{NoTarget: true}, "out of the range of float32"},
		{"", CSVOpts{}, "the file is empty"},
	}
	for _, c := range cases {
		p := csvFile(t, c.text)
		_, err := ReadCSV(p, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%q %+v: %v, want an error naming the file and %q", c.text, c.o, err, c.want)
		}
	}
	if _, err := ReadCSV(filepath.Join(t.TempDir(), "none.csv"), CSVOpts{}); err == nil || !strings.Contains(err.Error(), "none.csv: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

// ReadCSV reads regular files only (/dev/zero once ran it out of memory),
// stops at a line longer than 1 MiB, and quotes at most 60 characters of a
// field in a message (a 20 MB field made a 20 MB message).
func TestReadCSVBounds(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := ReadCSV("/dev/zero", CSVOpts{})
		if err == nil || !strings.Contains(err.Error(), "nn.ReadCSV /dev/zero: is a device, not a regular file") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
	dir := t.TempDir()
	long := filepath.Join(dir, "long.csv")
	os.WriteFile(long, []byte("a,b\n1,"+strings.Repeat("2", csvMaxLine)+"\n"), 0o644)
	if _, err := ReadCSV(long, CSVOpts{}); err == nil || !strings.Contains(err.Error(), "line 2 is longer than 1048576 bytes") {
		t.Errorf("long line: %v", err)
	}
	head := filepath.Join(dir, "head.csv")
	os.WriteFile(head, []byte("a,b"+strings.Repeat("7", 1000)+"\n1,2\n"), 0o644)
	if _, err := ReadCSV(head, CSVOpts{Target: "nope"}); err == nil || len(err.Error()) > 300 ||
		!strings.Contains(err.Error(), `"nope" is not a column; the columns are a, b7777`) {
		t.Errorf("long header: %v", err)
	}
	// A field longer than any message should be, through readCSV, which has no line limit.
	huge := "x" + strings.Repeat("7", 20<<20)
	_, err := readCSV(strings.NewReader("a,b\n1,2\n3,"+huge+"\n"), "f.csv", CSVOpts{NoTarget: true})
	want := `f.csv:3: column 1 (b): "x` + strings.Repeat("7", 59) + `…" (20971521 bytes) is not a number`
	if err == nil || err.Error() != want {
		t.Errorf("20 MB field: %.300v, want %s", err, want)
	}
}

// TestReadCSVClassOrder: CSVOpts.Classes fixes which text value becomes which
// class index (red 0, as the data means), instead of the sorted order; a
// value it does not list is an error naming the line.
func TestReadCSVClassOrder(t *testing.T) {
	p := csvFile(t, "a,color\n1,red\n2,green\n3,blue\n4,red\n")
	ds, err := ReadCSV(p, CSVOpts{Classes: []string{"red", "green", "blue"}})
	if err != nil {
		t.Fatal(err)
	}
	_, y := ds.Tensors()
	if got := y.Float32s(); !slices.Equal(got, []float32{0, 1, 2, 0}) || strings.Join(ds.Classes, " ") != "red green blue" {
		t.Fatalf("y %v, classes %v", got, ds.Classes)
	}
	sorted, err := ReadCSV(p, CSVOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if _, y := sorted.Tensors(); !slices.Equal(y.Float32s(), []float32{2, 1, 0, 2}) {
		t.Fatalf("without Classes: y %v (sorted: blue green red)", y.Float32s())
	}
	if got := ds.String(); got != "CSVDataset(4 rows, 1 features: a; target color: 3 classes [red green blue])" {
		t.Errorf("String: %q", got)
	}
	for opts, want := range map[*CSVOpts]string{
		{Classes: []string{"red", "green"}}:        `data.csv:4: column 1 (color): the target "blue" is not one of CSVOpts.Classes`,
		{Classes: []string{"red", "red", "green"}}: `CSVOpts.Classes lists "red" twice`,
	} {
		if _, err := ReadCSV(p, *opts); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Classes %v: %v, want %q", opts.Classes, err, want)
		}
	}
}
