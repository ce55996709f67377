package docs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStructDocsHideUnexportedFields checks that a struct's doc shows its
// exported fields and says, as go doc does, that others were left out.
func TestStructDocsHideUnexportedFields(t *testing.T) {
	dir := t.TempDir()
	src := `package p

// Open has only exported fields.
type Open struct{ A, B int }

// Mixed has both.
type Mixed struct {
	Visible int
	hidden  int
	C, d    string
	inner
	Outer
}

type inner struct{}

// Outer is embedded.
type Outer struct{}
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Generate([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	entry := func(key string) string {
		s := string(out)
		i := strings.Index(s, `"`+key+`":`)
		if i < 0 {
			t.Fatalf("no entry %s in\n%s", key, s)
		}
		s = s[i:]
		return s[:strings.Index(s, "\n")]
	}
	mixed := entry("p.Mixed")
	for _, want := range []string{"Visible", "C", "Outer", "contains filtered or unexported fields", "Mixed has both."} {
		if !strings.Contains(mixed, want) {
			t.Errorf("p.Mixed doc lacks %q: %s", want, mixed)
		}
	}
	for _, hidden := range []string{"hidden", "d\\t", "inner", "\\n\\n\\t"} {
		if strings.Contains(mixed, hidden) {
			t.Errorf("p.Mixed doc shows the unexported %q: %s", hidden, mixed)
		}
	}
	if open := entry("p.Open"); strings.Contains(open, "filtered") {
		t.Errorf("p.Open has no unexported fields but its doc says so: %s", open)
	}
}
