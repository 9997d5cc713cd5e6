#!/usr/bin/python3
"""The PyTorch side of bench/run_side_by_side.sh: the rows that src/jmh/java/io/github/backprop4j/bench/FitBench.java
measures for backprop4j, on the same MNIST files, printed as JSON lines for bench/summarize.py.

usage: /usr/bin/python3 bench/pytorch_mnist_bench.py MNIST_DIR [--threads N] [--blas-threads N] [--config LABEL]
           [--rows fit,predict,optimizers] [--precisions float32,float64] [--warmup 1] [--epochs 7]
           [--min-epochs 3] [--seconds 20] [--runs 7] [--run-seconds 0.2]
       /usr/bin/python3 bench/pytorch_mnist_bench.py MNIST_DIR --probe
--threads sets torch.set_num_threads (default 1); --blas-threads sets OpenBLAS's threads through
openblas_set_num_threads (default: whatever OPENBLAS_NUM_THREADS gave). Which OpenBLAS kernels run is chosen by
OPENBLAS_CORETYPE in the environment before the library loads, so the shell script picks it per process.

Rows, as in FitBench:
- fit: 784-128(ReLU)-10, CrossEntropyLoss on the logits (log-softmax + NLL, fused), plain SGD (lr 0.01), one epoch
  over all the training digits in order in slices of 32 and 128 (the last one short, as backprop4j's
  Trainer.fit makes it); one warm-up epoch, then the timed epochs (--epochs, at least --min-epochs and then only
  while the row's timed epochs took under --seconds); median samples/s.
- optimizers: the same at 784-256-10 with batches of 32 and 64 for SGD (0.01), Adam (1e-3), AdamW (1e-3, weight
  decay 1e-2), RMSprop (1e-3) and Adagrad (1e-2), torch's other defaults.
- predict: softmax(net(x)) under no_grad for one sample (median over runs of the mean latency, us) and for
  batches of 1000 (median samples/s).
--probe prints only the BLAS library, its kernel set and the GFLOP/s of a 128x784 . 784x128 product in float32
and float64 (one thread), for choosing OPENBLAS_CORETYPE.
Every line names the BLAS library loaded (from /proc/self/maps) and openblas_get_corename().
"""
import argparse
import ctypes
import glob
import gzip
import json
import os
import statistics
import struct
import time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory):
    images = sorted(glob.glob(os.path.join(directory, "train*images*")))[0]
    labels = sorted(glob.glob(os.path.join(directory, "train*labels*")))[0]
    x = torch.from_numpy(read_idx(images).reshape(-1, 784).astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(labels).astype(np.int64))
    return x, y


class Blas:
    """The BLAS libraries this process has mapped, and OpenBLAS's kernel set and threads if it is one of them."""

    def __init__(self):
        torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # make sure the BLAS is loaded
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps
                            if "/" in line and ("blas" in line.lower() or "lapack" in line.lower())})
        self.libraries = paths
        self.openblas = None
        for p in paths:
            if "openblas" in os.path.basename(p):
                lib = ctypes.CDLL(p)
                if hasattr(lib, "openblas_get_corename"):
                    self.openblas = lib
                    self.openblas_path = p
                    break
        if self.openblas is not None:
            self.openblas.openblas_get_corename.restype = ctypes.c_char_p
            self.openblas.openblas_get_config.restype = ctypes.c_char_p

    def corename(self):
        return self.openblas.openblas_get_corename().decode() if self.openblas else None

    def threads(self):
        return self.openblas.openblas_get_num_threads() if self.openblas else None

    def set_threads(self, n):
        if self.openblas is None:
            raise SystemExit(f"--blas-threads {n}: no OpenBLAS is loaded (BLAS libraries: {self.libraries})")
        self.openblas.openblas_set_num_threads(n)

    def describe(self):
        return {
            "blas": self.openblas_path if self.openblas else " ".join(self.libraries) or "none found",
            "openblas": self.openblas is not None,
            "openblas_config": self.openblas.openblas_get_config().decode() if self.openblas else None,
            "corename": self.corename(),
            "coretype_env": os.environ.get("OPENBLAS_CORETYPE") or None,
            "blas_threads": self.threads(),
        }


def gemm_gflops(dtype, runs=5, n=100):
    """GFLOP/s of a 128x784 . 784x128 product, the size of a batch-128 weight gradient: median of runs of n."""
    g = torch.Generator().manual_seed(3)
    a = torch.rand(128, 784, generator=g, dtype=dtype)
    b = torch.rand(784, 128, generator=g, dtype=dtype)
    out = torch.empty(128, 128, dtype=dtype)
    for _ in range(50):
        torch.mm(a, b, out=out)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(n):
            torch.mm(a, b, out=out)
        rates.append(2 * 128 * 784 * 128 * n / (time.perf_counter() - start) * 1e-9)
    return statistics.median(rates)


