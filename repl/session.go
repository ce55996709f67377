package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"os"
	"path"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbr-go/dbr/display"
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
	"github.com/dbr-go/dbr/symbols"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// Options configure a Session.
type Options struct {
	Stdout io.Writer // results and the program's output; os.Stdout when nil
	Stderr io.Writer // error messages; os.Stderr when nil
	Stdin  io.Reader // the program's standard input; os.Stdin when nil
	Args   []string  // os.Args as the program sees it; os.Args when nil
	Env    []string  // the program's environment ("KEY=value"); the process's when nil
	Stack  bool      // print the Go stack of a panic with its message

	// Result, when set, receives the values of each bare expression and
	// the text the session would print for them, instead of the printing.
	Result func(vals []any, text string)
	// Display, when set, is where display.Show, display.HTML,
	// display.Image and inspect's plots and progress lines go while the
	// session evaluates code (as images and updatable lines); without it
	// they print text.
	Display func(display.Output)
	// Error, when set, receives each error instead of its printing to
	// Stderr.
	Error func(*Error)
	// StallTimeout, when > 0, ends an evaluation during which the process
	// uses no CPU for that long (a channel, lock or sleep that never ends)
	// with an error naming the input: for piped input, where no one can
	// press Ctrl-C. 0 turns it off. See watchdog.go.
	StallTimeout time.Duration
	// Goroutine, when set, is called by each go statement of the session's
	// code, on the goroutine that runs it (by is that goroutine's id); the
	// function it returns is called on the new goroutine with its id
	// before the goroutine runs, and the function that returns when it
	// ends. repl/child uses them to blame a fatal error in a goroutine on
	// the input that started it.
	Goroutine func(by uint64) (started func(id uint64) (ended func()))
}

// A Session is one interpreter with everything typed into it so far. Its
// methods are not safe for concurrent use, except Interrupt.
type Session struct {
	opt Options
	in  *interp.Interpreter

	results  []any // values handed to _dbr.Result by the last expression
	resultOK bool
	quiet    bool // evaluate expressions without printing their values (:time, :ops)

	stragglers atomic.Int64 // cancelled programs still running (yaegirun.go)
	// overflow is the error of a recursion that stopped the evaluation's
	// goroutine; overflowed holds those of the session's goroutines it
	// stopped, by goroutine id (depth.go).
	overflow   atomic.Pointer[stopped]
	overflowed sync.Map

	held     []reflect.Value // addresses handed to _dbr.Hold by a definition (define.go)
	funcDefs map[string]step // variable -> its definition as a function value (define.go)

	decls     []*decl                             // the declarations in effect (decls.go)
	declID    int                                 // the last decl.id given
	zeroN     int                                 // the last function of zeroPath made
	typeDefs  map[string]string                   // user type name -> its definition
	funcs     map[string]bool                     // functions the user declared
	funcTypes map[string]string                   // function -> its type, as Go source
	types     map[string]bool                     // types the user declared
	methods   map[string]map[string]bool          // type name -> methods the user declared
	typeOf    map[reflect.Type]string             // reflect type of a user type -> its name
	pkgSyms   map[string]map[string]reflect.Value // package name -> compiled symbols
	used      []interp.Exports                    // packages added with Use
	saved     []savedUnit                         // successful input, for :save

	trace *traceWriter // yaegi's interpreted panic traces

	// Settings of this session only (see "Sessions and goroutines" in doc.go).
	commands    map[string]Command // its :commands
	lineHooks   []LineHook         // run around every input
	traceVars   *traceState        // :trace on, or nil
	anomaly     bool               // :anomaly on
	traceHooked bool               // :trace added its line hook

	outPipe   *pipeOut   // Stdout's pipe when Stdout is not a file
	errPipe   *pipeOut   // Stderr's pipe when Stderr is not a file
	userStdio []*os.File // interpreted code's os.Stdout and os.Stderr
	// fileImports are the imports (as written) that whole files given as
	// input made, which a file given again leaves out.
	fileImports map[string]bool
	lastStack   string                   // Go stack of the last panic
	lastErr     *Error                   // the last error
	sources     []codeSource             // code whose lines _dbrLine records
	hasMain     bool                     // a :loaded file declared its func main (as _dbrMain)
	globalsMemo map[string]reflect.Value // the globals while a hint reads them (memoGlobals)

	mu       sync.Mutex
	cancel   context.CancelFunc
	quit     bool
	ExitCode int // set when the program called os.Exit
}

