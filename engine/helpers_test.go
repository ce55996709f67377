package engine

// The engine's test helpers, all in this file: the op table's runner
// (opSpec, runOps), PyTorch references (testdata/torchref_*.json), error-case
// tables and the input generators the tables share.

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// opSpec is one row of the op table. Every op of the engine has rows in the
// ops_*_test.go file that mirrors its source file (added with addOps), and
// runOps checks each row in every way listed there.
type opSpec struct {
	name string                    // "Op/variant"; with torch, also the name of the PyTorch reference
	f    func(x []*Tensor) *Tensor // builds the op from its inputs
	// inputs are the values the op is checked at (copied, never changed);
	// nil in a torch row: the reference's inputs.
	inputs []*Tensor
	torch  bool // testdata/torchref_<family>.json has a reference of this name
	noGrad bool // the op is not differentiable: its result must not require grad
	// kinks: the inputs sit on a kink or a tie (ReLU at 0, equal maxima), where
	// finite differences are meaningless; PyTorch's gradient is the reference.
	kinks bool
}

// opFamilies is the op table: each ops_*_test.go adds the rows of the ops
// of its source file with addOps, under the family whose PyTorch references
// (testdata/torchref_<family>.json) they use, and TestOps checks them all.
var opFamilies = map[string][]func() []opSpec{}

// addOps adds rows to family; rows is called when TestOps runs (it may
// seed the generator and make random inputs).
func addOps(family string, rows func() []opSpec) bool {
	opFamilies[family] = append(opFamilies[family], rows)
	return true
}

// TestOps checks every row of the op table with runOps.
func TestOps(t *testing.T) {
	families := make([]string, 0, len(opFamilies))
	for f := range opFamilies {
		families = append(families, f)
	}
	slices.Sort(families)
	for _, f := range families {
		t.Run(f, func(t *testing.T) {
			var rows []opSpec
			for _, r := range opFamilies[f] {
				rows = append(rows, r()...)
			}
			runOps(t, f, rows)
		})
	}
}

// bigInputs is the element count above which runOps checks gradients with
// directional derivatives instead of GradCheck's element by element ones.
const bigInputs = 2048

// runOps checks every row of an op table:
//
//   - the PyTorch reference (torch rows), output and every input's gradient,
//     in float64 (1e-9) and float32 (2e-5);
//   - GradCheck in float64 (random upstream gradient, pre-filled gradients),
//     or, above bigInputs elements, a directional derivative per input;
//   - in float64 and float32, against a plain run with every input requiring
//     grad: the gradients from Grad with CreateGraph (recorded for a second
//     derivative), also with each input alone requiring grad; each input
//     alone requiring grad (the others get none), an op hook
//     installed (which turns off the buffer pool and Linear's direct .Grad
//     path), NoGrad (same values, no grad), and memory handed out without
//     zeroing poisoned with NaN (poisonUninit);
//   - the float32 run against the float64 one.
//
// Sizes that cross the pool (poolMin) and parallel chunk thresholds, and
// convolution batches larger than convParts, are rows of their own.
// Each PyTorch reference of family must be used by a torch row.
func runOps(t *testing.T, family string, specs []opSpec) {
	t.Helper()
	cases := map[string]*torchCase{}
	for _, s := range specs {
		if s.torch {
			for _, c := range loadTorchCases(t, family) {
				cases[c.Name] = &c
			}
			break
		}
	}
	used := map[string]bool{}
	for _, s := range specs {
		var c *torchCase
		if s.torch {
			if c = cases[s.name]; c == nil {
				t.Errorf("%s: no reference %q in testdata/torchref_%s.json; regenerate it", s.name, s.name, family)
				continue
			}
			used[s.name] = true
		}
		t.Run(s.name, func(t *testing.T) { checkOp(t, s, c) })
	}
	for name := range cases {
		if !used[name] {
			t.Errorf("reference %q of testdata/torchref_%s.json is checked by no row", name, family)
		}
	}
}

