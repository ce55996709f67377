package repl

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/dbr-go/dbr/symbols"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// LoadFile runs a Go file of package main in the session: its imports and
// declarations become part of the session, then the body of its func main
// runs (func main itself is not declared: yaegi would rerun it on every later
// evaluation). It is how scripts run, with or without -i.
func (s *Session) LoadFile(ctx context.Context, file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		e := &Error{Msg: err.Error(), Where: file}
		s.showError(e, "error: "+e.Msg+"\n")
		return e
	}
	return s.LoadSource(ctx, file, string(src))
}

// LoadSource is LoadFile for source already read; name locates errors.
func (s *Session) LoadSource(ctx context.Context, name, src string) (err error) {
	defer s.flush()
	defer func() {
		if r := recover(); r != nil {
			err = s.report(Unit{Src: "(file)", Line: 1}, name, &internalError{r, stack()})
		}
	}()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		e := &Error{Msg: "syntax error: " + err.Error(), Where: name}
		s.showError(e, "error: "+e.Msg+"\n")
		return e
	}
	rw := s.newRewriter(fset)
	var decls bytes.Buffer
	var body *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); !ok || fd.Recv != nil || fd.Name.Name != "main" {
			s.noteDecl(fset, d)
		}
	}
	var declNodes []ast.Node
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			body = fd
			continue
		}
		rw.rewrite(d)
		declNodes = append(declNodes, d)
		fmt.Fprintf(&decls, "\n//line %s:%d\n%s\n", name, fset.Position(d.Pos()).Line, render(fset, d))
	}
	where := Unit{Src: "(declarations)", Line: 1}
	base := s.addSource(name, src, 1, fset, f.Decls)
	if decls.Len() > 0 {
		s.resetLine()
		if err := s.exec(ctx, instrumentLines(decls.String(), false, fset, declNodes, name, base)); err != nil {
			u, at := s.panicLine(err, name, src, where)
			return s.report(u, at, err)
		}
		for _, d := range f.Decls {
			if d != body {
				s.saved = append(s.saved, savedUnit{src: render(fset, d), decl: true})
			}
		}
	}
	if body == nil || body.Body == nil {
		return nil
	}
	line := fset.Position(body.Body.Lbrace).Line
	stmts := rewriteAll(rw, body.Body.List)
	// A //line comment before every statement keeps the lines of yaegi's
	// messages and panic traces those of the file, whatever render drops.
	var code strings.Builder
	code.WriteString("(func() {\n")
	for _, st := range stmts {
		if p := fset.Position(st.Pos()); p.IsValid() {
			fmt.Fprintf(&code, "//line %s:%d\n", name, p.Line)
		}
		code.WriteString(render(fset, st) + "\n")
	}
	code.WriteString("})()")
	s.resetLine()
	if err := s.exec(ctx, instrumentLines(code.String(), true, fset, []ast.Node{&ast.BlockStmt{List: stmts}}, name, base)); err != nil {
		u, at := s.panicLine(err, name, src, Unit{Src: "func main", Line: line})
		return s.report(u, at, err)
	}
	for _, st := range body.Body.List {
		s.saved = append(s.saved, savedUnit{src: render(fset, st)})
	}
	return nil
}

// noteDecl records the functions, types and methods a declaration adds.
func (s *Session) noteDecl(fset *token.FileSet, d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			s.funcs[d.Name.Name] = true
			s.funcTypes[d.Name.Name] = ""
			if d.Type.TypeParams == nil {
				s.funcTypes[d.Name.Name] = render(fset, d.Type)
			}
			return
		}
		if len(d.Recv.List) > 0 {
			t := d.Recv.List[0].Type
			if st, ok := t.(*ast.StarExpr); ok {
				t = st.X
			}
			if id, ok := t.(*ast.Ident); ok {
				if s.methods[id.Name] == nil {
					s.methods[id.Name] = map[string]bool{}
				}
				s.methods[id.Name][d.Name.Name] = true
			}
		}
	case *ast.GenDecl:
		if d.Tok == token.TYPE {
			for _, sp := range d.Specs {
				s.types[sp.(*ast.TypeSpec).Name.Name] = true
			}
		}
	}
}

// packagePaths maps the package names the session knows to their import
// paths.
func (s *Session) packagePaths() map[string]string {
	m := map[string]string{}
	for _, tables := range []interp.Exports{stdlib.Symbols, symbols.Symbols} {
		for k := range tables {
			m[path.Base(k)] = path.Dir(k)
		}
	}
	m["rand"] = "math/rand"
	return m
}

// SaveSource returns what was typed successfully in the session as a Go file
// that `go run` runs: declarations at top level, statements in func main,
// printed expressions as fmt.Println calls.
func (s *Session) SaveSource() ([]byte, error) {
	var decls, body strings.Builder
	defined := map[string]bool{}
	for _, u := range s.saved {
		if u.decl {
			if !strings.HasPrefix(u.src, "import") {
				decls.WriteString(u.src + "\n\n")
			}
			continue
		}
		src := u.src
		if u.printed {
			src = "fmt.Println(" + src + ")"
		}
		if len(u.defines) > 0 {
			fresh := false
			for _, n := range u.defines {
				if !defined[n] {
					fresh = true
				}
			}
			if !fresh {
				src = strings.Replace(src, ":=", "=", 1)
			}
			body.WriteString(src + "\n")
			for _, n := range u.defines {
				if !defined[n] {
					body.WriteString("_ = " + n + "\n")
					defined[n] = true
				}
			}
			continue
		}
		body.WriteString(src + "\n")
	}
	code := decls.String() + "func main() {\n" + body.String() + "}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+code, 0)
	if err != nil {
		return nil, fmt.Errorf("the session does not make a valid file: %v", err)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil {
				used[id.Name] = true
			}
		}
		return true
	})
	paths := s.packagePaths()
	var imports []string
	for n := range used {
		if p, ok := paths[n]; ok {
			imports = append(imports, p)
		}
	}
	sort.Strings(imports)
	var out bytes.Buffer
	out.WriteString("// Saved from a dbr-repl session.\n\npackage main\n\n")
	if len(imports) > 0 {
		out.WriteString("import (\n")
		for _, p := range imports {
			fmt.Fprintf(&out, "\t%q\n", p)
		}
		out.WriteString(")\n\n")
	}
	out.WriteString(code)
	b, err := format.Source(out.Bytes())
	if err != nil {
		return out.Bytes(), nil
	}
	return b, nil
}

// Doc returns the documentation of a dbr function, type or method, such as
// "engine.Zeros" or "Tensor.MatMul".
func Doc(name string) (string, error) {
	name = strings.TrimSpace(name)
	if d, ok := symbols.Docs[name]; ok {
		return d, nil
	}
	var matches []string
	for k := range symbols.Docs {
		if strings.HasSuffix(k, "."+name) {
			matches = append(matches, k)
		}
	}
	sort.Strings(matches)
	if len(matches) == 1 {
		return symbols.Docs[matches[0]], nil
	}
	if len(matches) > 1 {
		return "", fmt.Errorf("%s is ambiguous: %s", name, strings.Join(matches, ", "))
	}
	return "", fmt.Errorf("no documentation for %s (try engine.Zeros or Tensor.MatMul)", name)
}