// savedUnit is one successful unit, kept for :save.
type savedUnit struct {
	src     string
	decl    bool     // a declaration (goes outside func main)
	defines []string // names defined by a top-level :=
	printed bool     // an expression whose value was printed
	// recorded: a declaration in the record (decls.go), which :save
	// writes from there, as last defined.
	recorded bool
	// assigned: names a statement assigns with = (for funcDefs).
	assigned []string
}

// prelude declares the helpers that rewritten code calls.
const prelude = `var _dbrLast interface{}
var _dbrLine int

func _dbrCallbackGuard(passedTo string) {
	if r := recover(); r != nil {
		_dbr.CallbackPanic(passedTo, r)
	}
}
// The type parameter is not named T: yaegi would take a type T declared
// at the prompt for it.
func _dbrMin[_dbrT any](a _dbrT, bs ..._dbrT) _dbrT {
	for _, b := range bs {
		if _dbr.Less(b, a) {
			a = b
		}
	}
	return a
}
func _dbrMax[_dbrT any](a _dbrT, bs ..._dbrT) _dbrT {
	for _, b := range bs {
		if _dbr.Less(a, b) {
			a = b
		}
	}
	return a
}
func _dbrClear(v interface{}) { _dbr.Clear(v) }
`

var quietLog sync.Once