func checkOp(t *testing.T, s opSpec, c *torchCase) {
	xs := s.inputs
	if c != nil {
		checkTorchCase(t, s, c, Float64, 1e-9)
		checkTorchCase(t, s, c, Float32, 2e-5)
		if xs == nil {
			for _, in := range c.Inputs {
				xs = append(xs, in.tensor())
			}
		}
	}
	n := 0
	for _, x := range xs {
		n += x.Numel()
	}
	if !s.noGrad && !s.kinks {
		if n > bigInputs {
			checkDirectional(t, s.f, xs)
		} else if r := GradCheck(s.f, xs...); !r.OK {
			t.Errorf("float64 %v", r)
		} else if r.Checked == 0 {
			t.Error("GradCheck compared no elements")
		}
	}
	all := make([]bool, len(xs))
	for i := range all {
		all[i] = true
	}
	var ref64 *opRun
	for _, dt := range []DType{Float64, Float32} {
		tol := 1e-12
		if dt == Float32 {
			tol = 1e-5
		}
		second := prepareOp(xs, dt, all)
		ref := runOp(s.f, xs, dt, all)
		// the same again: the buffers the first backward gave back to the
		// pool (bufpool.go) now serve this run
		ref.compare(t, dt.String()+" on pooled buffers", second(s.f), 0)
		if ref.out.RequiresGrad() == s.noGrad {
			t.Fatalf("%v: result requires grad: %v (%s)", dt, ref.out.RequiresGrad(), ref.out.NoGradReason())
		}
		if dt == Float64 {
			ref64 = ref
		} else {
			if ref.out.DType() != Float32 {
				t.Errorf("float32 inputs gave a %v result", ref.out.DType())
			}
			// float32 against float64: a float32 rounding error per element
			// of a sum of a few thousand terms stays far below 1e-4
			ref.compare(t, "float32 vs float64", ref64, 1e-4)
		}
		var plain *Tensor
		NoGrad(func() { plain = s.f(copies(xs, dt, all)) })
		if plain.RequiresGrad() || plain.NoGradReason() != "it was computed under NoGrad" && !s.noGrad {
			t.Errorf("%v: under NoGrad the result requires grad %v (%q)", dt, plain.RequiresGrad(), plain.NoGradReason())
		}
		assertClose(t, dt.String()+" NoGrad output", plain, ref.out, 0)
		if !s.noGrad {
			run := gradRun(s.f, xs, dt, all)
			ref.compare(t, dt.String()+" Grad with CreateGraph", run, tol)
			// and those gradients can be differentiated again
			var again *Tensor
			for _, g := range run.recorded {
				if g != nil && g.RequiresGrad() {
					if u := RandnLike(g); again == nil {
						again = g.Mul(u).Sum()
					} else {
						again = again.Add(g.Mul(u).Sum())
					}
				}
			}
			if again != nil {
				if err := Try(again.Backward); err != nil {
					t.Errorf("%v: Backward through the gradients from Grad with CreateGraph: %v", dt, err)
				}
			}
		}
		if !s.noGrad && len(xs) > 1 {
			for i := range xs {
				one := make([]bool, len(xs))
				one[i] = true
				what := dt.String() + " input " + string(rune('0'+i)) + " alone"
				ref.compare(t, what, runOp(s.f, xs, dt, one), tol)
				ref.compare(t, what+", Grad with CreateGraph", gradRun(s.f, xs, dt, one), tol)
			}
		}
		remove := AddOpHook(func(OpEvent) {})
		hooked := runOp(s.f, xs, dt, all)
		remove()
		ref.compare(t, dt.String()+" with an op hook", hooked, tol)
		poisonUninit.Store(true)
		poisoned := runOp(s.f, xs, dt, all)
		poisonUninit.Store(false)
		ref.compare(t, dt.String()+" on poisoned memory", poisoned, 0)
	}
}

// opRun is one forward and backward of a row: the output and the gradient
// each input received (nil for inputs that did not require grad), as plain
// float64 slices so that reading them takes no buffer from the pool.
type opRun struct {
	out      *Tensor
	grads    [][]float64
	recorded []*Tensor // gradRun: the gradients as Grad returned them
}

// copies returns xs converted to dtype as fresh leaves, those marked in req
// requiring grad.
func copies(xs []*Tensor, dtype DType, req []bool) []*Tensor {
	cs := make([]*Tensor, len(xs))
	for i, x := range xs {
		cs[i] = x.Detach().To(dtype).clone().SetRequiresGrad(req[i])
	}
	return cs
}

// runOp runs f on copies of xs in dtype, with the inputs marked in req
// requiring grad and holding a random pre-filled gradient, and backward from
// a random upstream gradient (the same for every run of a row). The returned
// gradients are what backward added.
func runOp(f func([]*Tensor) *Tensor, xs []*Tensor, dtype DType, req []bool) *opRun {
	return prepareOp(xs, dtype, req)(f)
}

