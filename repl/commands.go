package repl

import (
	"context"
	"errors"
	"fmt"
	"go/constant"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
)

// A Command is a `:name` command of the REPL. Every Session starts with the
// commands that packages register with RegisterCommand in an init function
// (see commands_inspect.go); Session.AddCommand adds one to one session.
type Command struct {
	Name string // without the colon, e.g. "vars"
	Args string // how the arguments look in help, e.g. "EXPR"; empty for none
	Help string // one line
	Run  func(ctx context.Context, s *Session, args string) error
}

var (
	cmdMu           sync.Mutex
	defaultCommands = map[string]Command{}
)

// RegisterCommand adds (or replaces) a command of every Session made after
// it. Call it from an init function; for one session, use AddCommand.
func RegisterCommand(c Command) {
	cmdMu.Lock()
	defer cmdMu.Unlock()
	defaultCommands[c.Name] = c
}

// newCommands returns a copy of the registered commands, for a new Session.
func newCommands() map[string]Command {
	cmdMu.Lock()
	defer cmdMu.Unlock()
	cs := make(map[string]Command, len(defaultCommands))
	for n, c := range defaultCommands {
		cs[n] = c
	}
	return cs
}

// AddCommand adds (or replaces) a command of this session only.
func (s *Session) AddCommand(c Command) { s.commands[c.Name] = c }

// Commands returns the session's commands, sorted by name.
func (s *Session) Commands() []Command {
	cs := make([]Command, 0, len(s.commands))
	for _, c := range s.commands {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// IsCommand reports whether a line of input is a `:` command.
func IsCommand(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) > 1 && t[0] == ':' && t[1] >= 'a' && t[1] <= 'z'
}

// RunCommand runs a `:name args` line. Errors are printed and returned.
func (s *Session) RunCommand(ctx context.Context, line string) error {
	defer s.useOutput()()
	name, args, _ := strings.Cut(strings.TrimSpace(line)[1:], " ")
	args = strings.TrimSpace(args)
	c, ok := s.commands[name]
	if !ok {
		var names []string
		for _, c := range s.Commands() {
			names = append(names, c.Name)
		}
		err := fmt.Errorf("unknown command :%s (try :help)", name)
		if c := closest(name, names); c != "" {
			err = fmt.Errorf("unknown command :%s; did you mean :%s?", name, c)
		}
		s.showError(&Error{Msg: err.Error(), Where: strings.TrimSpace(line)}, fmt.Sprintf("error: %v\n", err))
		return err
	}
	err := runCommand(ctx, c, s, args)
	if err != nil {
		if _, printed := err.(*Error); !printed {
			s.showError(&Error{Msg: err.Error(), Where: strings.TrimSpace(line)}, fmt.Sprintf("error: %v\n", err))
		}
	}
	return err
}

// runCommand runs c, turning a panic into an error.
func runCommand(ctx context.Context, c Command, s *Session, args string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf(":%s failed: %s", c.Name, panicMessage(r))
		}
	}()
	return c.Run(ctx, s, args)
}

// Imported says which packages a session imports without an import line;
// the banner, :help and the README say it in these words.
const Imported = "engine, nn, inspect and the standard library (fmt, math, rand = math/rand, strings, time, …)"

const guide = `Already imported: ` + Imported + `
Packages:
  engine   tensors and autograd: engine.Randn(2, 3), x.MatMul(w), y.Sum().Backward(), w.Grad()
  nn       layers, losses, optimizers: nn.NewLinear(784, 10), nn.NewSGD(params, 0.1, nn.SGDOpts{})
  inspect  shapes, stats, gradients and graphs of tensors
  the standard library is that of Go 1.22 (no min, max, clear, slices.Max or range over an int)
Type Go: a bare expression prints its value; x := ... defines a variable.
Unfinished input (open bracket, trailing operator) continues on the next line;
two empty lines force evaluation. Ctrl-C stops a running loop, Ctrl-D exits.`

