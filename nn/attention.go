package nn

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
)

// Masks are the masks of an attention call. Each hides where it is non-zero,
// as PyTorch 1.13's boolean masks do where they are True (a float 0/1 mask
// from a comparison is one): KeyPadding [N, S] hides padded keys of each
// sequence; Attn [L, S] (or [N·NumHeads, L, S]) hides keys from queries;
// Causal hides the keys after each query's position (Attn = Triu of ones,
// diagonal 1). nil tensors hide nothing. AttnBias, of Attn's shapes, is
// added to the scores instead: PyTorch's float attn_mask (−∞ hides).
type Masks struct {
	KeyPadding, Attn *engine.Tensor
	Causal           bool
	AttnBias         *engine.Tensor
}

// MHAOpts are the options of MultiheadAttention. Zero values are PyTorch's
// defaults: no dropout on the attention weights, time-major input.
type MHAOpts struct {
	Dropout    float64
	BatchFirst bool
}

// MultiheadAttention is torch.nn.MultiheadAttention with keys and values of
// the query's size: NumHeads heads of EmbedDim/NumHeads features, the
// query, key and value projections stacked in InProjWeight [3·E, E] and
// InProjBias [3·E] and the output projection OutProj, named as PyTorch names
// them (in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias).
// Inputs are [L, N, E] ([N, L, E] with BatchFirst, [L, E] for one sequence).
// Dropout on the attention weights applies in training mode.
type MultiheadAttention struct {
	EmbedDim, NumHeads       int
	Opts                     MHAOpts
	InProjWeight, InProjBias *engine.Tensor
	OutProj                  *Linear
	drop                     *Dropout
}

// NewMultiheadAttention returns a MultiheadAttention with PyTorch's
// initialization: InProjWeight Xavier-uniform, OutProj.Weight as a Linear's,
// the biases 0.
// It panics with an *engine.Error when numHeads does not divide embedDim or
// the dropout is not in [0, 1).
func NewMultiheadAttention(embedDim, numHeads int, o MHAOpts) *MultiheadAttention {
	if embedDim <= 0 || numHeads <= 0 || embedDim%numHeads != 0 {
		errorf("NewMultiheadAttention", "embed_dim=%d must be a positive multiple of num_heads=%d", embedDim, numHeads)
	}
	if !(o.Dropout >= 0 && o.Dropout < 1) {
		errorf("NewMultiheadAttention", "dropout must be in [0, 1), got %v", o.Dropout)
	}
	m := &MultiheadAttention{EmbedDim: embedDim, NumHeads: numHeads, Opts: o,
		InProjWeight: param(3*embedDim, embedDim), InProjBias: param(3 * embedDim),
		OutProj: NewLinear(embedDim, embedDim), drop: NewDropout(o.Dropout)}
	XavierUniform(m.InProjWeight, 1)
	ConstantInit(m.OutProj.Bias, 0)
	return m
}

// Forward is self-attention without masks: the output of Attend(x, x, x, Masks{}).
func (m *MultiheadAttention) Forward(x *engine.Tensor) *engine.Tensor {
	out, _ := m.Attend(x, x, x, Masks{})
	return out
}