// prepareOp makes runOp's inputs and returns the function that runs f on
// them: inputs made before a run cannot take the buffers that run gives
// back to the pool.
func prepareOp(xs []*Tensor, dtype DType, req []bool) func(f func([]*Tensor) *Tensor) *opRun {
	cs := copies(xs, dtype, req)
	pre := make([]*Tensor, len(cs))
	for i, c := range cs {
		if req[i] {
			pre[i] = randNormal(rand.New(rand.NewPCG(7, uint64(i))), c.shape).To(dtype)
			c.grad = pre[i].clone()
		}
	}
	return func(f func([]*Tensor) *Tensor) *opRun {
		out := f(cs)
		run := &opRun{out: out, grads: make([][]float64, len(cs))}
		if !out.RequiresGrad() {
			return run
		}
		out.BackwardWith(randNormal(rand.New(rand.NewPCG(13, 17)), out.shape).To(dtype))
		for i, c := range cs {
			if req[i] {
				g, p := c.grad.Float64s(), pre[i].Float64s()
				for j := range g {
					g[j] -= p[j]
				}
				run.grads[i] = g
			}
		}
		return run
	}
}

// gradRun is runOp through Grad with CreateGraph instead of Backward: the
// gradients that Grad returns recorded, ready to be differentiated again,
// must be those Backward adds (an input the output does not use, nil from
// Grad, counts as zeros).
func gradRun(f func([]*Tensor) *Tensor, xs []*Tensor, dtype DType, req []bool) *opRun {
	cs := copies(xs, dtype, req)
	out := f(cs)
	run := &opRun{out: out, grads: make([][]float64, len(cs))}
	if !out.RequiresGrad() {
		return run
	}
	var ins []*Tensor
	var at []int
	for i, c := range cs {
		if req[i] {
			ins, at = append(ins, c), append(at, i)
		}
	}
	up := randNormal(rand.New(rand.NewPCG(13, 17)), out.shape).To(dtype)
	gs := Grad([]*Tensor{out}, ins, GradOpts{GradOutputs: []*Tensor{up}, CreateGraph: true, AllowUnused: true})
	run.recorded = gs
	for k, i := range at {
		if gs[k] == nil {
			run.grads[i] = make([]float64, cs[i].Numel())
			continue
		}
		run.grads[i] = gs[k].Float64s()
	}
	return run
}

// compare checks o against the reference run r: the same output and, for
// each input that requires grad in o, the same gradient, within
// tol·(1+|want|). An input that does not require grad in o must get none.
func (r *opRun) compare(t *testing.T, what string, o *opRun, tol float64) {
	t.Helper()
	assertClose(t, what+": output", o.out.To(r.out.dtype), r.out, tol)
	for i, g := range o.grads {
		switch {
		case g == nil:
		case r.grads[i] == nil:
			t.Errorf("%s: input %d got a gradient the reference has not", what, i)
		default:
			for j, w := range r.grads[i] {
				if !(math.Abs(g[j]-w) <= tol*(1+math.Abs(w))) && !(math.IsNaN(w) && math.IsNaN(g[j])) {
					t.Errorf("%s: gradient of input %d: element %d is %v, want %v", what, i, j, g[j], w)
					break
				}
			}
		}
	}
}

func randNormal(r *rand.Rand, shape []int) *Tensor {
	o := empty(Float64, shape)
	for i := range o.f64 {
		o.f64[i] = r.NormFloat64()
	}
	return o
}

// checkDirectional is GradCheck for large inputs: for each input in turn it
// compares the gradient (backward from a random upstream gradient u into a
// pre-filled Grad) along a random direction v with the central difference of
// Σ f·u along v, in float64.
func checkDirectional(t *testing.T, f func([]*Tensor) *Tensor, xs []*Tensor) {
	t.Helper()
	req := make([]bool, len(xs))
	for i := range req {
		req[i] = true
	}
	r := rand.New(rand.NewPCG(3, 5))
	cs := copies(xs, Float64, req)
	pre := make([]*Tensor, len(cs))
	for i, c := range cs {
		pre[i] = randNormal(r, c.shape)
		c.grad = pre[i].clone()
	}
	y := f(cs)
	u := randNormal(r, y.shape)
	y.BackwardWith(u)
	loss := func(in []*Tensor) float64 {
		var out *Tensor
		NoGrad(func() { out = f(in) })
		s := 0.0
		for i, v := range out.f64 {
			s += v * u.f64[i]
		}
		return s
	}
	const eps = 1e-6
	for i, c := range cs {
		v := randNormal(r, c.shape)
		analytic := 0.0
		for j, d := range v.f64 {
			analytic += (c.grad.f64[j] - pre[i].f64[j]) * d
		}
		moved := func(s float64) []*Tensor {
			in := slices.Clone(cs)
			in[i] = c.Detach().clone()
			for j, d := range v.f64 {
				in[i].f64[j] += s * d
			}
			return in
		}
		numeric := (loss(moved(eps)) - loss(moved(-eps))) / (2 * eps)
		if !(math.Abs(analytic-numeric) <= 1e-5*(1+math.Abs(numeric))) {
			t.Errorf("input %d %v: the gradient along a random direction is %v, finite differences give %v", i, c.shape, analytic, numeric)
		}
	}
}

