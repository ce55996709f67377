"""The PyTorch side of TestStateDictTorch (nn/layers2_test.go): state dicts
of dbr's sequence and attention layers in PyTorch 1.13 and back, float32.

    /usr/bin/python3 torch_statedict.py write DIR KIND...
        writes DIR/KIND.torch.safetensors for each KIND: the state dict of a
        freshly initialized PyTorch layer, its input(s) and its output ("_x",
        "_out", ...)
    /usr/bin/python3 torch_statedict.py check DIR KIND...
        loads DIR/KIND.dbr.safetensors (nn.Save of the dbr layer) with
        strict=True, runs it on the inputs in DIR/KIND.io.safetensors and
        prints "ok KIND <max diff>" when the output is within 1e-5 of dbr's
        ("_out"); it stops at the first that is not

KIND names a layer and its configuration; the Go test builds the same.
"""
import sys

import torch

from torch_interop import load, save


def build(kind):
    torch.manual_seed(1)
    if kind == "lstm":
        return torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    if kind == "gru":
        return torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
    if kind == "mha":
        return torch.nn.MultiheadAttention(8, 2, batch_first=True)
    if kind == "mha-kv":
        return torch.nn.MultiheadAttention(8, 2, batch_first=True, kdim=5, vdim=3, add_bias_kv=True, add_zero_attn=True)
    if kind == "encoder":
        return torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=True, activation="gelu")
    raise SystemExit("unknown kind " + kind)


def inputs(kind):
    g = torch.Generator().manual_seed(2)
    if kind == "lstm":
        return {"_x": torch.randn(2, 4, 3, generator=g)}
    if kind == "gru":
        return {"_x": torch.randn(4, 2, 3, generator=g)}
    if kind in ("mha", "encoder"):
        # the key padding mask hides the last key of the second sequence
        return {"_x": torch.randn(2, 4, 8, generator=g), "_pad": torch.tensor([[0., 0, 0, 0], [0, 0, 0, 1]])}
    if kind == "mha-kv":
        return {"_x": torch.randn(2, 4, 8, generator=g), "_k": torch.randn(2, 4, 5, generator=g),
                "_v": torch.randn(2, 4, 3, generator=g), "_pad": torch.tensor([[0., 0, 0, 0], [0, 0, 0, 1]])}


def run(kind, m, io):
    m.eval()
    with torch.no_grad():
        x = io["_x"]
        if kind == "lstm":
            out, (h, c) = m(x)
            return torch.cat([out.reshape(-1), h.reshape(-1), c.reshape(-1)])
        if kind == "gru":
            out, h = m(x)
            return torch.cat([out.reshape(-1), h.reshape(-1)])
        pad = io["_pad"].bool()
        causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)
        if kind == "mha":
            out, w = m(x, x, x, key_padding_mask=pad, attn_mask=causal)
            return torch.cat([out.reshape(-1), w.reshape(-1)])
        if kind == "mha-kv":
            out, w = m(x, io["_k"], io["_v"], key_padding_mask=pad, attn_mask=causal, average_attn_weights=False)
            return torch.cat([out.reshape(-1), w.reshape(-1)])
        return m(x, src_mask=causal, src_key_padding_mask=pad).reshape(-1)


def write(d, kind):
    m = build(kind)
    io = inputs(kind)
    sd = dict(m.state_dict())
    sd.update(io)
    sd["_out"] = run(kind, m, io)
    save("%s/%s.torch.safetensors" % (d, kind), {k: v.float().contiguous() for k, v in sd.items()})


def check(d, kind):
    m = build(kind)
    sd = load("%s/%s.dbr.safetensors" % (d, kind))
    m.load_state_dict(sd, strict=True)
    io = load("%s/%s.io.safetensors" % (d, kind))
    got = run(kind, m, io)
    diff = (got - io["_out"].reshape(-1)).abs().max().item()
    if got.numel() != io["_out"].numel() or not diff <= 1e-5:
        raise SystemExit("%s: outputs differ: max abs difference %g (%d vs %d values)" % (kind, diff, got.numel(), io["_out"].numel()))
    print("ok", kind, diff)


if __name__ == "__main__":
    for k in sys.argv[3:]:
        {"write": write, "check": check}[sys.argv[1]](sys.argv[2], k)