func init() {
	RegisterCommand(Command{Name: "help", Help: "list the commands and a short guide to the packages",
		Run: func(_ context.Context, s *Session, _ string) error {
			w := s.opt.Stdout
			fmt.Fprintln(w, "Commands:")
			cs := s.Commands()
			names := make([]string, len(cs))
			width := 0
			for i, c := range cs {
				names[i] = ":" + c.Name
				if c.Args != "" {
					names[i] += " " + c.Args
				}
				width = max(width, len(names[i]))
			}
			for i, c := range cs {
				fmt.Fprintf(w, "  %-*s  %s\n", width, names[i], c.Help)
			}
			fmt.Fprintln(w, guide)
			return nil
		}})
	RegisterCommand(Command{Name: "quit", Help: "leave dbr-repl (or Ctrl-D)",
		Run: func(_ context.Context, s *Session, _ string) error { s.Quit(); return nil }})
	RegisterCommand(Command{Name: "reset", Help: "forget every variable, function and type",
		Run: func(_ context.Context, s *Session, _ string) error { return s.Reset() }})
	RegisterCommand(Command{Name: "vars", Help: "list your variables (with types, and shapes of tensors), functions and types",
		Run: func(_ context.Context, s *Session, _ string) error {
			s.listVars()
			return nil
		}})
	RegisterCommand(Command{Name: "type", Args: "EXPR", Help: "print the type of an expression",
		Run: func(ctx context.Context, s *Session, args string) error {
			if args == "" {
				return errors.New(":type needs an expression, e.g. :type x.Sum()")
			}
			vals, err := s.Value(ctx, args)
			if err != nil {
				return err
			}
			static := s.staticTypes(args, len(vals))
			names := make([]string, len(vals))
			for i, v := range vals {
				dynamic := s.TypeName(reflect.TypeOf(v))
				switch {
				case static[i].src == "":
					names[i] = dynamic
				case static[i].iface && v != nil:
					names[i] = static[i].src + " (" + dynamic + ")"
				default:
					names[i] = static[i].src
				}
			}
			fmt.Fprintln(s.opt.Stdout, strings.Join(names, ", "))
			return nil
		}})
	RegisterCommand(Command{Name: "time", Args: "STMT", Help: "run a statement and print how long it took (not its value)",
		Run: func(ctx context.Context, s *Session, args string) error {
			if args == "" {
				return errors.New(":time needs a statement, e.g. :time y := x.MatMul(x)")
			}
			start := time.Now()
			err := s.evalQuiet(ctx, args)
			fmt.Fprintf(s.opt.Stdout, "time: %v\n", time.Since(start).Round(time.Microsecond))
			return err
		}})
	RegisterCommand(Command{Name: "doc", Args: "NAME", Help: "show the documentation of a dbr function, type or method",
		Run: func(_ context.Context, s *Session, args string) error {
			if args == "" {
				return errors.New(":doc needs a name, e.g. :doc engine.Zeros or :doc x.MatMul")
			}
			d, err := Doc(s.docName(args))
			if err != nil {
				return err
			}
			fmt.Fprintln(s.opt.Stdout, d)
			return nil
		}})
	RegisterCommand(Command{Name: "load", Args: "[-i] FILE", Help: "run a .go file in this session (its globals stay; -i: main's variables too); main() runs it again",
		Run: func(ctx context.Context, s *Session, args string) error {
			if f, ok := strings.CutPrefix(args, "-i "); ok {
				return s.LoadFileKeep(ctx, strings.TrimSpace(f))
			}
			if args == "" {
				return errors.New(":load needs a file, e.g. :load train.go (or :load -i train.go to keep main's variables)")
			}
			return s.LoadFile(ctx, args)
		}})
	RegisterCommand(Command{Name: "save", Args: "FILE", Help: "write what you typed (what worked) as a runnable .go file, with a go.mod beside it",
		Run: func(_ context.Context, s *Session, args string) error {
			if args == "" {
				return fmt.Errorf(":save needs a file name")
			}
			src, err := s.SaveSource()
			if err != nil {
				return err
			}
			if err := os.WriteFile(args, src, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(s.opt.Stdout, "saved %s\n", args)
			note, err := saveGoMod(args)
			if err != nil {
				return fmt.Errorf(":save: the program is saved, its go.mod is not: %v", err)
			}
			if note != "" {
				fmt.Fprintln(s.opt.Stdout, note)
			}
			return nil
		}})
	RegisterCommand(Command{Name: "stack", Args: "[all]", Help: "where the last panic happened: your code, then dbr's functions (all: the whole Go stack)",
		Run: func(_ context.Context, s *Session, args string) error {
			switch {
			case args != "" && args != "all":
				return fmt.Errorf(":stack takes nothing or all")
			case s.lastErr == nil:
				fmt.Fprintln(s.opt.Stdout, "no error yet")
			case s.lastStack == "":
				fmt.Fprintf(s.opt.Stdout, "the last error (%s) was found before anything ran: it has no stack\n", s.lastErr.Msg)
			case args == "all":
				fmt.Fprintln(s.opt.Stdout, s.lastStack)
			default:
				fmt.Fprint(s.opt.Stdout, userStack(s.lastErr))
			}
			return nil
		}})
}

// docName turns "x.MatMul", for a variable x, into "engine.Tensor.MatMul".
func (s *Session) docName(name string) string {
	first, rest, ok := strings.Cut(strings.TrimSpace(name), ".")
	if !ok {
		return name
	}
	v, isVar := s.Global(first)
	if !isVar || !v.IsValid() {
		return name
	}
	t := v.Type()
	if t.Kind() == reflect.Interface && !v.IsNil() {
		t = v.Elem().Type()
	}
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Name() == "" || t.PkgPath() == "" {
		return name
	}
	return path.Base(t.PkgPath()) + "." + t.Name() + "." + rest
}

// listVars prints the user's variables, functions and types.
func (s *Session) listVars() {
	w := s.opt.Stdout
	vars := s.Vars()
	syms := mainSymbols(s.in)
	for _, n := range vars {
		v, _ := s.Global(n)
		fmt.Fprintf(w, "%s %s\n", n, s.describe(v, syms[n].src))
	}
	funcs := sortedKeys(s.funcs)
	for _, n := range funcs {
		sig := strings.TrimPrefix(s.funcTypes[n], "func")
		if sig == "" {
			sig = "[…](…) (generic)"
		}
		fmt.Fprintf(w, "func %s%s\n", n, sig)
	}
	types := sortedKeys(s.types)
	for _, n := range types {
		def := s.typeDefs[n]
		if strings.HasPrefix(def, "struct") {
			def = "struct"
			if fs := s.fieldNamesOf(n); len(fs) > 0 {
				def += " {" + strings.Join(fs, ", ") + "}"
			}
		}
		line := "type " + n + " " + def
		if ms := sortedKeys(s.methods[n]); len(ms) > 0 {
			line += "; methods " + strings.Join(ms, ", ")
		}
		fmt.Fprintln(w, line)
	}
	if len(vars)+len(funcs)+len(types) == 0 {
		fmt.Fprintln(w, "no variables, functions or types yet (x := engine.Randn(2, 3) makes one)")
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok && !strings.HasPrefix(k, "_") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// describe says what a variable holds: its type, and a tensor's shape.
func (s *Session) describe(v reflect.Value, static string) string {
	if !v.IsValid() {
		return "<invalid>"
	}
	if v.CanInterface() {
		if c, ok := v.Interface().(constant.Value); ok {
			return "constant " + c.ExactString()
		}
	}
	t := static
	if t == "" {
		t = s.TypeName(v.Type())
	}
	if v.Kind() == reflect.Interface && !v.IsNil() {
		t += " (" + s.TypeName(v.Elem().Type()) + ")"
	}
	if embedsMethods(v.Type()) {
		return t
	}
	if m := v.MethodByName("Shape"); m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() == 1 &&
		!(v.Kind() == reflect.Ptr && v.IsNil()) {
		out := m.Call(nil)[0]
		if out.Kind() == reflect.Slice {
			t += fmt.Sprintf(" shape %v", out.Interface())
		}
	}
	return t
}