def model(hidden, dtype):
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    return net.to(dtype)


def optimizer(name, params):
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.01)
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=1e-3)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=1e-2)
    raise ValueError(name)


def train_epoch(net, opt, loss_fn, x, y, batch):
    """One epoch over every sample in order, the last batch short; returns (samples/s, mean loss)."""
    start = time.perf_counter()
    total = 0.0
    for i in range(0, len(x), batch):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x[i:i + batch]), y[i:i + batch])
        loss.backward()
        opt.step()
        total += loss.item() * min(batch, len(x) - i)
    return len(x) / (time.perf_counter() - start), total / len(x)


def time_runs(call, warmup_calls, runs, run_seconds):
    """Warms up (warmup_calls calls and at least half a second), then times runs of about run_seconds each:
    the mean seconds per call of each run."""
    start = time.perf_counter()
    calls = 0
    while calls < warmup_calls or time.perf_counter() - start < 0.5:
        call()
        calls += 1
    per_run = max(1, round(run_seconds / ((time.perf_counter() - start) / calls)))
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(per_run):
            call()
        out.append((time.perf_counter() - t0) / per_run)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mnist_dir")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--blas-threads", type=int)
    parser.add_argument("--config", default=None)
    parser.add_argument("--rows", default="fit,predict,optimizers")
    parser.add_argument("--precisions", default="float32,float64")
    parser.add_argument("--epochs", type=int, default=7)
    parser.add_argument("--min-epochs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--run-seconds", type=float, default=0.2)
    parser.add_argument("--probe", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    blas = Blas()
    if args.blas_threads is not None:
        blas.set_threads(args.blas_threads)
    base = {"side": "pytorch", "torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    base.update(blas.describe())
    base["config"] = args.config or f"{base['torch_threads']} torch + {base['blas_threads']} BLAS threads"

    def emit(**fields):
        line = dict(base)
        line.update(fields)
        print(json.dumps(line), flush=True)

    if args.probe:
        emit(row="probe", float32_gflops=round(gemm_gflops(torch.float32), 2),
             float64_gflops=round(gemm_gflops(torch.float64), 2))
        return

    x32, y = load(args.mnist_dir)
    emit(row="meta", rows=args.rows, precisions=args.precisions, samples=len(x32),
         float32_gflops=round(gemm_gflops(torch.float32, runs=3), 2),
         float64_gflops=round(gemm_gflops(torch.float64, runs=3), 2))
    rows = args.rows.split(",")
    loss_fn = torch.nn.CrossEntropyLoss()
    for precision in args.precisions.split(","):
        dtype = {"float32": torch.float32, "float64": torch.float64}[precision]
        x = x32.to(dtype)
        fits = []
        if "fit" in rows:
            fits += [(128, "sgd", b) for b in (32, 128)]
        if "optimizers" in rows:
            fits += [(256, name, b) for name in ("sgd", "adam", "adamw", "rmsprop", "adagrad") for b in (32, 64)]
        for hidden, name, batch in fits:
            net = model(hidden, dtype)
            opt = optimizer(name, net.parameters())
            for _ in range(args.warmup):
                train_epoch(net, opt, loss_fn, x, y, batch)
            rates, timed, loss = [], 0.0, None
            while len(rates) < args.epochs and (len(rates) < args.min_epochs or timed < args.seconds):
                rate, loss = train_epoch(net, opt, loss_fn, x, y, batch)
                rates.append(rate)
                timed += len(x) / rate
            emit(precision=precision, row="train", net=f"784-{hidden}-10", optimizer=name, batch=batch,
                 value=statistics.median(rates), unit="samples/s", runs=rates, loss=loss)
        if "predict" in rows:
            net = model(128, dtype).eval()
            one = x[:1]
            thousand = x[:1000]
            with torch.no_grad():
                latencies = time_runs(lambda: torch.softmax(net(one), dim=1), 3000, args.runs, args.run_seconds)
                emit(precision=precision, row="predict1", net="784-128-10", batch=1,
                     value=statistics.median(latencies) * 1e6, unit="us", runs=[s * 1e6 for s in latencies])
                latencies = time_runs(lambda: torch.softmax(net(thousand), dim=1), 10, args.runs, args.run_seconds)
                emit(precision=precision, row="predict1000", net="784-128-10", batch=1000,
                     value=1000 / statistics.median(latencies), unit="samples/s", runs=[1000 / s for s in latencies])


if __name__ == "__main__":
    main()