// New starts a session with engine, nn, inspect, fmt, math and the rest of
// the standard library imported.
func New(opt Options) (*Session, error) {
	if opt.Stdout == nil {
		opt.Stdout = os.Stdout
	}
	if opt.Stderr == nil {
		opt.Stderr = os.Stderr
	}
	if opt.Stdin == nil {
		opt.Stdin = os.Stdin
	}
	if opt.Env == nil {
		opt.Env = os.Environ()
	}
	quietLog.Do(installLogFilter)
	s := &Session{opt: opt, trace: &traceWriter{}, commands: newCommands()}
	var err error
	if s.opt.Stdout, s.outPipe, err = sessionWriter(opt.Stdout); err != nil {
		return nil, err
	}
	if s.opt.Stderr, s.errPipe, err = sessionWriter(opt.Stderr); err != nil {
		s.outPipe.close()
		return nil, err
	}
	if err := s.init(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the pipes that carry the session's output to writers that
// are not files (which a dropped Session releases too, later). The session
// must not be used afterwards.
func (s *Session) Close() {
	s.flush()
	s.outPipe.close()
	s.errPipe.close()
	for _, f := range s.userStdio {
		f.Close()
	}
}

// flush returns once everything the session's code has written so far has
// reached the Stdout and Stderr writers.
func (s *Session) flush() {
	s.outPipe.flush()
	s.errPipe.flush()
}

// displayHandler is the display.Handler installed while code runs.
func (s *Session) displayHandler() display.Handler {
	if s.opt.Display == nil {
		return nil
	}
	return func(o display.Output) {
		s.flush()
		s.opt.Display(o)
	}
}

// useOutput points inspect's output and display's handler, which are
// process-wide, at the session while its code or commands run, and returns
// the function that restores them and flushes the session's output.
func (s *Session) useOutput() (restore func()) {
	prevOut := inspect.SetOutput(s.opt.Stdout)
	prevText := display.SetOutput(s.opt.Stdout)
	prevDisplay := display.SetHandler(s.displayHandler())
	prevWarn := engine.Warnings
	if s.opt.Stderr != nil {
		engine.Warnings = s.opt.Stderr // a leaf no optimizer updates, …
	}
	return func() {
		engine.Warnings = prevWarn
		inspect.SetOutput(prevOut)
		display.SetOutput(prevText)
		display.SetHandler(prevDisplay)
		s.flush()
	}
}

// stdio gives interpreted code its own copies (duplicated descriptors) of
// the session's writers as os.Stdout and os.Stderr (yaegi's own choice for
// os.Stderr would be the interpreter's Stderr, which the session keeps for
// panic traces). They write where the session's writers do, in order, but
// os.Stdout.Close() closes only the copy: the session's results still print.
func (s *Session) stdio() interp.Exports {
	for _, f := range s.userStdio {
		f.Close()
	}
	out, _ := s.opt.Stdout.(*os.File)
	errOut, _ := s.opt.Stderr.(*os.File)
	out, errOut = dupFile(out), dupFile(errOut)
	s.userStdio = []*os.File{out, errOut}
	return interp.Exports{"os/os_dbr": {
		"Stdout": reflect.ValueOf(&out).Elem(),
		"Stderr": reflect.ValueOf(&errOut).Elem(),
	}}
}

// showError hands e to the Error callback, or prints text to Stderr.
func (s *Session) showError(e *Error, text string) {
	if s.opt.Error != nil {
		s.flush()
		s.opt.Error(e)
		return
	}
	fmt.Fprint(s.opt.Stderr, text)
}

func (s *Session) init() (err error) {
	s.decls = nil
	s.funcDefs = map[string]step{}
	s.noteDecls()
	s.typeOf = map[reflect.Type]string{}
	s.saved = nil
	s.sources = nil
	s.hasMain = false
	s.declID = 0
	s.fileImports = nil
	s.pkgSyms = map[string]map[string]reflect.Value{}
	for _, e := range s.uses() {
		s.addSyms(e)
	}
	s.in, err = s.newInterpreter()
	return err
}

// uses returns the packages every interpreter of the session gets (the
// standard library without crypto/rand, which newInterpreter adds after
// ImportUsed so that `rand` names math/rand and `import "crypto/rand"`
// still works).
func (s *Session) uses() []interp.Exports {
	std := interp.Exports{}
	for k, v := range stdlib.Symbols {
		if k != cryptoRand {
			std[k] = v
		}
	}
	return append([]interp.Exports{
		std,
		processKnobs,
		s.safeFmt(),
		s.stdio(),
		symbols.Symbols,
		{"github.com/dbr-go/dbr/repl/_dbr/_dbr": s.helpers()},
		{".": {"MapTypes": reflect.ValueOf(symbols.MapTypes)}},
	}, s.used...)
}

// helpers are the compiled functions that rewritten code calls.
func (s *Session) helpers() map[string]reflect.Value {
	return map[string]reflect.Value{
		"Result": reflect.ValueOf(func(v ...interface{}) { s.results = v; s.resultOK = true }),
		"Hold": reflect.ValueOf(func(ps ...interface{}) {
			s.held = make([]reflect.Value, len(ps))
			for i, p := range ps {
				s.held[i] = reflect.ValueOf(p)
			}
		}),
		// Go runs the function of a go statement on a new goroutine
		// (rewrite.go's fixGo), reporting its panic instead of letting it
		// end the process.
		"Go": reflect.ValueOf(func(f func()) {
			var started func(uint64) func()
			if s.opt.Goroutine != nil {
				started = s.opt.Goroutine(goroutineID())
			}
			go s.runGoroutine(f, started)
		}),
		// FreshLoop begins a loop over a DataLoader (rewrite.go's
		// fixNextLoop): an epoch an earlier loop left unfinished is
		// abandoned, and the loop starts a fresh one.
		"FreshLoop": reflect.ValueOf(func(v interface{}) {
			if dl, ok := v.(*nn.DataLoader); ok {
				dl.Reset()
			}
		}),
		"CallbackPanic": reflect.ValueOf(s.callbackPanic),
		"Enter":         reflect.ValueOf(s.enter),
		"Leave":         reflect.ValueOf(leave),
		"Less":          reflect.ValueOf(less),
		"Clear":         reflect.ValueOf(clearValue),
		"Type": reflect.ValueOf(func(name string, p interface{}) {
			// Only the struct types yaegi builds are anonymous to reflect: a
			// `type Celsius float64` is float64, which is not Celsius. Of two
			// structurally identical types (one reflect type), the first
			// declared names the values; variables and :type know their own
			// static types (yaegi.go).
			t := reflect.TypeOf(p)
			if t == nil || t.Kind() != reflect.Ptr || t.Elem().Kind() != reflect.Struct || t.Elem().Name() != "" {
				return
			}
			if _, taken := s.typeOf[t.Elem()]; !taken {
				s.typeOf[t.Elem()] = name
				nn.NameType(p, name) // Sequential's String and inspect's Summary name user modules
			}
		}),
	}
}

// Reset throws away everything typed so far and starts a fresh interpreter
// (packages added with Use stay).
func (s *Session) Reset() error { return s.init() }

// Interpreter returns the session's yaegi interpreter. A rebuild (decls.go)
// replaces it: do not keep it across evaluations.
func (s *Session) Interpreter() *interp.Interpreter { return s.in }

// Stdout is where results and the program's output go: the Stdout of the
// Options, or a pipe to it when that is not a file.
func (s *Session) Stdout() io.Writer { return s.opt.Stdout }

// Stderr is where error messages go (like Stdout, maybe through a pipe).
func (s *Session) Stderr() io.Writer { return s.opt.Stderr }

// Quit asks the program driving the session to stop; Quitting reports it.
func (s *Session) Quit()          { s.quit = true }
func (s *Session) Quitting() bool { return s.quit }

// Interrupt stops the evaluation in progress, if any: interpreted code at its
// next step, compiled engine ops at their next check of engine.Interrupted.
// It is safe to call from another goroutine (a signal handler).
func (s *Session) Interrupt() {
	engine.Interrupt()
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
}

// An Error is a failed unit of input: what failed, where, and the Go stack
// of a panic (empty for compile errors).
type Error struct {
	Msg   string // one line saying what failed
	Where string // "name:line: text" or the first line of the unit
	At    string // for a panic inside a function of the user's called by the unit: its line, else ""
	Stack string
}

func (e *Error) Error() string { return e.Msg }

// An ExitError reports that the program called os.Exit.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Eval evaluates src, which may hold several units (declarations and
// statements), printing the value of each bare expression to Stdout and an
// error to Stderr. It stops at the first failing unit and returns its error
// (an *Error or *ExitError).
func (s *Session) Eval(ctx context.Context, src string) error {
	return s.EvalSource(ctx, src, "", 0)
}

// EvalSource is Eval for input read from a file or a pipe: name and line
// (the line of src's first line, from 1) locate errors.
func (s *Session) EvalSource(ctx context.Context, src, name string, line int) (err error) {
	defer s.flush()
	defer func() {
		if r := recover(); r != nil {
			// A panic outside the interpreter is a bug of dbr-repl (or of a
			// command's hook): report it and keep the session.
			err = s.report(Unit{Src: src, Line: line}, name, &internalError{r, stack()})
		}
	}()
	runLineHooks(s, true, nil)
	defer func() { runLineHooks(s, false, err) }()
	if startsWithPackage(src) {
		return s.evalFile(ctx, name, src)
	}
	if u, ok := unterminatedComment(src); ok {
		// Split would drop it with the rest of the input as a comment.
		if line > 0 {
			u.Line += line - 1
		}
		return s.report(u, name, errors.New("syntax error: comment not terminated: this /* has no closing */"))
	}
	units := Split(src)
	for i := 0; i < len(units); i++ {
		if line > 0 {
			units[i].Line += line - 1
		}
	}
	for i := 0; i < len(units); {
		// Consecutive declarations are declared together, as in a file:
		// they may refer to each other, and redefine a type with its methods.
		var batch []*decl
		j := i
		for ; j < len(units); j++ {
			ds, ok, err := s.declUnit(units[j])
			if err != nil {
				if j == i {
					return s.report(units[j], name, err)
				}
				break
			}
			if !ok {
				break
			}
			batch = append(batch, ds...)
		}
		if j == i {
			if err := s.evalUnit(ctx, units[i], name); err != nil {
				return err
			}
			i++
			continue
		}
		if err := s.declare(ctx, batch, ""); err != nil {
			u := units[i]
			var de *declError
			if errors.As(err, &de) && de.unit.Src != "" {
				u, err = de.unit, de.err
			}
			return s.report(u, name, err)
		}
		for _, u := range units[i:j] {
			s.saved = append(s.saved, savedUnit{src: u.Src, decl: true, recorded: true})
		}
		i = j
	}
	return nil
}

// declUnit parses a unit that declares functions, methods, types,
// constants or imports into record entries (ok false for anything else).
func (s *Session) declUnit(u Unit) ([]*decl, bool, error) {
	if !isDecl(u.Src) {
		return nil, false, nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+u.Src, 0)
	if err != nil {
		if strings.HasPrefix(u.Src, "func") {
			return nil, false, nil // `func() {...}()`: a statement
		}
		return nil, false, syntaxError(err, 1)
	}
	if err := s.refuse(f); err != nil {
		return nil, false, err
	}
	rw := s.newRewriter(fset)
	var out []*decl
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			return nil, false, nil
		}
		fd, isFunc := d.(*ast.FuncDecl)
		if isFunc && fd.Recv == nil && (fd.Name.Name == "main" || fd.Name.Name == "init") {
			return nil, false, &errUnsupported{"declaring func " + fd.Name.Name + " at the prompt",
				"statements typed directly (or :load for a file with func main)"}
		}
		origs := newDecls(fset, d, u, "")
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			if s.noteImported(g) {
				continue
			}
		} else {
			rw.rewrite(d)
		}
		for k, e := range newDecls(fset, d, u, "") {
			e.orig = origs[k].src
			s.declID++
			e.id = s.declID
			if isFunc {
				// Its statements record their lines, so that an error
				// inside it names the line (lines.go).
				base := s.addSource("", u.Src, 2, fset, []ast.Decl{d})
				e.src = instrumentLines(e.src, false, fset, []ast.Node{d}, e.mark(), base)
			}
			out = append(out, e)
		}
	}
	return out, len(out) > 0 || len(f.Decls) > 0, nil
}

