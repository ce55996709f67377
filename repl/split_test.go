package repl

import (
	"context"
	"reflect"
	"testing"
)

func TestIncomplete(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{"x := 1", false},
		{"", false},
		{"for i := 0; i < 3; i++ {", true},
		{"for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}", false},
		{"if x > 1 {\n} else", true},
		{"func f() {", true},
		{"p := Point{", true},
		{"f(1,", true},
		{"f(1,\n2)", false},
		{"a,", true}, // a trailing comma at depth 0: `a, b := f()` goes on
		{"x, y = 1,", true},
		{"x := a +", true},
		{"x := a &&", true},
		{"x := a ==", true},
		{"x.", true},
		{"engine.Ones(2).\n\tSum()", false},
		{"x :=", true},
		{"x =", true},
		{"x +=", true},
		{"ch <-", true},
		{"s := `raw", true},
		{"s := `raw\nstring`", false},
		{"/* comment", true},
		{"/* comment */ x", false},
		{"s := `a\nb` +", true},
		{"s := `a\n\tb` + `c\nd`", false},
		{"s := `a\nb` + f(`c\nd`,", true},
		{"x := /* a\nb */ (", true},
		{"x := /* a\nb */ (1 +\n2) /* c\n", true},
		{"x := /* a\nb */ (1 +\n2) /* c\n*/", false},
		{"s := `{\n`", false},
		{"x // comment {", false},
		{"x++", false},
		{"f()", false},
		{"a[1]", false},
		{"case 1:", true},
		{`s := "unterminated`, false}, // a syntax error, not more input
		{"x := []int{\n1,\n2,\n}", false},
	}
	for _, c := range cases {
		if got := Incomplete(c.src); got != c.want {
			t.Errorf("Incomplete(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		src  string
		want []string
	}{
		{"x := 1", []string{"x := 1"}},
		{"a := 1; b := 2; a + b", []string{"a := 1", "b := 2", "a + b"}},
		{"x := 1\ny := 2\n", []string{"x := 1", "y := 2"}},
		{"for i := 0; i < 3; i++ {\n\tx++\n}\ny", []string{"for i := 0; i < 3; i++ {\n\tx++\n}", "y"}},
		{"if v, ok := m[k]; ok {\n} else if a; b {\n}\nz", []string{"if v, ok := m[k]; ok {\n} else if a; b {\n}", "z"}},
		{"switch x := f(); x {\ncase 1:\n\ta()\n\tb()\n}", []string{"switch x := f(); x {\ncase 1:\n\ta()\n\tb()\n}"}},
		{"func f() {\n\ta()\n\tb()\n}\nf()", []string{"func f() {\n\ta()\n\tb()\n}", "f()"}},
		{"type T struct {\n\tA int\n\tB int\n}", []string{"type T struct {\n\tA int\n\tB int\n}"}},
		{"x := f(\n\t1,\n\t2,\n)", []string{"x := f(\n\t1,\n\t2,\n)"}},
		{"\n\n  \n", nil},
		{"s := `a;\nb`; t", []string{"s := `a;\nb`", "t"}},
		{"x := 1 // one; two\ny", []string{"x := 1 // one; two", "y"}},
		{"for _, v := range []int{1, 2} {\n\tx += v\n}\nx", []string{"for _, v := range []int{1, 2} {\n\tx += v\n}", "x"}},
		{"L:\n\tfor {\n\t\tbreak L\n\t}", []string{"L:\n\tfor {\n\t\tbreak L\n\t}"}},
	}
	for _, c := range cases {
		var got []string
		for _, u := range Split(c.src) {
			got = append(got, u.Src)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, want %q", c.src, got, c.want)
		}
	}
	us := Split("a\n\nb := 2\n\tc")
	if len(us) != 3 || us[0].Line != 1 || us[1].Line != 3 || us[2].Line != 4 {
		t.Errorf("Split lines: got %+v, want lines 1, 3, 4", us)
	}
}

// TestUnterminatedComment: input that ends inside a /* comment is an error
// naming the line of the /*, not silently dropped with the input after it.
func TestUnterminatedComment(t *testing.T) {
	s, out := newSession(t)
	got := evalErr(t, s, out, "x := 1\n/* a note\nx")
	if want := "error: syntax error: comment not terminated: this /* has no closing */\n  in: line 2: /* a note\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	out.Reset()
	if err := s.EvalSource(context.Background(), "/* lesson end", "lesson.txt", 40); err == nil || out.String() != "error: syntax error: comment not terminated: this /* has no closing */\n  in: lesson.txt:40: /* lesson end\n" {
		t.Errorf("from a file: %v %q", err, out.String())
	}
	if got := evalOK(t, s, out, "y := 2 /* closed */ + 1 // and a line comment\ny"); got != "3\n" {
		t.Errorf("closed comments: %q", got)
	}
}
