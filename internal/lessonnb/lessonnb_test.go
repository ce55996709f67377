package lessonnb

import (
	"reflect"
	"testing"
)

func TestCells(t *testing.T) {
	src := `// Lesson 0: a test.
//
// More text.
package main

import "fmt"

// double doubles.
func double(x int) int {
	// a comment inside stays
	return 2 * x
}

func main() {
	a := 1
	b := double(a)

	// Print them.
	fmt.Println(a, b) // trailing comment stays
	// Then one more.
	fmt.Println("done")
}

// Output:
// 1 2
// done
`
	got, err := Cells("x.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Cell{
		{"markdown", []string{"# Lesson 0: a test.", "", "More text."}},
		{"markdown", []string{"double doubles."}},
		{"code", []string{"func double(x int) int {", "    // a comment inside stays", "    return 2 * x", "}"}},
		{"code", []string{"a := 1", "b := double(a)"}},
		{"markdown", []string{"Print them."}},
		{"code", []string{"fmt.Println(a, b) // trailing comment stays"}},
		{"markdown", []string{"Then one more."}},
		{"code", []string{`fmt.Println("done")`}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Cells =\n%q\nwant\n%q", got, want)
	}
	if out, ok := Expected([]byte(src)); !ok || out != "1 2\ndone" {
		t.Errorf("Expected = %q, %v", out, ok)
	}
}
