package repl

import (
	"context"
	"fmt"
	"go/parser"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
)

// The inspect commands. Most of them rewrite themselves into a call of an
// inspect function evaluated in the session, so that they work on the
// user's own types (an interpreted module is an nn.Module only when yaegi
// passes it to compiled code).

// traceState is :trace on for one session: the snapshot of its tensor
// variables taken before the input being evaluated.
type traceState struct {
	depth int
	snap  *inspect.VarSnapshot
}

// sessionVars returns the session's global variables by name.
func sessionVars(s *Session) map[string]any {
	vars := map[string]any{}
	for _, n := range s.Vars() {
		if v, ok := s.Global(n); ok && v.IsValid() && v.CanInterface() {
			vars[n] = v.Interface()
		}
	}
	return vars
}

func traceBefore(s *Session) {
	st := s.traceVars
	if st == nil {
		return
	}
	st.depth++
	if st.depth == 1 {
		st.snap = inspect.Snapshot(sessionVars(s))
	}
}

func traceAfter(s *Session, _ error) {
	st := s.traceVars
	if st == nil || st.depth == 0 {
		return
	}
	st.depth--
	if st.depth == 0 && st.snap != nil {
		if c := st.snap.Changes(sessionVars(s)).String(); c != "" {
			fmt.Fprintln(s.Stdout(), c)
		}
		st.snap = nil
	}
}

