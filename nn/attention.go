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
// defaults: no dropout on the attention weights, time-major input, keys and
// values of EmbedDim features, no extra key.
type MHAOpts struct {
	Dropout    float64
	BatchFirst bool
	// KDim and VDim are the feature sizes of the keys and values (kdim,
	// vdim); 0 means EmbedDim. When either differs from EmbedDim the
	// projections are three weights, QProjWeight, KProjWeight and
	// VProjWeight, as in PyTorch.
	KDim, VDim int
	// AddBiasKV appends a learned key BiasK and value BiasV [1, 1, E] to
	// every sequence's keys and values (add_bias_kv).
	AddBiasKV bool
	// AddZeroAttn appends a key and a value of zeros after the projections
	// (add_zero_attn).
	AddZeroAttn bool
	// NoBias leaves out InProjBias and OutProj's bias (bias=False).
	NoBias bool
}

// MultiheadAttention is torch.nn.MultiheadAttention: NumHeads heads of
// EmbedDim/NumHeads features. The query, key and value projections are
// stacked in InProjWeight [3·E, E] when keys and values have E features,
// else they are QProjWeight [E, E], KProjWeight [E, kdim] and VProjWeight
// [E, vdim] (InProjWeight nil); their biases are InProjBias [3·E]. With
// AddBiasKV, BiasK and BiasV [1, 1, E] are appended to the projected keys
// and values. OutProj is the output projection. The parameters are named as
// PyTorch names them (in_proj_weight or q_proj_weight, k_proj_weight,
// v_proj_weight; in_proj_bias, bias_k, bias_v, out_proj.weight,
// out_proj.bias), so state dicts move both ways.
// Inputs are [L, N, E] ([N, L, E] with BatchFirst, [L, E] for one sequence).
// Dropout on the attention weights applies in training mode.
type MultiheadAttention struct {
	EmbedDim, NumHeads                    int
	Opts                                  MHAOpts
	InProjWeight                          *engine.Tensor
	QProjWeight, KProjWeight, VProjWeight *engine.Tensor
	InProjBias, BiasK, BiasV              *engine.Tensor
	OutProj                               *Linear
	drop                                  *Dropout
}

// NewMultiheadAttention returns a MultiheadAttention with PyTorch's
// initialization: the projection weights Xavier-uniform, OutProj.Weight as a
// Linear's, BiasK and BiasV Xavier-normal, the other biases 0.
// It panics with an *engine.Error when numHeads does not divide embedDim,
// KDim or VDim is negative or the dropout is not in [0, 1).
func NewMultiheadAttention(embedDim, numHeads int, o MHAOpts) *MultiheadAttention {
	if embedDim <= 0 || numHeads <= 0 || embedDim%numHeads != 0 {
		errorf("NewMultiheadAttention", "embed_dim=%d must be a positive multiple of num_heads=%d", embedDim, numHeads)
	}
	if !(o.Dropout >= 0 && o.Dropout < 1) {
		errorf("NewMultiheadAttention", "dropout must be in [0, 1), got %v", o.Dropout)
	}
	if o.KDim < 0 || o.VDim < 0 {
		errorf("NewMultiheadAttention", "kdim=%d and vdim=%d must be positive (0 means embed_dim=%d)", o.KDim, o.VDim, embedDim)
	}
	if o.KDim == 0 {
		o.KDim = embedDim
	}
	if o.VDim == 0 {
		o.VDim = embedDim
	}
	m := &MultiheadAttention{EmbedDim: embedDim, NumHeads: numHeads, Opts: o, InProjBias: param(3 * embedDim),
		OutProj: NewLinear(embedDim, embedDim), drop: NewDropout(o.Dropout)}
	if o.KDim == embedDim && o.VDim == embedDim {
		m.InProjWeight = XavierUniform(param(3*embedDim, embedDim), 1)
	} else {
		m.QProjWeight = XavierUniform(param(embedDim, embedDim), 1)
		m.KProjWeight = XavierUniform(param(embedDim, o.KDim), 1)
		m.VProjWeight = XavierUniform(param(embedDim, o.VDim), 1)
	}
	if o.AddBiasKV {
		m.BiasK = XavierNormal(param(1, 1, embedDim), 1)
		m.BiasV = XavierNormal(param(1, 1, embedDim), 1)
	}
	if o.NoBias {
		m.InProjBias, m.OutProj.Bias = nil, nil
	} else {
		ConstantInit(m.OutProj.Bias, 0)
	}
	return m
}