// step is one piece of code handed to yaegi.
type step struct {
	src    string
	expr   string   // for an expression: the expression (printed form)
	isCall bool     //
	recv   string   // for a method call on a variable: the variable, "x" or "m.fc1"
	define []string // for a definition: the names it defines (define.go)
	// funcLit: a definition whose values are function literals or
	// functions of the session, evaluated again after a rebuild.
	funcLit bool
}

func (s *Session) evalUnit(ctx context.Context, u Unit, name string) error {
	steps, su, err := s.prepare(u)
	if err != nil {
		return s.report(u, name, err)
	}
	s.resetLine()
	// A statement that fails changes no variable (what it changed inside a
	// value, such as a tensor's elements, stays changed); one that is
	// interrupted keeps what it did until then: a training loop stopped
	// with Ctrl-C keeps its step count and losses. A definition binds its
	// names only when it succeeds (define.go).
	var before map[string]reflect.Value
	if len(steps) > 1 || len(steps) == 1 && steps[0].define == nil {
		before = s.snapshot()
	}
	for _, st := range steps {
		printed, err := s.run(ctx, st)
		if err != nil {
			if s.explain(err).Msg != "interrupted" {
				s.restore(before)
			}
			return s.report(u, name, err)
		}
		su.printed = su.printed || printed
	}
	for _, n := range su.assigned {
		delete(s.funcDefs, n)
	}
	s.saved = append(s.saved, su)
	return nil
}