// checkTorchCase compares the row's op on the reference's inputs, converted
// to dtype, with PyTorch's output and gradients, within tol·(1+|want|). The
// references were computed in float64 from inputs that float32 rounds
// (relative error 6e-8), hence float32's 2e-5.
func checkTorchCase(t *testing.T, s opSpec, c *torchCase, dtype DType, tol float64) {
	t.Helper()
	label := "PyTorch " + dtype.String()
	xs := make([]*Tensor, len(c.Inputs))
	for i, in := range c.Inputs {
		xs[i] = in.tensor().To(dtype).SetRequiresGrad(c.Upstream != nil)
	}
	out := s.f(xs)
	if out.DType() != dtype {
		t.Errorf("%s: %v inputs gave a %v result", label, dtype, out.DType())
	}
	assertClose(t, label+" output", out, c.Output.tensor(), tol)
	if c.Upstream == nil {
		return
	}
	out.BackwardWith(c.Upstream.tensor().To(dtype))
	for i, g := range c.Grads {
		if g == nil {
			continue
		}
		if xs[i].Grad() == nil {
			if slices.ContainsFunc(g.Data, func(v float64) bool { return v != 0 }) {
				t.Errorf("%s: input %d got no gradient, PyTorch gives one", label, i)
			} // else the gradient is 0 and no path leads to the input (a second derivative through LeakyReLU)
			continue
		}
		assertClose(t, label+" gradient", xs[i].Grad(), g.tensor(), tol)
	}
}

// torchCase is one reference computed by PyTorch (see testdata/torchref.py).
type torchCase struct {
	Name     string         `json:"name"`
	Inputs   []torchTensor  `json:"inputs"`
	Output   torchTensor    `json:"output"`
	Upstream *torchTensor   `json:"upstream"`
	Grads    []*torchTensor `json:"grads"`
}

type torchTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (tt torchTensor) tensor() *Tensor {
	t := New64(tt.Data)
	t.shape = append([]int{}, tt.Shape...) // [] for a 0-d tensor
	return t
}

// loadTorchCases reads testdata/torchref_<family>.json; a missing, broken or
// empty file fails the test.
func loadTorchCases(t *testing.T, family string) []torchCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torchref_"+family+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []torchCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatalf("no cases in %s", family)
	}
	return file.Cases
}

// assertClose fails unless got and want have the same shape and every element
// is within tol·(1+|want|) (NaN matches NaN).
func assertClose(t *testing.T, what string, got, want *Tensor, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
		return
	}
	g, w := got.Float64s(), want.Float64s()
	for i := range g {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) {
			continue
		}
		if !(math.Abs(g[i]-w[i]) <= tol*(1+math.Abs(w[i]))) {
			t.Errorf("%s: element %d is %v, want %v", what, i, g[i], w[i])
			return
		}
	}
}

// assertSpecial is assertClose for values that may be NaN or ±Inf: those must
// match exactly, the others within tol·(1+|want|).
func assertSpecial(t *testing.T, what string, got *Tensor, want []float64, tol float64) {
	t.Helper()
	g := got.Float64s()
	if len(g) != len(want) {
		t.Errorf("%s: %d elements, want %d", what, len(g), len(want))
		return
	}
	for i, w := range want {
		switch {
		case math.IsNaN(w) || math.IsInf(w, 0):
			if !(math.IsNaN(w) && math.IsNaN(g[i])) && g[i] != w {
				t.Errorf("%s: element %d is %v, want %v", what, i, g[i], w)
			}
		case !(math.Abs(g[i]-w) <= tol*(1+math.Abs(w))):
			t.Errorf("%s: element %d is %v, want %v", what, i, g[i], w)
		}
	}
}

// errorCase is a call that must panic with an error containing every string
// of want.
type errorCase struct {
	name string
	f    func()
	want []string
}