// Attend returns the attention output [L, N, E] of query [L, N, E] on key
// and value [S, N, E] (batch first with Opts.BatchFirst), and the attention
// weights averaged over the heads, [N, L, S] (PyTorch's need_weights=True,
// average_attn_weights=True).
// It panics with a *engine.ShapeError naming every operand's shape when the
// shapes do not fit.
func (m *MultiheadAttention) Attend(query, key, value *engine.Tensor, mk Masks) (out, weights *engine.Tensor) {
	if m.InProjWeight == nil || m.OutProj == nil || m.drop == nil {
		errorf("MultiheadAttention", "the layer has no weights; make it with nn.NewMultiheadAttention(embedDim, numHeads, nn.MHAOpts{})")
	}
	e, h := m.EmbedDim, m.NumHeads
	qs, ks, vs := query.Shape(), key.Shape(), value.Shape()
	labels := "query, key, value"
	fail := func(reason string) {
		shapes := [][]int{qs, ks, vs}
		for _, t := range []*engine.Tensor{mk.KeyPadding, mk.Attn, mk.AttnBias} {
			if t != nil {
				shapes = append(shapes, t.Shape())
			}
		}
		panic(&engine.ShapeError{Op: "MultiheadAttention", Shapes: shapes, Reason: reason + " (" + labels + " and masks)"})
	}
	for i, t := range []*engine.Tensor{query, key, value} {
		if (t.Dims() != 3 && t.Dims() != 2) || t.Dims() != query.Dims() || t.Size(-1) != e {
			fail(fmt.Sprintf("%s %v but embed_dim=%d: expected [L, N, %d] (batch_first: [N, L, %d]) or [L, %d]",
				[]string{"query", "key", "value"}[i], t.Shape(), e, e, e, e))
		}
	}
	unbatched := query.Dims() == 2
	if unbatched {
		query, key, value = query.Unsqueeze(1), key.Unsqueeze(1), value.Unsqueeze(1)
	} else if m.Opts.BatchFirst {
		query, key, value = query.Transpose(0, 1), key.Transpose(0, 1), value.Transpose(0, 1)
	}
	l, n, s := query.Size(0), query.Size(1), key.Size(0)
	if key.Size(1) != n || value.Size(1) != n || value.Size(0) != s {
		fail(fmt.Sprintf("key %v and value %v must have the same length and the query's batch", ks, vs))
	}
	// projections: [T, N, E] → [N, H, T, E/H]
	w := m.InProjWeight.Chunk(3, 0)
	var b []*engine.Tensor
	if m.InProjBias != nil {
		b = m.InProjBias.Chunk(3, 0)
	} else {
		b = []*engine.Tensor{nil, nil, nil}
	}
	heads := func(x *engine.Tensor, i int) *engine.Tensor {
		t := x.Size(0)
		return engine.Linear(x, w[i], b[i]).Reshape(t, n, h, e/h).Permute(1, 2, 0, 3)
	}
	q, k, v := heads(query, 0), heads(key, 1), heads(value, 2)
	// attn is an attention mask or bias as [L, S] or [N, H, L, S]
	attn := func(a *engine.Tensor, what string) *engine.Tensor {
		switch {
		case a == nil:
		case a.Dims() == 2 && a.Size(0) == l && a.Size(1) == s:
		case a.Dims() == 3 && a.Size(0) == n*h && a.Size(1) == l && a.Size(2) == s:
			a = a.Reshape(n, h, l, s)
		default:
			fail(fmt.Sprintf("%s %v must be [L, S] = [%d %d] or [N·num_heads, L, S] = [%d %d %d]", what, a.Shape(), l, s, n*h, l, s))
		}
		return a
	}
	mask := attn(mk.Attn, "attn_mask") // [N, H, L, S] or broadcastable, non-zero = hidden
	bias := attn(mk.AttnBias, "attn_bias")
	if kp := mk.KeyPadding; kp != nil {
		if unbatched && kp.Dims() == 1 {
			kp = kp.Unsqueeze(0)
		}
		if kp.Dims() != 2 || kp.Size(0) != n || kp.Size(1) != s {
			fail(fmt.Sprintf("key_padding_mask %v must be [N, S] = [%d %d]", mk.KeyPadding.Shape(), n, s))
		}
		kp = kp.Reshape(n, 1, 1, s)
		if mask == nil {
			mask = kp
		} else {
			mask = mask.Abs().Add(kp.Abs()) // non-zero where either hides
		}
	}
	// the weights [N, H, L, S] after dropout, which PyTorch 1.13 also returns
	att := m.drop.Forward(engine.AttentionWeights(q, k, engine.AttentionOpts{Mask: mask, Causal: mk.Causal, Bias: bias}))
	out = m.OutProj.Forward(att.MatMul(v).Permute(2, 0, 1, 3).Reshape(l, n, e)) // [L, N, E]
	weights = att.Mean(1)
	switch {
	case unbatched:
		out, weights = out.Squeeze(1), weights.Squeeze(0)
	case m.Opts.BatchFirst:
		out = out.Transpose(0, 1)
	}
	return out, weights
}

// Params returns in_proj_weight, in_proj_bias, out_proj.weight and out_proj.bias.
func (m *MultiheadAttention) Params() []Param {
	ps := []Param{{Name: "in_proj_weight", Tensor: m.InProjWeight}}
	if m.InProjBias != nil {
		ps = append(ps, Param{Name: "in_proj_bias", Tensor: m.InProjBias})
	}
	return append(ps, Sub("out_proj", m.OutProj)...)
}