// snapshot returns the values of the user's global variables.
func (s *Session) snapshot() map[string]reflect.Value {
	snap := map[string]reflect.Value{}
	for n, v := range s.globals() {
		if strings.HasPrefix(n, "_") || !v.IsValid() || !v.CanSet() {
			continue
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		snap[n] = c
	}
	return snap
}

// restore gives the global variables of a snapshot their values again.
func (s *Session) restore(snap map[string]reflect.Value) {
	for n, v := range s.globals() {
		if old, ok := snap[n]; ok && v.CanSet() && v.Type() == old.Type() {
			v.Set(old)
		}
	}
}

// internalError is a panic of dbr-repl's own code.
type internalError struct {
	value any
	stack []byte
}

func (e *internalError) Error() string { return fmt.Sprintf("internal error in dbr-repl: %v", e.value) }

// errUnsupported is a construct dbr-repl cannot evaluate, with what to use instead.
type errUnsupported struct{ what, instead string }

func (e *errUnsupported) Error() string {
	return "not supported in dbr-repl: " + e.what + "; use " + e.instead + " instead"
}

// prepare parses and rewrites a unit into the steps that evaluate it.
func (s *Session) prepare(u Unit) ([]step, savedUnit, error) {
	su := savedUnit{src: u.Src}
	fset := token.NewFileSet()
	rw := s.newRewriter(fset)
	if isDecl(u.Src) {
		// Only var declarations get here (declUnit takes the others).
		f, err := parser.ParseFile(fset, "", "package main\n"+u.Src, 0)
		if err == nil && len(f.Decls) > 0 {
			su.decl = true
			if err := s.refuse(f); err != nil {
				return nil, su, err
			}
			var steps []step
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					return nil, su, fmt.Errorf("syntax error: a var declaration mixed with other declarations")
				}
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					rw.rewrite(vs)
					names := renameDefine(vs)
					d := defineStep(names, "var "+render(fset, vs))
					d.funcLit = len(vs.Names) == len(vs.Values) && s.isFuncValue(vs.Values)
					steps = append(steps, d)
				}
			}
			return steps, su, nil
		}
		if !strings.HasPrefix(u.Src, "func") {
			return nil, su, syntaxError(err, 1)
		}
	}
	f, err := parser.ParseFile(fset, "", "package main\nfunc _() {\n"+u.Src+"\n}", 0)
	if err != nil {
		// A list of expressions, `a, b`, prints all their values.
		if x, err2 := parser.ParseExprFrom(fset, "", "_dbr.Result("+u.Src+",\n)", 0); err2 == nil {
			if call, ok := x.(*ast.CallExpr); ok && len(call.Args) > 1 && call.Ellipsis == token.NoPos {
				if err := s.refuse(call); err != nil {
					return nil, su, err
				}
				rw.rewrite(&ast.ExprStmt{X: call})
				su.printed = true
				return []step{{src: "(func() { " + render(fset, call) + " })()"}}, su, nil
			}
		}
		return nil, su, endOfInput(syntaxError(err, 2), u.Src)
	}
	if err := s.refuse(f); err != nil {
		return nil, su, err
	}
	if err := s.callMain(f); err != nil {
		return nil, su, err
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	ast.Inspect(f, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok && a.Tok != token.DEFINE {
			for _, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					su.assigned = append(su.assigned, id.Name)
				}
			}
		}
		return true
	})
	if len(body) != 1 {
		return []step{{src: wrap(render(fset, rewriteAll(rw, body)))}}, su, nil
	}
	switch st := body[0].(type) {
	case *ast.ExprStmt:
		x := rw.rewrite(st).(*ast.ExprStmt).X
		e := render(fset, x)
		call, isCall := ast.Unparen(x).(*ast.CallExpr)
		if isCall && isPrintCall(call) {
			return []step{{src: wrap(e)}}, su, nil
		}
		one := step{src: "(func() { _dbr.Result(" + e + ") })()", expr: e, isCall: isCall}
		if isCall {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				one.recv = selectorChain(sel.X)
			}
		}
		return []step{one}, su, nil
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE {
			for _, l := range st.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
					su.defines = append(su.defines, id.Name)
				}
			}
			rw.rewrite(st)
			names := renameDefine(st)
			d := defineStep(names, render(fset, st))
			d.funcLit = len(st.Lhs) == len(st.Rhs) && s.isFuncValue(st.Rhs)
			return []step{d}, su, nil
		}
	}
	return []step{{src: wrap(render(fset, rw.rewrite(body[0])))}}, su, nil
}

