"""The PyTorch side of TestTorchInterop (nn/safetensors_test.go), run with
Debian's PyTorch 1.13, which has no safetensors package: files are read and
written here with torch.frombuffer and the raw bytes of tensors.

    /usr/bin/python3 torch_interop.py write DIR   writes DIR/torch.safetensors and DIR/torch.json
    /usr/bin/python3 torch_interop.py check DIR   checks DIR/dbr.safetensors, written by dbr from them

write: the state dict of a model trained one step in PyTorch and wrapped in
DataParallel's "module." prefix (BatchNorm's num_batches_tracked is int64),
plus tensors of the other dtypes of a state dict (bool, uint8, int32,
float16, bfloat16). torch.json holds their values and the model's output.

check: dbr loaded that file, stripped the prefix, and saved the model with
nn.Save, an F16 and a BF16 copy of fc1.weight with nn.WithFileDType, and
the other tensors as it read them. PyTorch must load the model strictly with
every dtype as PyTorch's own (num_batches_tracked int64), compute the same
output, and find the half-precision copies equal, bit for bit, to its own
conversion of the weight."""
import json
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def save(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        blob = bytes(t.contiguous().reshape(-1).view(torch.uint8).numpy()) if t.numel() else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        raw = bytearray(data[8 + n + b:8 + n + end])
        t = torch.frombuffer(raw, dtype=DTYPES[e["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"])
    return out


def model():
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))


X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 0.0, 1.0]])
EXTRA = {
    "mask": torch.tensor([True, False, True]),
    "pixels": torch.tensor([[0, 255], [7, 128]], dtype=torch.uint8),
    "ids": torch.tensor([-2147483648, 0, 2147483647], dtype=torch.int32),
    "half": torch.tensor([1.0, -2.0, 65504.0, 1e-7], dtype=torch.float16),
    "brain": torch.tensor([1.0, -5.0, 3.0e38], dtype=torch.bfloat16),
}


def write(d):
    torch.manual_seed(0)
    m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    m.train()
    m(X).pow(2).sum().backward()
    opt.step()
    m.eval()
    sd = {"module." + k: v for k, v in m.state_dict().items()}
    assert sd["module.1.num_batches_tracked"].dtype == torch.int64
    sd.update(EXTRA)
    save(d + "/torch.safetensors", sd)
    with torch.no_grad():
        y = m(X)
    ref = {k: v.double().reshape(-1).tolist() for k, v in sd.items()}
    ref["_input"] = X.reshape(-1).tolist()
    ref["_output"] = y.reshape(-1).tolist()
    with open(d + "/torch.json", "w") as f:
        json.dump(ref, f)


def check(d):
    got = load(d + "/dbr.safetensors")
    with open(d + "/torch.json") as f:
        ref = json.load(f)
    m = model()
    m.load_state_dict({k: v for k, v in got.items() if k[0].isdigit()}, strict=True)
    m.eval()
    assert got["1.num_batches_tracked"].dtype == torch.int64, got["1.num_batches_tracked"].dtype
    assert m[1].num_batches_tracked.item() == 1
    with torch.no_grad():
        y = m(X).reshape(-1).tolist()
    for a, b in zip(y, ref["_output"]):
        assert abs(a - b) <= 1e-6, (y, ref["_output"])
    w = got["0.weight"]
    assert got["fc1_f16"].dtype == torch.float16 and torch.equal(got["fc1_f16"], w.half()), (got["fc1_f16"], w.half())
    assert got["fc1_bf16"].dtype == torch.bfloat16 and torch.equal(got["fc1_bf16"], w.bfloat16()), (got["fc1_bf16"], w.bfloat16())
    for name, t in EXTRA.items():
        assert got[name].dtype == t.dtype and torch.equal(got[name], t), (name, got[name], t)
    print("ok", len(got), "tensors")


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