func (m *MultiheadAttention) String() string {
	return fmt.Sprintf("MultiheadAttention(embed_dim=%d, num_heads=%d)", m.EmbedDim, m.NumHeads)
}

// TransformerOpts are the options of TransformerEncoderLayer. Unset fields
// are PyTorch's defaults: DimFeedforward 2048, Dropout 0.1 (nil; set
// nn.Float(0) for none), Activation "relu" ("gelu" is the other), LayerNormEps
// 1e-5 (nil), time-major input, the norms after each block (NormFirst puts
// them before, as in pre-LN transformers).
type TransformerOpts struct {
	DimFeedforward int
	Dropout        *float64
	Activation     string
	LayerNormEps   *float64
	BatchFirst     bool
	NormFirst      bool
}

// TransformerEncoderLayer is torch.nn.TransformerEncoderLayer: self-attention
// and a feed-forward block (Linear1, the activation, Linear2), each with
// dropout, a residual connection and a LayerNorm (Norm1, Norm2), after the
// block or, with NormFirst, before it:
//
//	x = Norm1(x + SA(x)); x = Norm2(x + FF(x))      // default
//	x = x + SA(Norm1(x)); x = x + FF(Norm2(x))      // NormFirst
type TransformerEncoderLayer struct {
	SelfAttn         *MultiheadAttention
	Linear1, Linear2 *Linear
	Norm1, Norm2     *LayerNorm
	Opts             TransformerOpts
	drop, drop1      *Dropout
	drop2            *Dropout
}

// NewTransformerEncoderLayer returns a layer of width dModel with nhead
// attention heads and PyTorch's initialization.
// It panics with an *engine.Error for sizes that do not fit, an unknown
// activation or a dropout outside [0, 1).
func NewTransformerEncoderLayer(dModel, nhead int, o TransformerOpts) *TransformerEncoderLayer {
	o.Dropout, o.LayerNormEps = orDefault(o.Dropout, 0.1), orDefault(o.LayerNormEps, 1e-5)
	if o.DimFeedforward == 0 {
		o.DimFeedforward = 2048
	}
	if o.Activation == "" {
		o.Activation = "relu"
	}
	if o.Activation != "relu" && o.Activation != "gelu" {
		errorf("NewTransformerEncoderLayer", "unknown activation %q (use \"relu\" or \"gelu\")", o.Activation)
	}
	if !(*o.Dropout >= 0 && *o.Dropout < 1) || o.DimFeedforward < 0 {
		errorf("NewTransformerEncoderLayer", "dropout must be in [0, 1) and dim_feedforward positive, got %v and %d", *o.Dropout, o.DimFeedforward)
	}
	if dModel <= 0 || nhead <= 0 || dModel%nhead != 0 {
		errorf("NewTransformerEncoderLayer", "d_model=%d must be a positive multiple of nhead=%d", dModel, nhead)
	}
	p := *o.Dropout
	l := &TransformerEncoderLayer{
		SelfAttn: NewMultiheadAttention(dModel, nhead, MHAOpts{Dropout: p, BatchFirst: o.BatchFirst}),
		Linear1:  NewLinear(dModel, o.DimFeedforward), Linear2: NewLinear(o.DimFeedforward, dModel),
		Norm1: NewLayerNorm([]int{dModel}), Norm2: NewLayerNorm([]int{dModel}), Opts: o,
		drop: NewDropout(p), drop1: NewDropout(p), drop2: NewDropout(p)}
	l.Norm1.Eps, l.Norm2.Eps = *o.LayerNormEps, *o.LayerNormEps
	return l
}

// Forward runs the layer on x [L, N, E] ([N, L, E] with BatchFirst) without masks.
func (l *TransformerEncoderLayer) Forward(x *engine.Tensor) *engine.Tensor {
	return l.Run(x, Masks{})
}