func (s *Session) newRewriter(fset *token.FileSet) *rewriter {
	rw := newRewriter(fset, s.globalInt, s.declared)
	rw.funcType = func(e ast.Expr) string { return s.funcType(fset, e) }
	rw.variadic = s.variadicIface
	return rw
}

// variadicIface reports whether pkg.fn is a compiled function whose variadic
// parameter is a non-empty interface, with its number of fixed parameters
// and the element type as the user writes it.
func (s *Session) variadicIface(pkg, fn string) (int, string, bool) {
	if s.isGlobal(pkg) {
		return 0, "", false
	}
	v, ok := s.pkgSyms[pkg][fn]
	if !ok || v.Kind() != reflect.Func {
		return 0, "", false
	}
	t := v.Type()
	if !t.IsVariadic() {
		return 0, "", false
	}
	elem := t.In(t.NumIn() - 1).Elem()
	if elem.Kind() != reflect.Interface || elem.NumMethod() == 0 || elem.Name() == "" || elem.PkgPath() == "" {
		return 0, "", false
	}
	return t.NumIn() - 1, path.Base(elem.PkgPath()) + "." + elem.Name(), true
}

// Use adds compiled packages to the session, as yaegi's Use does; code
// imports them by path.
func (s *Session) Use(exports interp.Exports) error {
	if err := s.in.Use(exports); err != nil {
		return err
	}
	s.used = append(s.used, exports)
	s.addSyms(exports)
	return nil
}

func (s *Session) addSyms(exports interp.Exports) {
	for k, syms := range exports {
		name := path.Base(k)
		if s.pkgSyms[name] == nil {
			s.pkgSyms[name] = map[string]reflect.Value{}
		}
		for n, v := range syms {
			s.pkgSyms[name][n] = v
		}
	}
}

func rewriteAll(rw *rewriter, list []ast.Stmt) []ast.Stmt {
	b := &ast.BlockStmt{List: list}
	rw.rewrite(b)
	return b.List
}

// wrap makes statements run inside a function literal, so that yaegi frees
// their temporaries and their variables stay local. It starts with '(' since
// yaegi would take `func(){...}()` for a declaration of main.
func wrap(src string) string {
	return "(func() {\n" + src + "\n})()"
}

// run hands one step to yaegi and prints the value of an expression. It
// reports whether something was printed.
func (s *Session) run(ctx context.Context, st step) (printed bool, err error) {
	if st.define != nil {
		return false, s.runDefine(ctx, st)
	}
	s.results, s.resultOK = nil, false
	err = s.exec(ctx, st.src)
	if err != nil && st.isCall && isCompileError(err) {
		// A call of a function without results cannot be an argument of
		// _dbr.Result: evaluate it as a statement (which also gives the
		// plain error of a call that is wrong).
		err = s.exec(ctx, wrap(st.expr))
	}
	if err != nil || !s.resultOK {
		return false, err
	}
	vals := s.results
	s.results = nil
	if st.isCall && allNil(vals) || s.quiet {
		return false, nil
	}
	if len(vals) == 1 && st.recv != "" && s.isReceiver(st.recv, vals[0]) {
		// A setter that returns its receiver, x.SetRequiresGrad(true):
		// the variable did not change, its value is not news.
		return false, nil
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		if str, ok := s.userString(ctx, v); ok {
			parts[i] = str
			continue
		}
		parts[i] = s.Format(v)
	}
	text := strings.Join(parts, " ")
	if s.opt.Result != nil {
		s.flush()
		s.opt.Result(vals, text)
		return true, nil
	}
	fmt.Fprintln(s.opt.Stdout, text)
	return true, nil
}