// checkErrors runs every case through Try and checks its error message.
func checkErrors(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, c := range cases {
		err := Try(c.f)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
}

// awayFrom returns standard normal values moved at least gap away from 0, to
// keep finite differences off the kinks of ReLU, Abs, Clamp and LeakyReLU.
func awayFrom(gap float64, shape ...int) *Tensor {
	x := Randn(shape...).To(Float64)
	for i, v := range x.f64 {
		if math.Abs(v) < gap {
			x.f64[i] = math.Copysign(gap+math.Abs(v), v)
		}
	}
	return x
}

// distinct returns a tensor whose values are distinct from those of o (no ties
// closer than 0.1), for Maximum/Minimum.
func distinct(o *Tensor) *Tensor {
	return o.To(Float64).Add(awayFrom(0.1, o.shape...))
}

func positive(shape ...int) *Tensor { return Rand(shape...).AddScalar(0.5) }

// noTies returns a tensor of the given shape holding a random permutation of
// 0..n-1 scaled by 0.1 plus noise below 0.01: no two elements are within
// 0.08, so Max/Min are smooth under finite differences.
func noTies(shape ...int) *Tensor {
	n := numelOf(shape)
	p := RandPerm(n)
	x := empty(Float64, shape)
	noise := Rand(n).To(Float64)
	for i := range x.f64 {
		x.f64[i] = 0.1*float64(p[i]) + 0.01*noise.f64[i]
	}
	return x
}

// flatCat flattens pieces and joins them, as flat_cat in torchref_shape.py.
func flatCat(ps []*Tensor) *Tensor {
	fs := make([]*Tensor, len(ps))
	for i, p := range ps {
		fs[i] = p.Flatten()
	}
	return Cat(fs, 0)
}

// wide gives a size that only a 64-bit int holds, at run time, so that the
// tests using it still compile (and skip, see skip32) for 32-bit targets.
func wide(u uint64) int { return int(u) }

// skip32 skips a test whose sizes need a 64-bit int.
func skip32(t *testing.T) {
	t.Helper()
	if strconv.IntSize < 64 {
		t.Skip("the sizes of this test need a 64-bit int")
	}
}

// TestOpsCovered fails when an exported function or *Tensor method of the
// engine that returns a *Tensor (an op) has no row in the op table (a row
// named "Op" or "Op/variant") and is not listed in notOps with the reason.
func TestOpsCovered(t *testing.T) {
	rows := map[string]bool{}
	for _, fam := range opFamilies {
		for _, r := range fam {
			for _, s := range r() {
				name, _, _ := strings.Cut(s.name, "/")
				rows[name] = true
			}
		}
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range pkgs["engine"].Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || !returnsTensor(fd.Type) {
				continue
			}
			if fd.Recv != nil {
				star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
				if id, isID := star.X.(*ast.Ident); !ok || !isID || id.Name != "Tensor" {
					continue
				}
			}
			name := fd.Name.Name
			if _, ok := notOps[name]; !ok && !rows[name] {
				t.Errorf("%s (%s) returns a *Tensor and has no row in the op table: add rows in the ops_*_test.go of its file, or list it in notOps saying why it needs none",
					name, fset.Position(fd.Pos()))
			}
			if _, ok := notOps[name]; ok && rows[name] {
				t.Errorf("%s has rows in the op table and is listed in notOps", name)
			}
		}
	}
}

func returnsTensor(ft *ast.FuncType) bool {
	if ft.Results == nil {
		return false
	}
	for _, r := range ft.Results.List {
		if star, ok := r.Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && id.Name == "Tensor" {
				return true
			}
		}
	}
	return false
}

// notOps are the exported functions and methods returning a *Tensor that
// need no row in the op table, each with the reason.
var notOps = map[string]string{
	// autograd and in-place methods: no op is recorded
	"SetRequiresGrad": "marks a leaf", "Grad": "reads the gradient", "RetainGrad": "marks a result",
	"Detach": "cuts the graph (autograd_test.go)", "SetName": "names a tensor",
	"AddScaled_": "in place, refused on recorded results (inplace_ops_test.go)",
	"CopyFrom":   "in place (inplace_test.go)", "Fill_": "in place (inplace_test.go)",
	// constructors and random values: no inputs to differentiate
	"New": "constructor", "New64": "constructor", "Scalar": "constructor", "Zeros": "constructor",
	"Ones": "constructor", "Full": "constructor", "Arange": "constructor", "Linspace": "constructor",
	"Eye": "constructor (eye_test.go)", "ZerosLike": "constructor", "OnesLike": "constructor", "FullLike": "constructor",
	"Rand": "random values", "Randn": "random values", "RandLike": "random values", "RandnLike": "random values",
	"Uniform": "random values", "Multinomial": "random indices", "Bernoulli": "random mask",
	// a row runs in float64 and float32 alike, so it cannot hold a dtype
	// conversion; TestToGrad checks both directions' gradients
	"To": "dtype conversion (TestToGrad)", "Float32": "To(Float32)", "Float64": "To(Float64)",
}
