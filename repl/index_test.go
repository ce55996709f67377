package repl

import (
	"strings"
	"testing"
)

// TestIndexErrors: an index or slice bound out of range names the index,
// the length and the expression, as Go does (yaegi gives none of them), and
// the session goes on.
func TestIndexErrors(t *testing.T) {
	s, out := newSession(t)
	evalOK(t, s, out, "a := []int{1, 2}\ni := 1\nstr := \"ab\"\nvar arr [2]int\nb := [][]int{{1}}")
	for src, want := range map[string]string{
		"a[5]":                                "index out of range [5] with length 2 in a[5]",
		"a[i+3]":                              "index out of range [4] with length 2 in a[i+3]",
		"a[-i]":                               "index out of range [-1] with length 2 in a[-i]",
		"a[len(a)]":                           "index out of range [2] with length 2 in a[len(a)]",
		"str[5]":                              "index out of range [5] with length 2 in str[5]",
		"arr[1+2]":                            "index out of range [3] with length 2 in arr[1+2]",
		"b[0][3]":                             "index out of range [3] with length 1 in b[0][3]",
		"a[1:5]":                              "slice bounds out of range [:5] with capacity 2 in a[1:5]",
		"str[1:7]":                            "slice bounds out of range [:7] with length 2 in str[1:7]",
		"for k := 0; k < 5; k++ { _ = a[k] }": "index out of range in a[k] (a has length 2)",
		// a local i shadows the global: its value is gone, so it is not shown
		"for i := 0; i < 5; i++ { _ = a[i] }": "index out of range in a[i] (a has length 2)",
	} {
		got := evalErr(t, s, out, src)
		if want := "error: runtime error: " + want + "\n"; !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
	if got := evalOK(t, s, out, "a, i"); got != "[1 2] 1\n" {
		t.Errorf("a, i after the errors: %q", got)
	}
}
