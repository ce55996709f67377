package repl

import (
	"strings"
	"testing"
)

// TestNNLayersAtPrompt: the layers of issue 14 built and run from the prompt.
func TestNNLayersAtPrompt(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"x := engine.Randn(2, 4, 6, 6)",
		"c := nn.NewConv2dHW(4, 3, 3, 1, engine.ConvOpts{StrideHW: [2]int{2, 1}, PaddingHW: [2]int{1, 0}})",
		"c.Forward(x).Shape()",
		"ct := nn.NewConvTranspose2d(4, 2, 3, engine.ConvOpts{Stride: 2, Padding: 1})",
		"ct.OutputPadding = [2]int{1, 1}",
		"ct.Forward(x).Shape()",
		"nn.NewConv1d(4, 5, 3, engine.ConvOpts{Padding: 1}).Forward(engine.Randn(2, 4, 9)).Shape()",
		"nn.NewAdaptiveAvgPool2d(1, 1).Forward(x).Shape()",
		"nn.NewUpsample(2, \"bilinear\").Forward(x).Shape()",
		"nn.NewGroupNorm(2, 4).Forward(x).Shape()",
		"nn.NewSequential([]nn.Module{nn.NewIdentity(), nn.NewFlatten(), nn.NewUnflatten(1, []int{4, 36})}).Forward(x).Shape()",
		"nn.NewGroupNorm(2, 6).Forward(x)",
	)
	want := "[2 3 3 6]\n[2 2 12 12]\n[2 5 9]\n[2 4 1 1]\n[2 4 12 12]\n[2 4 6 6]\n[2 4 36]\n"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("printed %q, want it to start with %q", got, want)
	}
	if !strings.Contains(got[len(want):], "GroupNorm: [2 4 6 6]: expected input [N, 6, *]") {
		t.Errorf("the shape error printed %q", got[len(want):])
	}
}

// TestNNSequenceAtPrompt: the recurrent networks from the prompt, with
// multiple results and lengths.
func TestNNSequenceAtPrompt(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"lstm := nn.NewLSTM(3, 4, nn.RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: true})",
		"o, h, c := lstm.RunLengths(engine.Randn(2, 5, 3), []int{5, 3}, nil, nil)",
		"o.Shape(), h.Shape(), c.Shape()",
		"len(lstm.Params()), lstm.Params()[4].Name",
		"nn.NewGRU(3, 4, nn.RNNOpts{}).Forward(engine.Randn(6, 3)).Shape()",
		"nn.NewRNN(3, 4, nn.RNNOpts{}).Forward(engine.Randn(6, 2, 5))",
	)
	want := "[2 5 8] [4 2 4] [4 2 4]\n16 \"weight_ih_l0_reverse\"\n[6 4]\n"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("printed %q, want it to start with %q", got, want)
	}
	if !strings.Contains(got[len(want):], "RNN: [6 2 5]: input_size=3") {
		t.Errorf("the shape error printed %q", got[len(want):])
	}
}

// TestNNAttentionAtPrompt: attention and the transformer encoder from the prompt.
func TestNNAttentionAtPrompt(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"x := engine.Randn(2, 5, 8)",
		"mha := nn.NewMultiheadAttention(8, 2, nn.MHAOpts{BatchFirst: true})",
		"o, w := mha.Attend(x, x, x, nn.Masks{Causal: true, KeyPadding: engine.Zeros(2, 5)})",
		"o.Shape(), w.Shape()",
		"el := nn.NewTransformerEncoderLayer(8, 2, nn.TransformerOpts{DimFeedforward: 16, Dropout: nn.Float(0), BatchFirst: true, NormFirst: true})",
		"enc := nn.NewTransformerEncoder(el, 2, nn.NewLayerNorm([]int{8}))",
		"enc.Run(x, nn.Masks{Causal: true}).Shape(), enc.Params()[0].Name",
		"engine.ScaledDotProductAttention(x, x, x, engine.AttentionOpts{Causal: true}).Shape()",
		"kv := nn.NewMultiheadAttention(8, 2, nn.MHAOpts{BatchFirst: true, KDim: 3, VDim: 4, AddBiasKV: true, AddZeroAttn: true})",
		"o2, w2 := kv.AttendWeights(x, engine.Randn(2, 6, 3), engine.Randn(2, 6, 4), nn.Masks{}, nn.WeightOpts{PerHead: true})",
		"o2.Shape(), w2.Shape(), kv.Params()[1].Name",
		"engine.New([]float32{3, 4}).Norm(0.5).Item() > 13.9",
		"nn.NewMultiheadAttention(96, 4, nn.MHAOpts{}).Forward(engine.Randn(16, 64, 128))",
	)
	want := "[2 5 8] [2 5 5]\n[2 5 8] \"layers.0.self_attn.in_proj_weight\"\n[2 5 8]\n[2 5 8] [2 2 5 8] \"k_proj_weight\"\ntrue\n"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("printed %q, want it to start with %q", got, want)
	}
	if !strings.Contains(got[len(want):], "MultiheadAttention: [16 64 128], [16 64 128], [16 64 128]: query [16 64 128] but embed_dim=96") {
		t.Errorf("the shape error printed %q", got[len(want):])
	}
}

// TestNNSchedulersAtPrompt: LambdaLR with a function typed at the prompt,
// and the other new schedulers.
func TestNNSchedulersAtPrompt(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"opt := nn.NewSGD(nn.NewLinear(2, 1).Params(), 1, nn.SGDOpts{})",
		"func warm(e int) float64 { if e < 3 { return float64(e+1) / 4 }; return 1 }",
		"sch := nn.NewLambdaLR(opt, warm)",
		"for i := 0; i < 4; i++ { sch.Step(); fmt.Println(opt.LR()) }",
		"nn.NewLambdaLR(opt, func(e int) float64 { return 0.5 }).LR()",
		"m := nn.NewMultiStepLR(opt, []int{1}, 0.1)",
		"m.Step()",
		"opt.LR()",
	)
	want := "0.5\n0.75\n1\n1\n0.5\n0.05\n"
	if got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}

// TestNNParamGroupsAtPrompt: a second parameter group from the prompt.
func TestNNParamGroupsAtPrompt(t *testing.T) {
	s, out := newSession(t)
	got := evalLines(t, s, out,
		"body, head := nn.NewLinear(2, 2), nn.NewLinear(2, 1)",
		"opt := nn.NewAdam(body.Params(), 0.01, nn.AdamOpts{})",
		"opt.AddParamGroup(nn.ParamGroup{Params: head.Params(), LR: nn.Float(0.1), WeightDecay: nn.Float(0)})",
		"sch := nn.NewStepLR(opt, 1, 0.5)",
		"sch.Step()",
		"opt.LR(), opt.GroupLR(1)",
		"func inv(e int) float64 { return 1 / float64(e+1) }",
		"lam := nn.NewLambdaLRGroups(opt, []func(int) float64{inv, func(e int) float64 { return 0.5 }})",
		"lam.Step()",
		"opt.LR(), opt.GroupLR(1)",
	)
	if want := "0.005 0.05\n0.0025 0.025\n"; got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}