func init() {
	RegisterCommand(Command{Name: "trace", Args: "on|off", Help: "after each input, list the tensors it created or changed",
		Run: func(_ context.Context, s *Session, args string) error {
			switch args {
			case "on":
				if s.traceVars == nil {
					s.traceVars = &traceState{}
					if !s.traceHooked {
						s.AddLineHook(LineHook{Before: traceBefore, After: traceAfter})
						s.traceHooked = true
					}
				}
			case "off":
				s.traceVars = nil
			case "":
			default:
				return fmt.Errorf(":trace takes on or off (use :ops STMT for the ops of one statement)")
			}
			state := "off"
			if s.traceVars != nil {
				state = "on"
			}
			fmt.Fprintf(s.Stdout(), "trace %s\n", state)
			return nil
		}})
	RegisterCommand(Command{Name: "stats", Args: "X...", Help: "min, max, mean, std, zeros, NaN, Inf of tensors (:stats x w.Grad()), a []*engine.Tensor or a module's parameters",
		Run: func(ctx context.Context, s *Session, args string) error {
			if args == "" {
				return fmt.Errorf(":stats needs a tensor, a list of tensors or a module, e.g. :stats x")
			}
			if exprs := splitExprs(args); len(exprs) > 1 {
				return s.statsOf(ctx, exprs)
			}
			v, err := s.oneValue(ctx, "stats", ":stats x", args)
			if err != nil {
				return err
			}
			switch v.(type) {
			case *engine.Tensor:
				return s.statsOf(ctx, []string{args})
			case []*engine.Tensor:
				return s.Eval(ctx, "inspect.StatsOf("+args+")")
			}
			if err := s.checkArgs(ctx, "stats", ":stats x", []string{args}, []argKind{moduleArg}); err != nil {
				return fmt.Errorf(":stats needs a tensor, a []*engine.Tensor or a model, e.g. :stats x; %s is %s", args, s.argMismatch(v, moduleArg))
			}
			return s.Eval(ctx, "inspect.ParamStats("+args+")")
		}})
	RegisterCommand(Command{Name: "summary", Args: "M SHAPE", Help: "each layer's output shape and parameters, from a forward pass (:summary m 64 784)",
		Run: func(ctx context.Context, s *Session, args string) error {
			f := strings.Fields(args)
			if len(f) < 2 {
				return fmt.Errorf(":summary needs a model and an input shape, e.g. :summary m 64 784")
			}
			if err := s.checkArgs(ctx, "summary", ":summary m 64 784", f[:1], []argKind{moduleArg}); err != nil {
				return err
			}
			for _, d := range f[1:] {
				if n, err := strconv.Atoi(d); err != nil || n < 0 {
					return fmt.Errorf(":summary: %q is not a dimension size; write the shape as numbers, e.g. :summary m 64 784", d)
				}
			}
			return s.Eval(ctx, "inspect.Summary("+f[0]+", "+strings.Join(f[1:], ", ")+")")
		}})
	RegisterCommand(Command{Name: "grads", Args: "M [LOSS]", Help: "gradient flow per parameter after Backward: norm, ratio, zeros, NaN/Inf, flags",
		Run: func(ctx context.Context, s *Session, args string) error {
			f := strings.Fields(args)
			switch len(f) {
			case 1:
				if err := s.checkArgs(ctx, "grads", ":grads m loss", f, []argKind{moduleArg}); err != nil {
					return err
				}
				return s.Eval(ctx, "inspect.Grads("+f[0]+")")
			case 2:
				if err := s.checkArgs(ctx, "grads", ":grads m loss", f, []argKind{moduleArg, tensorArg}); err != nil {
					return err
				}
				return s.Eval(ctx, "inspect.GradsFrom("+f[1]+", "+f[0]+")")
			}
			return fmt.Errorf(":grads needs a model and optionally the loss, e.g. :grads m loss")
		}})
	RegisterCommand(Command{Name: "why", Args: "LOSS T", Help: "why no gradient reaches T from LOSS: where the path breaks",
		Run: func(ctx context.Context, s *Session, args string) error {
			f := strings.Fields(args)
			if len(f) != 2 {
				return fmt.Errorf(":why needs the loss and the tensor with no gradient, e.g. :why loss w")
			}
			if err := s.checkArgs(ctx, "why", ":why loss w", f, []argKind{tensorArg, tensorArg}); err != nil {
				return err
			}
			return s.Eval(ctx, "inspect.WhyNoGrad("+f[0]+", "+f[1]+")")
		}})
	RegisterCommand(Command{Name: "graph", Args: "T [M] [FILE]", Help: "draw the graph behind T (names from module M); FILE.png/.svg/.dot saves it",
		Run: func(ctx context.Context, s *Session, args string) error {
			f := strings.Fields(args)
			if len(f) == 0 || len(f) > 3 {
				return fmt.Errorf(":graph needs a tensor, e.g. :graph loss, :graph loss model or :graph loss model graph.png")
			}
			file := ""
			if last := f[len(f)-1]; len(f) > 1 && strings.Contains(last, ".") && !strings.ContainsAny(last, "()") {
				switch strings.ToLower(filepath.Ext(last)) {
				case ".png", ".svg", ".pdf", ".dot", ".gv":
					file, f = last, f[:len(f)-1]
				}
			}
			kinds := []argKind{tensorArg, moduleArg}
			if err := s.checkArgs(ctx, "graph", ":graph loss model", f, kinds[:min(len(f), 2)]); err != nil {
				return err
			}
			var call string
			switch {
			case file == "" && len(f) == 1:
				call = "inspect.Graph(" + f[0] + ")"
			case file == "" && len(f) == 2:
				call = "inspect.GraphWith(" + f[0] + ", " + f[1] + ")"
			case len(f) == 1:
				call = "inspect.SaveGraph(" + strconv.Quote(file) + ", " + f[0] + ")"
			case len(f) == 2:
				call = "inspect.SaveGraphWith(" + strconv.Quote(file) + ", " + f[0] + ", " + f[1] + ")"
			default:
				return fmt.Errorf(":graph: %q is not a .png, .svg, .pdf or .dot file", f[len(f)-1])
			}
			if file == "" {
				return s.Eval(ctx, call)
			}
			vals, err := s.Value(ctx, call)
			if err != nil {
				return err
			}
			if len(vals) == 1 && vals[0] != nil {
				return vals[0].(error)
			}
			fmt.Fprintf(s.Stdout(), "wrote %s\n", file)
			return nil
		}})
	RegisterCommand(Command{Name: "anomaly", Args: "on|off", Help: "stop at the first op that makes NaN or Inf, forward or backward",
		Run: func(_ context.Context, s *Session, args string) error {
			switch args {
			case "on", "off":
				s.anomaly = args == "on"
			case "":
			default:
				return fmt.Errorf(":anomaly takes on or off")
			}
			state := "off"
			if s.anomaly {
				state = "on (ops are slower)"
			}
			fmt.Fprintf(s.Stdout(), "anomaly mode %s\n", state)
			return nil
		}})
	RegisterCommand(Command{Name: "ops", Args: "STMT", Help: "run a statement and list the ops it ran with their shapes",
		Run: func(ctx context.Context, s *Session, args string) error {
			if args == "" {
				return fmt.Errorf(":ops needs a statement, e.g. :ops y := m.Forward(x)")
			}
			var err error
			tr := inspect.TraceOps(func() { err = s.evalQuiet(ctx, args) })
			fmt.Fprintln(s.Stdout(), tr)
			return err
		}})
	RegisterCommand(Command{Name: "plot", Args: "XS", Help: "draw a []float64 (a loss history) or a tensor as a line chart",
		Run: func(ctx context.Context, s *Session, args string) error {
			if args == "" {
				return fmt.Errorf(":plot needs a []float64 or a tensor, e.g. :plot losses")
			}
			v, err := s.oneValue(ctx, "plot", ":plot losses", args)
			if err != nil {
				return err
			}
			var ys []float64
			switch v := v.(type) {
			case []float64:
				ys = v
			case *engine.Tensor:
				ys = v.Float64s()
			case []float32:
				for _, x := range v {
					ys = append(ys, float64(x))
				}
			default:
				return fmt.Errorf(":plot %s: want a []float64 or a tensor, got %s", args, s.TypeName(reflect.TypeOf(v)))
			}
			prev := inspect.SetOutput(s.Stdout())
			defer inspect.SetOutput(prev)
			inspect.Plot(ys)
			return nil
		}})
	RegisterCommand(Command{Name: "gradcheck", Args: "F X...", Help: "check F's gradients at tensors X... against finite differences",
		Run: func(ctx context.Context, s *Session, args string) error {
			f := strings.Fields(args)
			if len(f) < 2 {
				return fmt.Errorf(":gradcheck needs a function and its tensor arguments, e.g. :gradcheck f x w")
			}
			vals, err := s.Value(ctx, f[0])
			if err != nil {
				return err
			}
			ft := reflect.TypeOf(vals[0])
			tensor := reflect.TypeOf((*engine.Tensor)(nil))
			if len(vals) != 1 || ft == nil || ft.Kind() != reflect.Func || ft.NumOut() != 1 || ft.Out(0) != tensor {
				return fmt.Errorf(":gradcheck: %s must be a function returning *engine.Tensor", f[0])
			}
			ins := strings.Join(f[1:], ", ")
			if ft.NumIn() == 1 && ft.In(0) == reflect.TypeOf([]*engine.Tensor(nil)) {
				return s.Eval(ctx, "engine.GradCheck("+f[0]+", "+ins+")")
			}
			if ft.NumIn() != len(f)-1 {
				return fmt.Errorf(":gradcheck: %s takes %d arguments, got %d", f[0], ft.NumIn(), len(f)-1)
			}
			xs := make([]string, ft.NumIn())
			for i := range xs {
				if ft.In(i) != tensor {
					return fmt.Errorf(":gradcheck: argument %d of %s is not a *engine.Tensor", i+1, f[0])
				}
				xs[i] = fmt.Sprintf("xs[%d]", i)
			}
			return s.Eval(ctx, "engine.GradCheck(func(xs []*engine.Tensor) *engine.Tensor { return "+f[0]+"("+strings.Join(xs, ", ")+") }, "+ins+")")
		}})
}

