package repl

import (
	"context"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// startsWithPackage reports whether src begins with a package clause: a
// whole Go file given as input (pasted at the prompt, a notebook cell).
func startsWithPackage(src string) bool {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := sc.Scan()
	return tok == token.PACKAGE
}

// evalFile runs a whole file given as input as :load runs a file: its
// declarations join the session and the body of its func main runs. Imports
// of packages the session has already are left out (a second import of a
// package fails in yaegi), and so are those an earlier file given as input
// imported; others are imported.
func (s *Session) evalFile(ctx context.Context, name, src string) error {
	if name == "" {
		name = "(pasted file)"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
	if err != nil {
		return s.LoadSource(ctx, name, src) // which reports the syntax error
	}
	// Cut the imports out back to front, keeping the lines where they were.
	var imports []string
	for i := len(f.Decls) - 1; i >= 0; i-- {
		d, ok := f.Decls[i].(*ast.GenDecl)
		if !ok || d.Tok != token.IMPORT {
			continue
		}
		var kept []string
		for _, sp := range d.Specs {
			is := sp.(*ast.ImportSpec)
			text := src[fset.Position(is.Pos()).Offset:fset.Position(is.End()).Offset]
			if _, bound := boundImport(is); !bound && !s.fileImports[text] {
				kept = append(kept, text)
				imports = append(imports, text)
			}
		}
		from, to := fset.Position(d.Pos()).Offset, fset.Position(d.End()).Offset
		repl := ""
		if len(kept) > 0 {
			repl = "import (" + strings.Join(kept, "; ") + ")"
		}
		repl += strings.Repeat("\n", strings.Count(src[from:to], "\n"))
		src = src[:from] + repl + src[to:]
	}
	if err := s.LoadSource(ctx, name, src); err != nil {
		return err
	}
	if s.fileImports == nil {
		s.fileImports = map[string]bool{}
	}
	for _, text := range imports {
		s.fileImports[text] = true
	}
	return nil
}