// Run runs the layer on x with the self-attention's masks (PyTorch's
// src_mask, src_key_padding_mask and is_causal).
// It panics with a *engine.ShapeError when the shapes do not fit.
func (l *TransformerEncoderLayer) Run(x *engine.Tensor, mk Masks) *engine.Tensor {
	if l.SelfAttn == nil || l.drop == nil {
		errorf("TransformerEncoderLayer", "the layer has no weights; make it with nn.NewTransformerEncoderLayer(dModel, nhead, nn.TransformerOpts{})")
	}
	sa := func(x *engine.Tensor) *engine.Tensor {
		out, _ := l.SelfAttn.Attend(x, x, x, mk)
		return l.drop1.Forward(out)
	}
	ff := func(x *engine.Tensor) *engine.Tensor {
		y := l.Linear1.Forward(x)
		if l.Opts.Activation == "gelu" {
			y = y.GELU()
		} else {
			y = y.ReLU()
		}
		return l.drop2.Forward(l.Linear2.Forward(l.drop.Forward(y)))
	}
	if l.Opts.NormFirst {
		x = x.Add(sa(l.Norm1.Forward(x)))
		return x.Add(ff(l.Norm2.Forward(x)))
	}
	x = l.Norm1.Forward(x.Add(sa(x)))
	return l.Norm2.Forward(x.Add(ff(x)))
}

// Params returns the parameters with PyTorch's names (self_attn.in_proj_weight,
// linear1.weight, norm1.bias, …).
func (l *TransformerEncoderLayer) Params() []Param {
	return Params(Sub("self_attn", l.SelfAttn), Sub("linear1", l.Linear1), Sub("linear2", l.Linear2),
		Sub("norm1", l.Norm1), Sub("norm2", l.Norm2))
}

func (l *TransformerEncoderLayer) String() string {
	return fmt.Sprintf("TransformerEncoderLayer(d_model=%d, nhead=%d, dim_feedforward=%d, dropout=%g, activation=%s, norm_first=%t)",
		l.SelfAttn.EmbedDim, l.SelfAttn.NumHeads, l.Opts.DimFeedforward, *l.Opts.Dropout, l.Opts.Activation, l.Opts.NormFirst)
}

// TransformerEncoder is torch.nn.TransformerEncoder: NumLayers copies of an
// encoder layer run one after the other, then Norm (nil for none). The
// parameters are named layers.0.self_attn.in_proj_weight, …, norm.weight.
type TransformerEncoder struct {
	Layers []*TransformerEncoderLayer
	Norm   *LayerNorm
}

// NewTransformerEncoder returns an encoder of numLayers copies of layer
// (each its own parameters, starting equal to layer's, as PyTorch's deep
// copies) followed by norm (nil for none).
// It panics with an *engine.Error when numLayers is not positive.
func NewTransformerEncoder(layer *TransformerEncoderLayer, numLayers int, norm *LayerNorm) *TransformerEncoder {
	if layer == nil || numLayers <= 0 {
		errorf("NewTransformerEncoder", "needs a layer and a positive num_layers, got %d", numLayers)
	}
	enc := &TransformerEncoder{Norm: norm}
	src := layer.Params()
	for i := 0; i < numLayers; i++ {
		c := NewTransformerEncoderLayer(layer.SelfAttn.EmbedDim, layer.SelfAttn.NumHeads, layer.Opts)
		engine.NoGrad(func() {
			for j, p := range c.Params() {
				p.Tensor.CopyFrom(src[j].Tensor)
			}
		})
		enc.Layers = append(enc.Layers, c)
	}
	return enc
}

// Forward runs x through every layer without masks, then Norm.
func (e *TransformerEncoder) Forward(x *engine.Tensor) *engine.Tensor { return e.Run(x, Masks{}) }

// Run runs x through every layer with the same masks, then Norm.
func (e *TransformerEncoder) Run(x *engine.Tensor, mk Masks) *engine.Tensor {
	for _, l := range e.Layers {
		x = l.Run(x, mk)
	}
	if e.Norm != nil {
		x = e.Norm.Forward(x)
	}
	return x
}

// Params returns layers.i.… for every layer, then norm.weight and norm.bias.
func (e *TransformerEncoder) Params() []Param {
	var groups [][]Param
	for i, l := range e.Layers {
		groups = append(groups, Sub(fmt.Sprintf("layers.%d", i), l))
	}
	if e.Norm != nil {
		groups = append(groups, Sub("norm", e.Norm))
	}
	return Params(groups...)
}

func (e *TransformerEncoder) String() string {
	return fmt.Sprintf("TransformerEncoder(num_layers=%d, %v)", len(e.Layers), e.Layers[0])
}
