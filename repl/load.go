package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
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
// runs (func main itself is declared as _dbrMain, which main() at the prompt
// calls: yaegi would rerun a func main on every later evaluation).
func (s *Session) LoadFile(ctx context.Context, file string) error {
	src, err := readSource(file)
	if err != nil {
		e := &Error{Msg: err.Error(), Where: file}
		s.showError(e, "error: "+e.Msg+"\n")
		return e
	}
	return s.LoadSource(ctx, file, string(src))
}

// LoadFileKeep is LoadFile keeping the variables of func main as globals of
// the session, for inspection after the script ran (`dbr-repl -i file.go`,
// `:load -i file.go`): its statements run one by one as if typed at the
// prompt. A main that returns, defers or jumps to a label runs as LoadFile
// runs it, with a note.
func (s *Session) LoadFileKeep(ctx context.Context, file string) error {
	src, err := readSource(file)
	if err != nil {
		e := &Error{Msg: err.Error(), Where: file}
		s.showError(e, "error: "+e.Msg+"\n")
		return e
	}
	return s.loadSource(ctx, file, string(src), true)
}

// maxSource bounds the size of a file LoadFile reads: Go source, not data.
const maxSource = 16 << 20

// readSource reads the Go file name. It must be a regular file (a device
// such as /dev/zero never ends, and opening a named pipe waits for a writer
// past Ctrl-C) of at most maxSource bytes.
func readSource(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			pe.Op = "open" // what :load does, as the learner sees it
		}
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file: :load reads Go source files", name, fileKind(st.Mode()))
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSource+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSource {
		return nil, fmt.Errorf("%s is larger than %d MiB: :load reads Go source files", name, maxSource>>20)
	}
	return b, nil
}

// fileKind names what a file that is not a regular file is.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// LoadSource is LoadFile for source already read; name locates errors.
func (s *Session) LoadSource(ctx context.Context, name, src string) error {
	return s.loadSource(ctx, name, src, false)
}

func (s *Session) loadSource(ctx context.Context, name, src string, keep bool) (err error) {
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
	if err := s.refuse(f); err != nil {
		e := &Error{Msg: err.Error(), Where: name}
		fmt.Fprintf(s.opt.Stderr, "error: %s\n", e.Msg)
		return e
	}
	rw := s.newRewriter(fset)
	base := s.addSource(name, src, 1, fset, f.Decls)
	// The statements of main as written, to run one by one for keep.
	var units []Unit
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" && fd.Body != nil {
			if keep && !runsAtTopLevel(fd.Body) {
				keep = false
				fmt.Fprintf(s.opt.Stderr, "note: %s: func main returns, defers or uses a label, so it runs as a function: its variables are not kept\n", name)
			}
			for _, st := range fd.Body.List {
				from, to := fset.Position(st.Pos()), fset.Position(st.End())
				units = append(units, Unit{Src: src[from.Offset:to.Offset], Line: from.Line})
			}
		}
	}
	var body *ast.FuncDecl
	var ds []*decl
	var vars strings.Builder
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			body = fd
			if fd.Body == nil {
				continue
			}
			// main itself is declared as _dbrMain (yaegi would rerun a
			// func main on every evaluation): main() at the prompt calls it.
			d = &ast.FuncDecl{Name: ast.NewIdent("_dbrMain"), Type: fd.Type, Body: fd.Body}
		}
		line := fset.Position(d.Pos()).Line
		directive := fmt.Sprintf("//line %s:%d\n", name, line)
		u := Unit{Src: strings.TrimSpace(strings.Split(src, "\n")[line-1]), Line: line}
		origs := newDecls(fset, d, u, name)
		if g, ok := d.(*ast.GenDecl); !ok || g.Tok != token.IMPORT {
			rw.rewrite(d)
		}
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			vars.WriteString(directive + instrumentLines(render(fset, d), false, fset, []ast.Node{d}, name, base) + "\n")
			continue
		}
		for k, e := range newDecls(fset, d, u, name) {
			e.orig = origs[k].src
			s.declID++
			e.id = s.declID
			if _, isFunc := d.(*ast.FuncDecl); isFunc {
				e.src = instrumentLines(e.src, false, fset, []ast.Node{d}, name, base)
			}
			e.src = directive + e.src
			ds = append(ds, e)
		}
	}
	if len(ds) > 0 || vars.Len() > 0 {
		s.resetLine()
		if err := s.declare(ctx, ds, vars.String()); err != nil {
			u := Unit{Src: "(declarations)", Line: 1}
			var de *declError
			if errors.As(err, &de) {
				u, err = de.unit, de.err
			}
			u, at := s.panicLine(err, name, src, u)
			return s.report(u, at, err)
		}
		for _, d := range f.Decls {
			if d != body {
				g, isGen := d.(*ast.GenDecl)
				s.saved = append(s.saved, savedUnit{src: render(fset, d), decl: true, recorded: !isGen || g.Tok != token.VAR})
			}
		}
	}
	if body == nil || body.Body == nil {
		return nil
	}
	s.hasMain = true
	line := fset.Position(body.Body.Lbrace).Line
	if keep {
		for _, u := range units {
			if err := s.evalUnit(ctx, u, name); err != nil {
				return err
			}
		}
		return nil
	}
	stmts := body.Body.List // rewritten as _dbrMain's
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

// runsAtTopLevel reports whether the statements of body can run one by one
// at the top level: no return, defer, goto or label outside a function
// literal.
func runsAtTopLevel(body *ast.BlockStmt) bool {
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt, *ast.DeferStmt, *ast.LabeledStmt:
			ok = false
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// callMain makes the calls main() in n call the func main of the file
// :loaded last, which is declared as _dbrMain. Without one, such a call is
// an error that says so.
func (s *Session) callMain(n ast.Node) error {
	if s.isGlobal("main") {
		return nil
	}
	var err error
	ast.Inspect(n, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && len(c.Args) == 0 {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "main" {
				if !s.hasMain {
					err = errors.New("main() runs the func main of a file loaded with :load FILE (or dbr-repl -i FILE); none is loaded")
				}
				id.Name = "_dbrMain"
			}
		}
		return true
	})
	return err
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
	// Functions, methods, types and constants as last defined.
	for _, d := range s.decls {
		if !strings.HasPrefix(d.key, "import ") {
			decls.WriteString(d.orig + "\n\n")
		}
	}
	for _, u := range s.saved {
		if u.decl {
			if !u.recorded && !strings.HasPrefix(u.src, "import") {
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