// statsOf prints the statistics of the tensors exprs, one row each,
// labelled by its expression.
func (s *Session) statsOf(ctx context.Context, exprs []string) error {
	tb := &inspect.StatsTable{}
	for _, e := range exprs {
		v, err := s.oneValue(ctx, "stats", ":stats x w.Grad()", e)
		if err != nil {
			return err
		}
		if msg := s.argMismatch(v, tensorArg); msg != "" {
			return fmt.Errorf(":stats needs tensors, e.g. :stats x w.Grad(); %s is %s", e, msg)
		}
		tb.Rows = append(tb.Rows, inspect.Compute(e, v.(*engine.Tensor)))
	}
	fmt.Fprintln(s.Stdout(), tb)
	return nil
}

// splitExprs splits command arguments at the spaces outside brackets and
// quotes, when each piece is an expression: "x w.Grad()" is two, "x.Add(y, z)"
// and "a + b" are one.
func splitExprs(args string) []string {
	var parts []string
	depth, start := 0, 0
	var quote rune
	for i, r := range args {
		switch {
		case quote != 0:
			if r == quote && (quote == '`' || i == 0 || args[i-1] != '\\') {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			depth--
		case r == ' ' && depth == 0:
			if p := strings.TrimSpace(args[start:i]); p != "" {
				parts = append(parts, p)
			}
			start = i + 1
		}
	}
	if p := strings.TrimSpace(args[start:]); p != "" {
		parts = append(parts, p)
	}
	for _, p := range parts {
		if _, err := parser.ParseExpr(p); err != nil {
			return []string{args}
		}
	}
	return parts
}