// userString calls the String method of a value of a type declared in the
// session (compiled code, fmt included, cannot see interpreted methods).
func (s *Session) userString(ctx context.Context, v any) (string, bool) {
	t := reflect.TypeOf(v)
	if t == nil {
		return "", false
	}
	name := s.TypeName(t)
	if !s.methods[strings.TrimPrefix(name, "*")]["String"] {
		return "", false
	}
	slot, ok := s.globals()["_dbrLast"]
	if !ok || !slot.CanSet() {
		return "", false
	}
	slot.Set(reflect.ValueOf(&v).Elem())
	defer slot.Set(reflect.Zero(slot.Type()))
	s.results, s.resultOK = nil, false
	if err := s.exec(ctx, "(func() { _dbr.Result(_dbrLast.("+name+").String()) })()"); err != nil || !s.resultOK || len(s.results) != 1 {
		return "", false
	}
	str, ok := s.results[0].(string)
	s.results = nil
	return str, ok
}

// exec compiles and runs src, recovering every panic of yaegi itself.
func (s *Session) exec(ctx context.Context, src string) error {
	mark := markCompile(s.in, src)
	prog, err := s.compile(src)
	if err != nil {
		return err
	}
	err = s.execProgram(ctx, prog)
	s.forget(mark)
	return err
}

// compile compiles src, recovering every panic of yaegi itself.
func (s *Session) compile(src string) (prog *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = interp.Panic{Value: r, Stack: stack()}
		}
	}()
	return s.in.Compile(src)
}

// execProgram runs a compiled program, recovering every panic of yaegi
// itself.
func (s *Session) execProgram(ctx context.Context, prog *interp.Program) (err error) {
	engine.ClearInterrupt()
	s.trace.Reset()
	ctx, stop := context.WithCancelCause(ctx)
	cancel := func() { stop(context.Canceled) }
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	restore := s.useOutput()
	if s.anomaly && !inspect.AnomalyEnabled() {
		// Anomaly mode is the engine's, for the whole process: on while
		// this session's code runs.
		inspect.DetectAnomaly(true)
		defer inspect.DetectAnomaly(false)
	}
	defer func() {
		restore()
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel()
		if r := recover(); r != nil {
			err = interp.Panic{Value: r, Stack: stack()}
		}
	}()
	end := s.watch(func(cause error) {
		engine.Interrupt()
		stop(cause)
	})
	err = s.execute(ctx, prog)
	end()
	if st := s.overflow.Swap(nil); st != nil {
		s.overflowed.Delete(st.id)
		return st.err
	}
	var stall *stallError
	if errors.Is(err, context.Canceled) && errors.As(context.Cause(ctx), &stall) {
		return stall
	}
	return err
}

// runGoroutine runs the function of a go statement of the session's code
// (the helper _dbr.Go, which rewrite.go's fixGo calls), reporting its panic,
// or the recursion that stopped it (depth.go), instead of letting it end the
// process.
func (s *Session) runGoroutine(f func(), started func(uint64) func()) {
	if started != nil {
		defer started(goroutineID())()
	}
	finished := false
	defer func() {
		r := recover()
		if r == nil && !finished {
			r, _ = s.overflowed.LoadAndDelete(goroutineID())
		}
		if r != nil {
			fmt.Fprintf(s.opt.Stderr, "error in goroutine: %s\n", panicMessage(r))
		}
	}()
	f()
	finished = true
}