// Forward is self-attention without masks: the output of Attend(x, x, x, Masks{}).
func (m *MultiheadAttention) Forward(x *engine.Tensor) *engine.Tensor {
	out, _ := m.AttendWeights(x, x, x, Masks{}, WeightOpts{NoWeights: true})
	return out
}

// WeightOpts say which attention weights AttendWeights returns. Zero values
// are PyTorch's defaults (need_weights=True, average_attn_weights=True).
type WeightOpts struct {
	NoWeights bool // need_weights=False: no weights (nil)
	PerHead   bool // average_attn_weights=False: the weights of each head, [N, H, L, S]
}

// Attend returns the attention output [L, N, E] of query [L, N, E] on key
// [S, N, kdim] and value [S, N, vdim] (batch first with Opts.BatchFirst),
// and the attention weights averaged over the heads, [N, L, S] (PyTorch's
// need_weights=True, average_attn_weights=True). With AddBiasKV and
// AddZeroAttn the weights have a column for each appended key, after the S
// columns of the given keys; masks cover the given keys only, and the
// appended ones are never hidden (PyTorch pads the masks so).
// It panics with a *engine.ShapeError naming every operand's shape when the
// shapes do not fit.
func (m *MultiheadAttention) Attend(query, key, value *engine.Tensor, mk Masks) (out, weights *engine.Tensor) {
	return m.AttendWeights(query, key, value, mk, WeightOpts{})
}

