// Package lessonnb turns a lesson of scripts/ (a Go file with package main
// and func main that runs in dbr-repl and with go run) into a Jupyter
// notebook for the dbr kernel: its comments become markdown cells, its code
// becomes code cells split at blank lines.
//
// The file's leading comment is the notebook's first cell (its first line
// a heading); every declaration but func main and the imports (the kernel
// has every package imported) comes next, as it is; then the body of func main, one tab less indented, as a learner
// would type it at the prompt (indented with spaces, which the notebook's
// editor shows better than tabs). A run of comment lines between declarations
// or statements (a doc comment included) is a markdown cell; comments
// inside a declaration or a statement stay in its code. The // Output:
// block that ends a lesson is left out.
package lessonnb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// A Cell is one notebook cell: "markdown" or "code", and its lines.
type Cell struct {
	Kind  string
	Lines []string
}

// Cells splits the lesson src into notebook cells.
func Cells(name string, src []byte) ([]Cell, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(src), "\n")
	line := func(p token.Pos) int { return fset.Position(p).Line }

	// The pieces of the notebook in source order: code spans (lines of a
	// declaration or a statement of main) and comment groups.
	type piece struct {
		first, last int  // 1-based lines
		comment     bool // a comment group (markdown)
		inMain      bool // code of main's body: unindent
	}
	var pieces []piece
	var body *ast.BlockStmt
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			body = fd.Body
			for _, st := range fd.Body.List {
				pieces = append(pieces, piece{first: line(st.Pos()), last: line(st.End()), inMain: true})
			}
			continue
		}
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		pieces = append(pieces, piece{first: line(d.Pos()), last: line(d.End())})
	}
	if body == nil {
		return nil, fmt.Errorf("%s: no func main", name)
	}
	inside := func(l int) bool {
		for _, p := range pieces {
			if !p.comment && l >= p.first && l <= p.last {
				return true
			}
		}
		return false
	}
	var header *ast.CommentGroup
	if f.Doc != nil {
		header = f.Doc
	}
	for _, cg := range f.Comments {
		first, last := line(cg.Pos()), line(cg.End())
		if cg == header || strings.HasPrefix(strings.TrimSpace(lines[first-1]), "// Output:") || inside(first) {
			continue
		}
		// Comments on main's own lines (before its first statement or
		// after its last) count as main's.
		pieces = append(pieces, piece{first: first, last: last, comment: true, inMain: first > line(body.Lbrace) && last < line(body.Rbrace)})
	}
	sortPieces := func() {
		for i := 1; i < len(pieces); i++ {
			for j := i; j > 0 && pieces[j].first < pieces[j-1].first; j-- {
				pieces[j], pieces[j-1] = pieces[j-1], pieces[j]
			}
		}
	}
	sortPieces()

	var cells []Cell
	if header != nil {
		md := commentText(lines[line(header.Pos())-1 : line(header.End())])
		if len(md) > 0 {
			md[0] = "# " + md[0]
		}
		cells = append(cells, Cell{Kind: "markdown", Lines: md})
	}
	prevLast, prevComment := 0, true
	for _, p := range pieces {
		text := lines[p.first-1 : p.last]
		if p.comment {
			cells = append(cells, Cell{Kind: "markdown", Lines: commentText(text)})
			prevLast, prevComment = p.last, true
			continue
		}
		code := make([]string, len(text))
		for i, l := range text {
			if p.inMain {
				l = strings.TrimPrefix(l, "\t")
			}
			code[i] = spaceIndent(l)
		}
		if !prevComment && p.first == prevLast+1 {
			c := &cells[len(cells)-1]
			c.Lines = append(c.Lines, code...)
		} else {
			cells = append(cells, Cell{Kind: "code", Lines: code})
		}
		prevLast, prevComment = p.last, false
	}
	return cells, nil
}

// spaceIndent replaces the tabs that indent a line by four spaces each:
// the notebook's editor draws tabs as arrows.
func spaceIndent(l string) string {
	n := len(l) - len(strings.TrimLeft(l, "\t"))
	return strings.Repeat("    ", n) + l[n:]
}

// commentText turns // comment lines into markdown lines.
func commentText(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "//")
		l = strings.TrimPrefix(l, " ")
		out = append(out, l)
	}
	return out
}

// Notebook returns the lesson src as an .ipynb file (nbformat 4.5) for the
// dbr kernel, without outputs.
func Notebook(name string, src []byte) ([]byte, error) {
	cells, err := Cells(name, src)
	if err != nil {
		return nil, err
	}
	nb := struct {
		Cells         []map[string]any `json:"cells"`
		Metadata      map[string]any   `json:"metadata"`
		NBFormat      int              `json:"nbformat"`
		NBFormatMinor int              `json:"nbformat_minor"`
	}{
		Metadata: map[string]any{
			"kernelspec":    map[string]string{"name": "dbr", "display_name": "dbr (Go)", "language": "go"},
			"language_info": map[string]string{"name": "go", "file_extension": ".go", "mimetype": "text/x-go"},
		},
		NBFormat: 4, NBFormatMinor: 5,
	}
	for i, c := range cells {
		src := make([]string, len(c.Lines))
		for j, l := range c.Lines {
			if j < len(c.Lines)-1 {
				l += "\n"
			}
			src[j] = l
		}
		nc := map[string]any{"cell_type": c.Kind, "id": fmt.Sprintf("cell-%02d", i+1), "metadata": map[string]any{}, "source": src}
		if c.Kind == "code" {
			nc["execution_count"] = nil
			nc["outputs"] = []any{}
		}
		nb.Cells = append(nb.Cells, nc)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Expected returns the lesson's expected output: the text of the
// "// Output:" comment block that ends it, each line's trailing spaces and
// blank lines at both ends dropped.
func Expected(src []byte) (string, bool) {
	lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
	start := -1
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "//") {
			break
		}
		if l == "// Output:" {
			start = i
			break
		}
	}
	if start < 0 {
		return "", false
	}
	var out []string
	for _, l := range lines[start+1:] {
		l = strings.TrimPrefix(strings.TrimSpace(l), "//")
		out = append(out, strings.TrimRight(strings.TrimPrefix(l, " "), " \t"))
	}
	return strings.Trim(strings.Join(out, "\n"), "\n"), true
}

// NotebookName is the file name of the notebook of the lesson in dir:
// scripts/03_control_flow/03_control_flow.ipynb.
func NotebookName(dir string) string {
	return filepath.Base(dir) + ".ipynb"
}
