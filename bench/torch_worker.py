"""PyTorch side of dbr's side-by-side benchmark (driven by `go run ./bench`).

Reads one JSON request per line on stdin: {"name": ..., "args": {...},
"threads": n, "min_time": seconds}; builds the workload once per
(name, args), warms it up, times repeated calls for at least min_time and
answers {"sec": seconds per call} (or {"error": ...}) on stdout. The same
workloads are written in Go in bench/*.go; keep the two in step.
"""
import ctypes
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(0)

# When the driver puts OpenBLAS first on LD_LIBRARY_PATH, its thread count is
# set along with torch's so that "threads" means the same for both.
try:
    _blas = ctypes.CDLL("libblas.so.3")
    _set_blas_threads = getattr(_blas, "openblas_set_num_threads", None)
except OSError:
    _set_blas_threads = None


def blas_name():
    return "openblas" if _set_blas_threads else "reference"


def blas_core():
    """The OpenBLAS kernel family in use (e.g. Haswell, SkylakeX, Cooperlake)."""
    f = getattr(_blas, "openblas_get_corename", None) if _set_blas_threads else None
    if f is None:
        return ""
    f.restype = ctypes.c_char_p
    return f().decode()


def gemm_check(n=512, rows=16):
    """Largest error of torch.mm on n×n float32 operands over some rows, as a
    fraction of the error bound n·2⁻²³·(|A|·|B|) of float32 accumulation,
    against a float64 product computed without BLAS (elementwise product and
    sum): above 1 the BLAS computes wrong results."""
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
    c = torch.mm(a, b).double()
    idx = torch.linspace(0, n - 1, rows).long()
    a64, b64 = a[idx].double(), b.double()
    terms = a64[:, :, None] * b64[None, :, :]
    ref, mag = terms.sum(1), terms.abs().sum(1)
    return ((c[idx] - ref).abs() / (n * 2.0 ** -23 * mag)).max().item()


def gemm(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: torch.mm(a, b)


def add(n, grad):
    a = torch.randn(n, requires_grad=grad)
    b = torch.randn(n)
    return lambda: a + b


def tiny():
    x = torch.randn(8, 16)
    w = torch.randn(16, 4, requires_grad=True)
    b = torch.randn(4, requires_grad=True)

    def step():
        (x @ w + b).sum().backward()
    return step


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 256)
        self.fc2 = torch.nn.Linear(256, 128)
        self.fc3 = torch.nn.Linear(128, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc = torch.nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(x.flatten(1))


def train_step(model, shape, batch):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def fashion_mnist(directory):
    """The training split as float images in [0, 1] (N, 784) and int64 labels."""
    import gzip
    import os
    import numpy as np
    with gzip.open(os.path.join(directory, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(directory, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(x.astype(np.float32) / 255), torch.from_numpy(y.astype(np.int64))


def epoch(directory):
    """One epoch of the MLP, batch 64, shuffled, SGD lr 0.1, as bench/epoch/main.go."""
    x, y = fashion_mnist(directory)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
    model = MLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def run():
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
    return run


def softmax_ce(n, c):
    x = torch.randn(n, c, requires_grad=True)
    y = torch.randint(0, c, (n,))

    def step():
        x.grad = None
        F.cross_entropy(x, y).backward()
    return step


def lstm_step():
    """As bench/seq.go's lstmStep: a one-layer LSTM (input 256, hidden 256)
    over x [35, 32, 256], the sum of its output backpropagated."""
    m = torch.nn.LSTM(256, 256)
    x = torch.randn(35, 32, 256)

    def step():
        m.zero_grad()
        m(x)[0].sum().backward()
    return step


def transformer_step():
    """As bench/seq.go's transformerStep: one encoder block (d_model 128,
    4 heads, feed-forward 512, ReLU, no dropout, norms after the blocks) over
    x [64, 16, 128], the sum of its output backpropagated."""
    m = torch.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0)
    x = torch.randn(64, 16, 128)

    def step():
        m.zero_grad()
        m(x).sum().backward()
    return step


def tanh_exp(n):
    x = torch.randn(n)
    return lambda: x.tanh().exp()


def build(name, args):
    if name == "gemm":
        return gemm(args["n"])
    if name == "add":
        return add(args["n"], args["grad"])
    if name == "tiny":
        return tiny()
    if name == "softmax_ce":
        return softmax_ce(args["n"], args["c"])
    if name == "tanh_exp":
        return tanh_exp(args["n"])
    if name == "lstm":
        return lstm_step()
    if name == "transformer":
        return transformer_step()
    if name == "mlp":
        return train_step(MLP(), (784,), args["batch"])
    if name == "epoch":
        return epoch(args["dir"])
    if name == "cnn":
        return train_step(CNN(), (1, 28, 28), args["batch"])
    raise ValueError("unknown workload " + name)


def measure(f, min_time):
    """Wall and CPU (process) seconds per call, as bench/main.go's measure."""
    f()
    n, total = 1, 0.0
    while True:
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            f()
        total = time.perf_counter() - t0
        if total >= min_time:
            return total / n, (time.process_time() - c0) / n
        n = max(n * 2, int(n * min_time / max(total, 1e-9) * 1.2))


def main():
    cache = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["name"] == "info":
                print(json.dumps({"torch": torch.__version__, "blas": blas_name(), "core": blas_core(),
                                  "gemm_err": gemm_check()}), flush=True)
                continue
            torch.set_num_threads(req.get("threads", 1))
            if _set_blas_threads:
                _set_blas_threads(req.get("threads", 1))
            key = json.dumps([req["name"], req["args"]], sort_keys=True)
            if key not in cache:
                cache[key] = build(req["name"], req["args"])
            if req.get("once"):
                t0, c0 = time.perf_counter(), time.process_time()
                cache[key]()
                out = {"sec": time.perf_counter() - t0, "cpu": time.process_time() - c0}
            else:
                sec, cpu = measure(cache[key], req.get("min_time", 0.2))
                out = {"sec": sec, "cpu": cpu}
        except Exception as e:  # reported to the Go side, which prints it
            out = {"error": repr(e)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
