#!/usr/bin/python3
"""The PyTorch side of docs/performance.md: the same float32 784-128(ReLU)-10(softmax) network, cross-entropy
and plain SGD as src/jmh/java/io/github/backprop4j/train/MnistBench.java, on the same MNIST files.

usage: /usr/bin/python3 bench/pytorch_mnist_bench.py MNIST_DIR [--threads N]
Thread counts of the BLAS library come from the environment (OPENBLAS_NUM_THREADS, MKL_NUM_THREADS,
OMP_NUM_THREADS); --threads sets torch.set_num_threads (default 1).

Prints, as medians: training samples/s at batch 32 and 128 (7 epochs after one warm-up epoch), the time to
predict one sample (7 runs of 2000 calls after warm-up), and samples/s predicting batches of 1000.
"""
import argparse
import glob
import gzip
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


def model():
    torch.manual_seed(1)
    return torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def train_epoch(net, opt, loss_fn, x, y, batch):
    start = time.perf_counter()
    n = (len(x) // batch) * batch  # whole batches only, as the Java benchmark
    for i in range(0, n, batch):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x[i:i + batch]), y[i:i + batch])  # log-softmax + NLL, fused
        loss.backward()
        opt.step()
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mnist_dir")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load(args.mnist_dir)
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
          f"MKL_NUM_THREADS={os.environ.get('MKL_NUM_THREADS')}, {len(x)} samples")
    loss_fn = torch.nn.CrossEntropyLoss()
    for batch in (32, 128):
        net = model()
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        train_epoch(net, opt, loss_fn, x, y, batch)  # warm-up
        rates = [train_epoch(net, opt, loss_fn, x, y, batch) for _ in range(7)]
        print(f"train batch {batch}: {statistics.median(rates):,.0f} samples/s (median of 7 epochs)")

    net = model().eval()
    one = x[:1]
    thousand = x[:1000]
    with torch.no_grad():
        for _ in range(2000):
            torch.softmax(net(one), dim=1)
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(2000):
                torch.softmax(net(one), dim=1)
            runs.append((time.perf_counter() - start) / 2000 * 1e6)
        print(f"predict 1 sample: {statistics.median(runs):.1f} us (median of 7 runs of 2000)")
        for _ in range(20):
            torch.softmax(net(thousand), dim=1)
        rates = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(20):
                torch.softmax(net(thousand), dim=1)
            rates.append(20 * 1000 / (time.perf_counter() - start))
        print(f"predict batch 1000: {statistics.median(rates):,.0f} samples/s (median of 7 runs of 20)")


if __name__ == "__main__":
    main()
