"""A minimal pure-Python safetensors reader and writer (Debian's PyTorch 1.13
has no `safetensors` package). The format: an 8-byte little-endian header
length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets"}, ...,
"__metadata__": {...}}, then the raw little-endian data.

Used by safetensors_gen.py (writes the interop file dbr's tests load) and by
safetensors_check.py (checks a file dbr wrote)."""
import json
import struct

_FMT = {"F64": ("d", 8), "F32": ("f", 4), "I64": ("q", 8), "I32": ("i", 4), "U8": ("B", 1)}


def write(path, tensors, metadata=None):
    """tensors: list of (name, dtype, shape, flat list of values)."""
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        code, size = _FMT[dtype]
        blob = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read(path):
    """Returns ({name: (dtype, shape, flat values)}, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    for name, e in header.items():
        code, size = _FMT[e["dtype"]]
        b, end = e["data_offsets"]
        count = 1
        for s in e["shape"]:
            count *= s
        assert end - b == count * size, name
        assert base + end <= len(data), name
        out[name] = (e["dtype"], e["shape"], list(struct.unpack("<%d%s" % (count, code), data[base + b:base + end])))
    return out, meta