// goroutineID returns the calling goroutine's id, from the header of its
// stack trace ("goroutine 123 [running]:"), as the runtime prints it in a
// fatal error.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	var id uint64
	for _, c := range bytes.TrimPrefix(b, []byte("goroutine ")) {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

func stack() []byte {
	b := make([]byte, 16<<10)
	return b[:runtime.Stack(b, false)]
}

func isCompileError(err error) bool {
	var p interp.Panic
	return !errors.As(err, &p) && !errors.Is(err, context.Canceled)
}

func allNil(vals []any) bool {
	for _, v := range vals {
		if v != nil {
			return false
		}
	}
	return true
}

// isPrintCall reports whether c calls fmt.Print*, fmt.Fprint* or the print
// builtins, whose results (a byte count) are not worth printing.
func isPrintCall(c *ast.CallExpr) bool {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name == "print" || f.Name == "println"
	case *ast.SelectorExpr:
		if p, ok := f.X.(*ast.Ident); ok && p.Name == "fmt" {
			return strings.HasPrefix(f.Sel.Name, "Print") || strings.HasPrefix(f.Sel.Name, "Fprint")
		}
	}
	return false
}

// isDecl reports whether src starts like a declaration.
func isDecl(src string) bool {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := s.Scan()
	switch tok {
	case token.IMPORT, token.TYPE, token.VAR, token.CONST, token.FUNC:
		return true
	}
	return false
}

var posPrefix = regexp.MustCompile(`^(?:_\.go:)?\d+:\d+: `)

// syntaxError turns a parse error into one line; skip is the number of lines
// added before the user's text.
func syntaxError(err error, skip int) error {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		e := list[0]
		line := e.Pos.Line - skip
		if line < 1 {
			line = 1
		}
		return fmt.Errorf("syntax error: %s (line %d)", e.Msg, line)
	}
	return err
}

// endOfInput rewords a syntax error found after the end of src (at the
// closing brace dbr-repl wraps statements in): the input stopped early.
func endOfInput(err error, src string) error {
	var line int
	if _, e := fmt.Sscanf(err.Error()[strings.LastIndex(err.Error(), "(line "):], "(line %d)", &line); e != nil {
		return err
	}
	if line > strings.Count(strings.TrimRight(src, "\n"), "\n")+1 {
		return errors.New("syntax error: unexpected end of input (an unclosed bracket, or an operator or comma at the end?)")
	}
	return err
}

// globalInt reports whether the global name, or the field chain name.f.g,
// holds an integer.
func (s *Session) globalInt(name string) bool {
	parts := strings.Split(name, ".")
	v, ok := s.globals()[parts[0]]
	if !ok || !v.IsValid() {
		return false
	}
	for _, f := range parts[1:] {
		for (v.Kind() == reflect.Ptr || v.Kind() == reflect.Interface) && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return false
		}
		if v = v.FieldByName(f); !v.IsValid() {
			return false
		}
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// declared reports whether the user declared a function or type name.
func (s *Session) declared(name string) bool { return s.funcs[name] || s.types[name] }

// globals returns the session's global variables and constants.
func (s *Session) globals() (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = nil
		}
	}()
	return s.in.Globals()
}

// Vars returns the user's global variables, sorted by name.
func (s *Session) Vars() []string {
	var names []string
	for n := range s.globals() {
		if !strings.HasPrefix(n, "_") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Global returns the value of the user's global variable name.
func (s *Session) Global(name string) (reflect.Value, bool) {
	v, ok := s.globals()[name]
	return v, ok
}

// Value evaluates the expression src and returns its values, printing
// nothing.
func (s *Session) Value(ctx context.Context, src string) ([]any, error) {
	if _, err := parser.ParseExpr(src); err != nil {
		return nil, syntaxError(err, 0)
	}
	s.results, s.resultOK = nil, false
	if err := s.exec(ctx, "(func() { _dbr.Result("+src+") })()"); err != nil {
		return nil, errors.New(s.explain(err).Msg)
	}
	v := s.results
	s.results = nil
	return v, nil
}

// traceWriter keeps yaegi's interpreted panic trace ("1:25: panic: main.f(...)").
type traceWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *traceWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.b.Len() < 1<<16 {
		w.b.Write(p)
	}
	return len(p), nil
}

func (w *traceWriter) Reset() {
	w.mu.Lock()
	w.b.Reset()
	w.mu.Unlock()
}

func (w *traceWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// A LineHook runs around every input a Session evaluates with Eval or
// EvalSource: Before first, After with the input's error. Commands in other
// packages' files (:trace in commands_inspect.go) use them.
type LineHook struct {
	Before func(s *Session)
	After  func(s *Session, err error)
}

// AddLineHook adds h to the session.
func (s *Session) AddLineHook(h LineHook) { s.lineHooks = append(s.lineHooks, h) }

func runLineHooks(s *Session, before bool, err error) {
	for _, h := range append([]LineHook(nil), s.lineHooks...) {
		if before && h.Before != nil {
			h.Before(s)
		}
		if !before && h.After != nil {
			h.After(s, err)
		}
	}
}
