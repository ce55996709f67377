"""Writes torch_mlp.safetensors and torch_mlp.json, the PyTorch side of the
checkpoint interop test (nn/checkpoint_test.go). Run from nn/testdata with
Debian's PyTorch:  /usr/bin/python3 safetensors_gen.py

The file holds a torch.nn state_dict, F32 (Linear 3->4, Linear 4->2,
BatchNorm1d(4) with its I64 num_batches_tracked), plus one F64 tensor; the
JSON holds the same values, and the outputs of the first Linear layer and of
fc2(bn(fc1(x))) with bn in eval mode on a fixed input, computed by PyTorch."""
import json

import torch

import safetensors_py

torch.manual_seed(0)
fc1 = torch.nn.Linear(3, 4)
fc2 = torch.nn.Linear(4, 2)
bn = torch.nn.BatchNorm1d(4)
bn.train()
with torch.no_grad():
    bn(torch.randn(8, 4) * 2 + 1)  # moves the running stats away from 0/1
sd = {}
for prefix, m in (("fc1", fc1), ("fc2", fc2), ("bn", bn)):
    for k, v in m.state_dict().items():
        sd[prefix + "." + k] = v
sd["extra64"] = torch.linspace(-1, 1, 5, dtype=torch.float64).reshape(5)

tensors = []
for name, v in sd.items():
    dtype = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}[v.dtype]
    tensors.append((name, dtype, list(v.shape), v.reshape(-1).tolist()))
safetensors_py.write("torch_mlp.safetensors", tensors, {"format": "pt"})

x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
bn.eval()
with torch.no_grad():
    y = fc1(x)
    z = fc2(bn(fc1(x)))
ref = {name: {"shape": list(v.shape), "values": v.reshape(-1).tolist()} for name, v in sd.items()}
ref["_input"] = {"shape": list(x.shape), "values": x.reshape(-1).tolist()}
ref["_fc1_output"] = {"shape": list(y.shape), "values": y.reshape(-1).tolist()}
ref["_model_output"] = {"shape": list(z.shape), "values": z.reshape(-1).tolist()}
with open("torch_mlp.json", "w") as f:
    json.dump(ref, f, indent=1)

# Round trip through this reader, as a self-check of the writer.
back, meta = safetensors_py.read("torch_mlp.safetensors")
assert meta == {"format": "pt"}
for name, v in sd.items():
    assert back[name][2] == v.reshape(-1).tolist(), name
print("wrote torch_mlp.safetensors and torch_mlp.json")
