// Package engine is dbr's compiled core: N-d tensors and reverse-mode
// automatic differentiation, built as the program runs ("define-by-run").
//
// # Tensors
//
// A *Tensor holds float32 (the default) or float64 values, contiguous and
// row-major. Ops are methods (x.MatMul(w).Add(b).ReLU()) or functions where
// they read better (Cat, Stack, Where, Conv2d); each returns a new tensor, and
// elementwise ops broadcast as NumPy does. Mixed float32/float64 operands are
// promoted to float64.
//
// # Shapes, indexing and convolution
//
// Shape ops follow PyTorch's names and rules: Reshape, Permute, Flatten,
// Expand, Narrow, Slice (Python's clamped slicing), Select, IndexSelect,
// Gather, Pad, Split, Chunk, and the functions Cat and Stack. Reshape and the
// ops built on it (Squeeze, Unsqueeze, Flatten) share the data, as PyTorch's
// views do (only the explicit in-place methods such as Set can tell); the
// others copy. Images are NCHW: Conv2d(x, w, b, ConvOpts{Padding: 1}) takes x [N, C,
// H, W] and filters [OC, C/Groups, KH, KW]; it unrolls receptive fields
// (im2col, from zero-padded planes) so that one BLAS matrix product per image
// and group does the work. CrossEntropy fuses LogSoftmax and the pick of each
// row's target into one op.
// MaxPool2d and AvgPool2d pool square windows. Tril and Triu keep a
// triangle of each matrix (a causal mask is Ones(n, n).Triu(1)), and
// MaskedFill puts a value where a mask is non-zero. Repeat tiles, Clone
// copies, CumSum sums along a dim, Einsum("bqd,bkd->bqk", q, k) contracts two
// operands. ScaledDotProductAttention(q, k, v, AttentionOpts{Causal: true})
// is softmax(q·kᵀ/√E)·v composed of those ops (its masks hide where
// non-zero, as MaskedFill's); AttentionWeights returns the softmax alone.
//
// # Indices and sampling
//
// Index results (ArgMax, ArgMin, ArgSort, the indices of Sort and TopK,
// Multinomial) are tensors of the input's dtype holding whole numbers,
// which Gather and OneHot take; Ints turns one into []int, the form of
// CrossEntropy's targets and IndexSelect's indices. Multinomial and Bernoulli
// draw from the generator that Seed sets. Reductions: Sum, Mean, Max, Min,
// Var, Std, LogSumExp, Norm (any order p, 0 and ±inf, as
// torch.linalg.vector_norm), and the masks All and Any.
//
// # Elementwise ops
//
// Arithmetic (Add, Sub, Mul, Div, Pow and the *Scalar forms), Neg, Abs, Exp,
// Log, Log1p, Sqrt, Square, Sin, Cos, Floor, Round, Sign, Clamp, Maximum,
// Minimum, the activations ReLU, LeakyReLU, ELU, GELU, SiLU, Softplus, Tanh
// and Sigmoid, comparisons returning float masks (Gt, Eq, …) and Where.
//
// A tensor's shape and dtype never change. Its values change only through the
// explicit in-place methods: Set and Fill_ (for building inputs), CopyFrom and
// AddScaled_ (for optimizers and checkpoints, which refuse a tensor that is
// the recorded result of an op), and the RawFloat32/RawFloat64 slices. Each
// change counts in the tensor's Version (shared by tensors sharing its data,
// such as Detach and Reshape results); an op notes the versions of its inputs
// and result, and Backward refuses, naming the op, the tensor and the
// in-place call, when one changed in between, as PyTorch does: the gradient
// would be wrong. Ops whose backward reads no values (Add, Sum, Reshape, …)
// are not checked, as PyTorch saves nothing for them. A leaf that requires
// grad is checked the same way, at Backward: PyTorch refuses an in-place
// change of such a leaf outside no_grad at the call itself, while dbr lets
// the change through when no recorded op needs the old value (the gradients
// are then the ones PyTorch would give after the change).
//
// # Autograd
//
// A tensor marked with SetRequiresGrad(true) is a leaf. Every op on a tensor
// that requires grad records its inputs and its backward on the result, so the
// graph is whatever the program ran: loops and ifs included, different from one
// iteration to the next. Backward walks that graph from a one-element result
// and adds each leaf's gradient into its Grad; a tensor used twice gets both
// contributions; call ZeroGrad (or an optimizer's) between steps. A gradient
// has its tensor's shape and dtype. Results are ordered by a creation number
// (Seq), which gives a topological order without recursion. Nothing global
// refers to a graph: once no variable refers to a result, the graph behind it
// is garbage. Op, Inputs and Seq are a read-only view of the graph, and
// AddOpHook lets a tool watch every op as it runs (package inspect draws and
// checks graphs with them; printing stays out of the engine).
//
//	x := engine.Randn(64, 784)
//	w := engine.Randn(784, 10).MulScalar(0.01).SetRequiresGrad(true)
//	loss := x.MatMul(w).LogSoftmax(1).Mean()
//	loss.Backward()
//	fmt.Println(w.Grad().Shape()) // [784 10]
//
// NoGrad(f) runs f without recording, Detach cuts a tensor from its history,
// and RetainGrad keeps the gradient of an intermediate result.
// t.RegisterHook(h) lets h see, and replace, the gradient of t as a backward
// computes it.
//
// Grad(outputs, inputs, GradOpts{…}) returns gradients instead of adding
// them into Grad, as torch.autograd.grad. With CreateGraph the backward pass
// is itself recorded, so a gradient can enter a loss (a WGAN-GP gradient
// penalty) or be differentiated again (a Hessian-vector product). Every
// differentiable op allows this (see Grad for the one limit, a third
// derivative through GELU, which panics naming the op rather than giving a
// wrong value).
//
// # Memory
//
// Data of 4096 elements or more is recycled (bufpool.go): the backward pass
// gives back the buffers of the gradients it has finished with, and the next
// tensors of the same size take them, so a training step reuses the memory of
// the step before instead of asking the garbage collector for fresh, zeroed
// memory; ops that overwrite their whole result skip the zeroing. Only
// buffers the backward loop owns for sure go back (never a tensor user code
// can see), and none while an op hook is installed.
//
// # Goroutines
//
// Grad mode belongs to a goroutine, as it belongs to a thread in PyTorch:
// NoGrad, and Backward while it runs, turn recording off on the goroutine
// that calls them and nowhere else, so eight goroutines can train eight
// models at once, each evaluating or updating under NoGrad while the others
// record. A new goroutine starts recording, even one started inside NoGrad.
// So a DataLoader's prefetching goroutine runs Get with grad mode on,
// whatever the training loop is doing (a Get whose ops touch no tensor that
// requires grad records nothing); the GEMM and convolution workers run no
// ops at all.
//
// A tensor is plain memory, as in PyTorch: any number of goroutines may read
// it, but one that changes it in place (Set, CopyFrom, AddScaled_, an
// optimizer's Step, Backward adding into Grad) must not run while another
// reads or changes it. Give each goroutine its own model, or serialise the
// steps that share one (nn's optimizers serialise their own Step). Seed and
// the random functions share one generator under a lock; SetDefaultDType is
// process-wide (set it before starting goroutines).
//
// Op hooks (AddOpHook) see the ops of every goroutine and may be called from
// several at once, so a hook that collects must lock; ops that a hook runs
// itself fire no hooks.
//
// # Errors and panics
//
// Ops return one value so that they compose, and so they panic on misuse: with
// a *ShapeError when operands do not fit (its message names the op, every
// operand's shape and what would fit) and with an *Error for other misuse, such
// as Backward on a tensor that does not require grad or that has more than one
// element (BackwardWith takes the upstream gradient). Doc comments say when a
// function panics. Try turns those panics into errors; any other panic is a
// bug in dbr and is not hidden. Long loops check the flag set by Interrupt and
// panic with ErrInterrupted, which is how Ctrl-C stops a long op in the REPL.
//
// # Checking gradients
//
// GradCheck compares Backward with central finite differences in float64,
// with a random upstream gradient and pre-filled input gradients. Every
// differentiable op in this package is tested with it.
package engine