// AttendWeights is Attend returning the weights wo asks for: none, the
// average over the heads [N, L, S], or each head's [N, H, L, S] ([H, L, S]
// for one sequence).
// It panics with a *engine.ShapeError naming every operand's shape when the
// shapes do not fit.
func (m *MultiheadAttention) AttendWeights(query, key, value *engine.Tensor, mk Masks, wo WeightOpts) (out, weights *engine.Tensor) {
	wq, wk, wv := m.projWeights()
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
		name, size, want, seq := []string{"query", "key", "value"}[i], []string{"embed_dim", "kdim", "vdim"}[i], []*engine.Tensor{wq, wk, wv}[i].Size(1), "LSS"[i:i+1]
		if (t.Dims() != 3 && t.Dims() != 2) || t.Dims() != query.Dims() || t.Size(-1) != want {
			fail(fmt.Sprintf("%s %v but %s=%d: expected [%s, N, %d] (batch_first: [N, %s, %d]) or [%s, %d]",
				name, t.Shape(), size, want, seq, want, seq, want, seq, want))
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
	// projections [T, N, E], then the appended keys and values
	var b []*engine.Tensor
	if m.InProjBias != nil {
		b = m.InProjBias.Chunk(3, 0)
	} else {
		b = []*engine.Tensor{nil, nil, nil}
	}
	q, k, v := engine.Linear(query, wq, b[0]), engine.Linear(key, wk, b[1]), engine.Linear(value, wv, b[2])
	extra := 0
	if m.BiasK != nil || m.BiasV != nil {
		if m.BiasK == nil || m.BiasV == nil {
			errorf("MultiheadAttention", "bias_k and bias_v go together; the layer has only one of them")
		}
		k = engine.Cat([]*engine.Tensor{k, m.BiasK.Expand(1, n, e).To(k.DType())}, 0)
		v = engine.Cat([]*engine.Tensor{v, m.BiasV.Expand(1, n, e).To(v.DType())}, 0)
		extra++
	}
	if m.Opts.AddZeroAttn {
		k = engine.Cat([]*engine.Tensor{k, engine.ZerosLike(k.Narrow(0, 0, 1))}, 0)
		v = engine.Cat([]*engine.Tensor{v, engine.ZerosLike(v.Narrow(0, 0, 1))}, 0)
		extra++
	}
	causal := mk.Causal
	if extra > 0 {
		// the appended keys are seen by every query: the masks get visible
		// columns, and the causal mask becomes one over the given keys
		if causal {
			c := engine.Ones(l, s).To(k.DType()).Triu(1)
			if mask == nil {
				mask = c
			} else {
				mask = mask.Abs().Add(c)
			}
			causal = false
		}
		pad := []int{0, extra}
		if mask != nil {
			mask = mask.Pad(pad, 0)
		}
		if bias != nil {
			bias = bias.Pad(pad, 0)
		}
	}
	// the weights [N, H, L, S] after dropout, which PyTorch 1.13 also
	// returns; the products read each head of q, k and v [T, N, E] in place
	att := m.drop.Forward(engine.AttentionWeights(q, k, engine.AttentionOpts{Mask: mask, Causal: causal, Bias: bias, Heads: h}))
	out = m.OutProj.Forward(engine.ApplyAttention(att, v, h)) // [L, N, E]
	switch {
	case wo.NoWeights:
	case wo.PerHead:
		weights = att
	default:
		weights = att.Mean(1)
	}
	switch {
	case unbatched:
		out = out.Squeeze(1)
		if weights != nil {
			weights = weights.Squeeze(0)
		}
	case m.Opts.BatchFirst:
		out = out.Transpose(0, 1)
	}
	return out, weights
}

// projWeights returns the query, key and value projection weights: the
// thirds of InProjWeight or QProjWeight, KProjWeight and VProjWeight.
// It panics with an *engine.Error when the layer has neither.
func (m *MultiheadAttention) projWeights() (wq, wk, wv *engine.Tensor) {
	switch {
	case m.OutProj == nil || m.drop == nil:
	case m.InProjWeight != nil && m.QProjWeight == nil && m.KProjWeight == nil && m.VProjWeight == nil:
		w := m.InProjWeight.Chunk(3, 0)
		return w[0], w[1], w[2]
	case m.InProjWeight == nil && m.QProjWeight != nil && m.KProjWeight != nil && m.VProjWeight != nil:
		return m.QProjWeight, m.KProjWeight, m.VProjWeight
	}
	errorf("MultiheadAttention", "the layer has no weights (or both in_proj_weight and q/k/v_proj_weight); make it with nn.NewMultiheadAttention(embedDim, numHeads, nn.MHAOpts{})")
	return nil, nil, nil
}

// Params returns in_proj_weight (or q_proj_weight, k_proj_weight and
// v_proj_weight), in_proj_bias, bias_k, bias_v, out_proj.weight and
// out_proj.bias, in PyTorch's order, leaving out those the layer does not have.
func (m *MultiheadAttention) Params() []Param {
	var ps []Param
	for _, p := range []Param{{Name: "in_proj_weight", Tensor: m.InProjWeight}, {Name: "q_proj_weight", Tensor: m.QProjWeight},
		{Name: "k_proj_weight", Tensor: m.KProjWeight}, {Name: "v_proj_weight", Tensor: m.VProjWeight},
		{Name: "in_proj_bias", Tensor: m.InProjBias}, {Name: "bias_k", Tensor: m.BiasK}, {Name: "bias_v", Tensor: m.BiasV}} {
		if p.Tensor != nil {
			ps = append(ps, p)
		}
	}
	return append(ps, Sub("out_proj", m.OutProj)...)
}

func (m *MultiheadAttention) String() string {
	s := fmt.Sprintf("MultiheadAttention(embed_dim=%d, num_heads=%d", m.EmbedDim, m.NumHeads)
	if o := m.Opts; o.KDim != m.EmbedDim || o.VDim != m.EmbedDim {
		s += fmt.Sprintf(", kdim=%d, vdim=%d", o.KDim, o.VDim)
	}
	if m.Opts.AddBiasKV {
		s += ", add_bias_kv=True"
	}
	if m.Opts.AddZeroAttn {
		s += ", add_zero_attn=True"
	}
	if m.Opts.NoBias {
		s += ", bias=False"
	}
	return s + ")"
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
	checkWidth("TransformerEncoderLayer", x, l.SelfAttn.EmbedDim, l.Opts.BatchFirst)
	// a mask that does not fit is reported by the self-attention: say whose
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*engine.ShapeError); ok && e.Op == "MultiheadAttention" {
				e.Op = "TransformerEncoderLayer: self_attn"
			}
			panic(r)
		}
	}()
	sa := func(x *engine.Tensor) *engine.Tensor {
		// need_weights=False, as PyTorch's layer asks: no average of the
		// weights over the heads that nothing would read
		out, _ := l.SelfAttn.AttendWeights(x, x, x, mk, WeightOpts{NoWeights: true})
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

// checkWidth panics with a *engine.ShapeError naming op when x is not a
// batch [S, N, d] ([N, S, d] batch first) or a sequence [S, d] of d features.
func checkWidth(op string, x *engine.Tensor, d int, batchFirst bool) {
	if (x.Dims() == 2 || x.Dims() == 3) && x.Size(-1) == d {
		return
	}
	want := fmt.Sprintf("[S, N, %d]", d)
	if batchFirst {
		want = fmt.Sprintf("[N, S, %d] (batch_first)", d)
	}
	shapeError(op, fmt.Sprintf("input %v but d_model=%d: expected %s or [S, %d] for one sequence", x.Shape(), d, want, d), "", x.Shape())
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
	if len(e.Layers) > 0 && e.Layers[0].SelfAttn != nil {
		checkWidth("TransformerEncoder", x, e.Layers[0].SelfAttn.EmbedDim, e.Layers[0].Opts.BatchFirst)
	}
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
