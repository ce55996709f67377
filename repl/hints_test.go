package repl

import (
	"os"
	"strings"
	"testing"
)

// TestClosest: "did you mean" names one candidate, equal but for case or a
// typo or two away, never a guess among several or for a very short name.
func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name  string
		cands []string
		want  string
	}{
		{"Relu", []string{"ReLU", "Reshape", "Sum"}, "ReLU"},
		{"Matmul", []string{"MatMul", "Mul"}, "MatMul"},
		{"Itme", []string{"Item", "Name"}, "Item"}, // a swap is one edit
		{"randn", []string{"Randn", "Rand"}, "Randn"},
		{"grad", []string{"grads", "graph", "gradcheck"}, "grads"},
		{"x", []string{"y", "xs"}, ""},
		{"ab", []string{"AB"}, "AB"},
		{"shape", []string{"Shape", "Reshape"}, "Shape"},
		{"Lenear", []string{"Linear", "Lenearr"}, ""}, // two at distance 1
		{"Forwardd", []string{"Forward", "."}, "Forward"},
		{"zzzzzz", []string{"Forward"}, ""},
	} {
		if got := closest(c.name, c.cands); got != c.want {
			t.Errorf("closest(%q, %v) = %q, want %q", c.name, c.cands, got, c.want)
		}
	}
}

// TestImportedAgrees: the README says what the prompt imports in the words
// the banner and :help use.
func TestImportedAgrees(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ReplaceAll(string(readme), "\n", " "), Imported) {
		t.Errorf("README.md does not say %q", Imported)
	}
	s, out := newSession(t)
	if got := evalOK(t, s, out, "rand.Intn(1)"); got != "0\n" {
		t.Errorf("rand.Intn(1) = %q", got)
	}
}

// TestMainWithoutFile: main() with no file loaded says what main() does.
func TestMainWithoutFile(t *testing.T) {
	s, out := newSession(t)
	got := evalErr(t, s, out, "main()")
	if !strings.Contains(got, "main() runs the func main of a file loaded with :load FILE") {
		t.Errorf("main(): %q", got)
	}
}

// TestUniqueMethod: the signature of a method called on a value of unknown
// type is the one dbr type's that has it; a name several types have, or
// that the user declared, gives none.
func TestUniqueMethod(t *testing.T) {
	s, out := newSession(t)
	if ft, key := s.uniqueMethod("Transpose"); ft == nil || key != "engine.Tensor.Transpose" || ft.NumIn() != 2 {
		t.Errorf("Transpose: %v %q", ft, key)
	}
	if ft, _ := s.uniqueMethod("Forward"); ft != nil {
		t.Errorf("Forward (every layer has one): %v", ft)
	}
	evalOK(t, s, out, "type T struct{}\nfunc (T) Transpose() {}")
	if ft, _ := s.uniqueMethod("Transpose"); ft != nil {
		t.Errorf("Transpose declared by the user too: %v", ft)
	}
}
