#!/usr/bin/python3
"""Prints the targets table of issue 12 (markdown) from one side-by-side run (bench/run_side_by_side.sh).

usage: /usr/bin/python3 bench/summarize.py [OUT_DIR]      (default target/bench)
Reads OUT_DIR/backprop4j.jsonl (FitBench, PeakFlops), OUT_DIR/pytorch.jsonl and probe.jsonl
(bench/pytorch_mnist_bench.py), OUT_DIR/jmh-<path>.json (JMH MnistBench.trainStep) and machine.txt.

For every backprop4j path and row: PyTorch's best configuration (1 thread, or 1 torch + 2 BLAS threads) in the
path's precision, backprop4j with 1 and 2 threads, the ratio of the better of each side, the ratio of the
one-thread pair, the target (must / aim) and whether it is met; and backprop4j's better value on the newest
JDK with its ratio against the same PyTorch value. Throughput ratios are backprop4j / PyTorch (higher is
better); latency ratios too, as backprop4j's latency / PyTorch's (lower is better).
"""
import glob
import json
import os
import statistics
import sys

# FLOP of one training sample of 784-128-10: forward 2·(784·128 + 128·10), weight gradients the same, and the
# error signal of the hidden layer 2·128·10; none for the input layer (its error signal is never needed).
FLOP_PER_SAMPLE = 4 * 784 * 128 + 6 * 128 * 10  # 409,088

PATHS = {
    "float32-vector": ("float32", "float32, Vector API (--add-modules jdk.incubator.vector)"),
    "float32-noflag": ("float32", "float32, no JVM flag"),
    "float64-vector": ("float64", "float64 (with the flag)"),
    "float64-noflag": ("float64", "float64 without the flag"),
}
# (row, batch) -> path -> (must, aim); for predict1 the numbers are the largest allowed latency ratio.
TARGETS = {
    ("train", 32): {"float32-vector": (2.0, 3.0), "float32-noflag": (0.5, 1.0), "float64-vector": (1.0, 1.5),
                    "float64-noflag": (0.5, None)},
    ("train", 128): {"float32-vector": (1.0, 1.5), "float32-noflag": (0.25, 0.5), "float64-vector": (1.0, 1.5)},
    ("predict1", 1): {"float32-vector": (1 / 3, 1 / 5), "float32-noflag": (1.0, 0.5), "float64-vector": (0.5, None)},
    ("predict1000", 1000): {"float32-vector": (1.0, 1.5), "float32-noflag": (0.25, 0.5), "float64-vector": (1.0, 1.5)},
}
ROW_NAMES = {("train", 32): "train, batch 32 (samples/s)", ("train", 128): "train, batch 128 (samples/s)",
             ("predict1", 1): "predict 1 sample (µs)", ("predict1000", 1000): "predict, batches of 1000 (samples/s)"}
OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]
OPT_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSProp", "adagrad": "AdaGrad"}


def read_lines(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def lower_is_better(row):
    return row == "predict1"


def best(values, row):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return min(values) if lower_is_better(row) else max(values)


def fmt(v, row):
    if v is None:
        return "—"
    if lower_is_better(row):
        return f"{v:.1f}" if v >= 10 else f"{v:.2f}"
    return f"{v:,.0f}"


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}×"


def verdict(ratio, target, row):
    if ratio is None or target is None:
        return "—"
    must, aim = target
    ok = (lambda r, t: r <= t) if lower_is_better(row) else (lambda r, t: r >= t)
    if not ok(ratio, must):
        return "**not met**"
    if aim is not None and ok(ratio, aim):
        return "met, aim met"
    return "met"


def fmt_target(target, row):
    if target is None:
        return "—"
    must, aim = target

    def one(t):
        if t is None:
            return "—"
        if lower_is_better(row):
            return "≤ " + {1 / 3: "⅓", 1 / 5: "⅕", 0.5: "½", 1.0: "1"}.get(t, f"{t:.2f}") + "×"
        return f"{t:g}×"
    return f"{one(must)} / {one(aim)}"


class Run:
    def __init__(self, out):
        self.out = out
        self.b4j = read_lines(os.path.join(out, "backprop4j.jsonl"))
        self.torch = read_lines(os.path.join(out, "pytorch.jsonl"))
        self.probes = read_lines(os.path.join(out, "probe.jsonl"))
        self.jmh = {}
        for path in glob.glob(os.path.join(out, "jmh-*.json")):
            label = os.path.basename(path)[4:-5]
            try:
                with open(path) as f:
                    self.jmh[label] = json.load(f)
            except ValueError:
                self.jmh[label] = []
        jdks = sorted({r["jdk"] for r in self.b4j if "jdk" in r})
        self.jdk17 = 17 if 17 in jdks else (jdks[0] if jdks else None)
        self.newest = max(jdks) if jdks and max(jdks) != self.jdk17 else None

    def b4j_value(self, path, row, batch, threads, jdk, net="784-128-10", optimizer=None):
        for r in self.b4j:
            if (r.get("path") == path and r.get("row") == row and r.get("batch") == batch
                    and r.get("threads") == threads and r.get("jdk") == jdk and r.get("net") == net
                    and (optimizer is None or r.get("optimizer") == optimizer)):
                return r
        return None

    def torch_rows(self, precision, row, batch, net="784-128-10", optimizer=None):
        return [r for r in self.torch if r.get("precision") == precision and r.get("row") == row
                and r.get("batch") == batch and r.get("net") == net
                and (optimizer is None or r.get("optimizer") == optimizer)]

    def torch_best(self, precision, row, batch, net="784-128-10", optimizer=None):
        rows = self.torch_rows(precision, row, batch, net, optimizer)
        if not rows:
            return None, None
        r = (min if lower_is_better(row) else max)(rows, key=lambda x: x["value"])
        return r["value"], f"{r['config']}, {r['corename'] or 'no OpenBLAS'}"

    def torch_one_thread(self, precision, row, batch, net="784-128-10", optimizer=None):
        for r in self.torch_rows(precision, row, batch, net, optimizer):
            if r.get("config") == "1 thread":
                return r["value"]
        return None

    def peak(self, precision, jdk):
        for r in self.b4j:
            if r.get("row") == "peak" and r.get("precision") == precision and r.get("jdk") == jdk:
                return r
        return None

    def raw_step_entry(self, path, batch, threads):
        for r in self.jmh.get(path, []):
            p = r.get("params", {})
            if r["benchmark"].endswith(".trainStep") and int(p.get("batchSize", 0)) == batch \
                    and int(p.get("threads", 0)) == threads:
                return r
        return None

    def raw_step(self, path, batch, threads):
        """samples/s of the JMH raw step: median of the measurement iterations × batch; and its allocation."""
        r = self.raw_step_entry(path, batch, threads)
        if r is None:
            return None, None
        ops = statistics.median(x for run in r["primaryMetric"]["rawData"] for x in run)
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        return ops * batch, (alloc["score"] if alloc else None)

    def raw_step_spread(self, path, batch, threads):
        """The fastest measurement iteration over the slowest: far above 1 when the JIT was still compiling."""
        r = self.raw_step_entry(path, batch, threads)
        if r is None:
            return None
        xs = [x for run in r["primaryMetric"]["rawData"] for x in run]
        return max(xs) / min(xs) if xs and min(xs) > 0 else None


    # ------------------------------------------------------------ the cells the tables share
    def b4j_best(self, path, row, batch, jdk, net="784-128-10", optimizer=None):
        values = [(self.b4j_value(path, row, batch, t, jdk, net, optimizer) or {}).get("value") for t in (1, 2)]
        return best(values, row)

    def main_ratio(self, path, key):
        """backprop4j's better of 1 / 2 threads against PyTorch's best configuration, JDK 17."""
        row, batch = key
        pt, _ = self.torch_best(PATHS[path][0], row, batch)
        return ratio(self.b4j_best(path, row, batch, self.jdk17), pt, row)

    def optimizer_ratios(self, path):
        """(ratio, optimizer, batch) of every adaptive optimizer row, JDK 17."""
        out = []
        for name in OPTIMIZERS[1:]:
            for batch in (32, 64):
                pt, _ = self.torch_best(PATHS[path][0], "train", batch, "784-256-10", name)
                b = self.b4j_best(path, "train", batch, self.jdk17, "784-256-10", name)
                r = ratio(b, pt, "train")
                if r is not None:
                    out.append((r, name, batch))
        return out

    def update_share(self, path, name, batch, threads=1):
        """(t_optimizer − t_sgd) / t_optimizer per sample on one thread: the update's cost beyond SGD's."""
        v = (self.b4j_value(path, "train", batch, threads, self.jdk17, "784-256-10", name) or {}).get("value")
        sgd = (self.b4j_value(path, "train", batch, threads, self.jdk17, "784-256-10", "sgd") or {}).get("value")
        if not v or not sgd:
            return None
        return (1 / v - 1 / sgd) / (1 / v)

    def fit_over_raw(self, path):
        """(fit / raw, batch, threads) for every raw-step measurement of the path."""
        out = []
        for batch in (32, 128):
            for threads in (1, 2):
                raw, _ = self.raw_step(path, batch, threads)
                fit = (self.b4j_value(path, "train", batch, threads, self.jdk17) or {}).get("value")
                r = ratio(fit, raw, "train")
                if r is not None:
                    out.append((r, batch, threads))
        return out

    def peak_share(self, path, source):
        """GFLOP/s of a batch-128 one-thread step (JMH raw step or Trainer.fit) over the path's peak."""
        peak = self.peak(PATHS[path][0], self.jdk17)
        if source == "raw":
            v, _ = self.raw_step(path, 128, 1)
        else:
            v = (self.b4j_value(path, "train", 128, 1, self.jdk17) or {}).get("value")
        if peak is None or v is None:
            return None
        return v * FLOP_PER_SAMPLE * 1e-9 / peak["value"]

    def allocations(self, path):
        """Steady-state bytes per step: [(label, bytes)] of Trainer.fit (1 thread) and of the raw step."""
        out = []
        for batch in (32, 128):
            fit = self.b4j_value(path, "train", batch, 1, self.jdk17)
            if fit and fit.get("alloc_bytes_per_step") is not None:
                out.append((f"fit b{batch}", fit["alloc_bytes_per_step"]))
        for batch in (32, 128):
            for threads in (1, 2):
                _, alloc = self.raw_step(path, batch, threads)
                if alloc is not None:
                    out.append((f"raw b{batch}/{threads}t", alloc))
        return out


ALLOCATION_LIMIT = 1024  # bytes per steady-state step: "a small constant" (today's raw step: 33–339 B)


def ratio(b, t, row):
    if b is None or t is None or t == 0:
        return None
    return b / t


# Trainer.fit runs the raw step and more: faster by this much means the raw step was still being compiled.
IMPLAUSIBLE = 1.2


def fit_over_raw_verdict(r):
    if r is None:
        return "—"
    if r > IMPLAUSIBLE:
        return "**implausible: the raw step was still compiling? rerun**"
    return "met" if r >= 0.9 else "**not met**"


def bytes_cell(v):
    return "—" if v is None else f"{v:,.0f}"


def overview(run):
    """The targets table in the issue's shape: one row per target, one column per path."""
    paths = [path for path in PATHS if any(r.get("path") == path for r in run.b4j)]
    lines = ["| target | " + " | ".join(PATHS[path][1] for path in paths) + " |",
             "| --- |" + " --- |" * len(paths)]

    def cell(r, target, row):
        if r is None:
            return "—"
        if target is None:
            return fmt_ratio(r)
        return f"{fmt_ratio(r)} ({fmt_target(target, row)}): {verdict(r, target, row)}"

    for key, name in ROW_NAMES.items():
        lines.append(f"| {name} | " + " | ".join(cell(run.main_ratio(path, key), TARGETS[key].get(path), key[0])
                                                for path in paths) + " |")
    cells = []
    for path in paths:
        rs = run.optimizer_ratios(path)
        if not rs:
            cells.append("—")
            continue
        worst = min(rs)
        cells.append(f"worst {fmt_ratio(worst[0])} ({OPT_NAMES[worst[1]]}, b{worst[2]}) of {len(rs)} "
                     f"(2× / 3×): {verdict(worst[0], (2.0, 3.0), 'train')}")
    lines.append("| Adam, AdamW, RMSProp, AdaGrad at batch 32 and 64, 784-256-10 | " + " | ".join(cells) + " |")
    cells = []
    for path in paths:
        shares = [(run.update_share(path, name, 64), name) for name in OPTIMIZERS[1:]]
        shares = [x for x in shares if x[0] is not None]
        if not shares:
            cells.append("—")
            continue
        worst = max(shares)
        cells.append(f"worst {worst[0] * 100:.0f} % ({OPT_NAMES[worst[1]]}) (≤ 10 %): "
                     + ("met" if worst[0] <= 0.10 else "**not met**"))
    lines.append("| update beyond SGD's, share of the step, batch 64, 1 thread | " + " | ".join(cells) + " |")
    cells = []
    for path in paths:
        raw, fit = run.peak_share(path, "raw"), run.peak_share(path, "fit")
        if raw is None and fit is None:
            cells.append("—")
            continue
        text = (f"raw step {'—' if raw is None else f'{raw * 100:.0f} %'}, Trainer.fit "
                f"{'—' if fit is None else f'{fit * 100:.0f} %'}")
        if path == "float32-vector" and raw is not None:
            text += " (50 % / 65 %): " + ("**not met**" if raw < 0.5 else "met, aim met" if raw >= 0.65 else "met")
        cells.append(text)
    lines.append("| whole step, batch 128, 1 thread, share of the peak | " + " | ".join(cells) + " |")
    cells = []
    for path in paths:
        rs = run.fit_over_raw(path)
        if not rs:
            cells.append("—")
            continue
        worst = min(rs)
        text = (f"worst {worst[0] * 100:.0f} % (b{worst[1]}, {worst[2]} thread{'s' if worst[2] > 1 else ''})"
                f" (≥ 90 %): " + fit_over_raw_verdict(worst[0]))
        if max(rs)[0] > IMPLAUSIBLE and worst[0] <= IMPLAUSIBLE:
            text += "; some raw steps implausibly slow (still compiling?)"
        cells.append(text)
    lines.append("| Trainer.fit over the raw step | " + " | ".join(cells) + " |")
    cells = []
    for path in paths:
        allocs = run.allocations(path)
        if not allocs:
            cells.append("—")
            continue
        text = ", ".join(f"{label} {v:,.0f} B" for label, v in allocs)
        met = all(v <= ALLOCATION_LIMIT for _, v in allocs)
        cells.append(f"{text} (≤ {ALLOCATION_LIMIT} B each): " + ("met" if met else "**not met**"))
    lines.append("| allocation per steady-state step | " + " | ".join(cells) + " |")
    return lines


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "target/bench"
    run = Run(out)
    p = print
    p("# Side-by-side run")
    p()
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        p("```")
        with open(machine) as f:
            p(f.read().rstrip())
        p("```")
    if run.torch:
        t = run.torch[0]
        p(f"PyTorch {t['torch']}, BLAS `{t['blas']}`.")
    for precision in ("float32", "float64"):
        kernels = sorted({(r["corename"], r["coretype_env"] or "auto") for r in run.torch
                          if r.get("precision") == precision})
        if kernels:
            p(f"PyTorch {precision} ran OpenBLAS kernels " + ", ".join(f"**{c}** (OPENBLAS_CORETYPE={e})"
                                                                      for c, e in kernels) + ".")
    if run.probes:
        by = {}
        for r in run.probes:
            key = f"{r['coretype_env'] or 'auto'} → {r['corename']}"
            by.setdefault(key, []).append((r["float32_gflops"], r["float64_gflops"]))
        p("Kernel probes (128×784·784×128 product, one thread, GFLOP/s float32 / float64, best of the rounds): "
          + "; ".join(f"{k}: {max(a for a, _ in v):.1f} / {max(b for _, b in v):.1f}" for k, v in by.items()) + ".")
    p()
    p("All values are medians; the machine is shared, so compare only within one run. Ratios are backprop4j / "
      "PyTorch: for throughput higher is better, for the latency of one sample lower is better.")
    p()
    p(f"## Targets (JDK {run.jdk17}; each side's better configuration; the details follow)")
    p()
    for line in overview(run):
        p(line)
    p()

    # ---------------------------------------------------------------- peak
    p("## Peak (register-only FMA loop, one thread)")
    p()
    p("| JDK | float32 GFLOP/s (best / median) | float64 GFLOP/s | vector |")
    p("| --- | --- | --- | --- |")
    for jdk in [run.jdk17, run.newest]:
        if jdk is None:
            continue
        f, d = run.peak("float32", jdk), run.peak("float64", jdk)
        if f and d:
            p(f"| {f['java_version']} | {f['value']:.1f} / {f['median']:.1f} | {d['value']:.1f} / {d['median']:.1f}"
              f" | {f['vector_bits']}-bit, {f['chains']} chains |")
    p()

    # ---------------------------------------------------------------- targets per path
    newest_note = f"JDK {run.newest}" if run.newest else "newest JDK (none)"
    for path, (precision, title) in PATHS.items():
        if not any(r.get("path") == path for r in run.b4j):
            continue
        p(f"## backprop4j {title}, against PyTorch {precision} (JDK {run.jdk17})")
        p()
        p(f"| measure | PyTorch best (config) | PyTorch 1 thread | backprop4j 1 / 2 threads | ratio (best / best) "
          f"| ratio (1 thread / 1 thread) | must / aim | met | {newest_note}: better of 1 / 2 threads, ratio |")
        p("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for key, name in ROW_NAMES.items():
            row, batch = key
            pt, config = run.torch_best(precision, row, batch)
            pt1 = run.torch_one_thread(precision, row, batch)
            one = run.b4j_value(path, row, batch, 1, run.jdk17)
            two = run.b4j_value(path, row, batch, 2, run.jdk17)
            v1, v2 = (one or {}).get("value"), (two or {}).get("value")
            b = best([v1, v2], row)
            r = ratio(b, pt, row)
            target = TARGETS[key].get(path)
            newest = "—"
            if run.newest:
                n1 = run.b4j_value(path, row, batch, 1, run.newest)
                n2 = run.b4j_value(path, row, batch, 2, run.newest)
                nb = best([(n1 or {}).get("value"), (n2 or {}).get("value")], row)
                newest = f"{fmt(nb, row)} ({fmt_ratio(ratio(nb, pt, row))})"
            p(f"| {name} | {fmt(pt, row)} ({config or '—'}) | {fmt(pt1, row)} | {fmt(v1, row)} / {fmt(v2, row)} "
              f"| {fmt_ratio(r)} | {fmt_ratio(ratio(v1, pt1, row))} | {fmt_target(target, row)} "
              f"| {verdict(r, target, row)} | {newest} |")
        p()

    # ---------------------------------------------------------------- optimizers
    opt_paths = [path for path in PATHS if any(r.get("path") == path and r.get("net") == "784-256-10"
                                               for r in run.b4j)]
    if opt_paths:
        p(f"## Optimizers, 784-256-10 (JDK {run.jdk17}): Trainer.fit against PyTorch with the same optimizer")
        p()
        p("Must ≥ 2.0×, aim 3.0×. \"Update share\" is (time per sample with the optimizer − with SGD) / time "
          "with the optimizer, backprop4j on one thread: what the optimizer's update costs beyond SGD's, as a "
          "share of the whole step (target: the whole update ≤ 10 % at batch 64).")
        p()
        p("| path | optimizer | batch | PyTorch best (config) | backprop4j 1 / 2 threads | ratio | met "
          "| update share (1 thread) | PyTorch update share | backprop4j B/step, steady state (1 thread) |")
        p("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for path in opt_paths:
            precision = PATHS[path][0]
            for name in OPTIMIZERS:
                for batch in (32, 64):
                    net = "784-256-10"
                    pt, config = run.torch_best(precision, "train", batch, net, name)
                    one = run.b4j_value(path, "train", batch, 1, run.jdk17, net, name)
                    two = run.b4j_value(path, "train", batch, 2, run.jdk17, net, name)
                    v1, v2 = (one or {}).get("value"), (two or {}).get("value")
                    b = best([v1, v2], "train")
                    r = ratio(b, pt, "train")
                    target = None if name == "sgd" else (2.0, 3.0)
                    sgd1 = run.b4j_value(path, "train", batch, 1, run.jdk17, net, "sgd")
                    share = "—"
                    if name != "sgd" and v1 and sgd1:
                        share = f"{(1 / v1 - 1 / sgd1['value']) / (1 / v1) * 100:.0f} %"
                    pt_share = "—"
                    pt_sgd1 = run.torch_one_thread(precision, "train", batch, net, "sgd")
                    pt1 = run.torch_one_thread(precision, "train", batch, net, name)
                    if name != "sgd" and pt1 and pt_sgd1:
                        pt_share = f"{(1 / pt1 - 1 / pt_sgd1) / (1 / pt1) * 100:.0f} %"
                    p(f"| {path} | {OPT_NAMES[name]} | {batch} | {fmt(pt, 'train')} ({config or '—'}) "
                      f"| {fmt(v1, 'train')} / {fmt(v2, 'train')} | {fmt_ratio(r)} "
                      f"| {verdict(r, target, 'train') if target else 'baseline'} | {share} | {pt_share} "
                      f"| {bytes_cell((one or {}).get('alloc_bytes_per_step'))} |")
        p()

    # ---------------------------------------------------------------- raw step, % of peak, allocation
    if run.jmh:
        p(f"## Trainer.fit against the raw step (JMH MnistBench.trainStep, JDK {run.jdk17})")
        p()
        p("Must: Trainer.fit ≥ 90 % of the raw step. Allocation: JMH `gc.alloc.rate.norm` of the raw step; the "
          "bytes Trainer.fit's training thread allocates from one batch's end to the next (steady state, median "
          "over the last epoch); and a whole call's allocation divided by its steps (with what a call allocates "
          "once: its session, the network it returns).")
        p()
        p("| path | batch | threads | raw step (samples/s) | Trainer.fit (samples/s) | fit / raw | met "
          "| raw step B/step | Trainer.fit B/step, steady state | Trainer.fit B/step, whole call "
          "| raw step: fastest / slowest iteration |")
        p("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for path in PATHS:
            if path not in run.jmh:
                continue
            for batch in (32, 128):
                for threads in (1, 2):
                    raw, alloc = run.raw_step(path, batch, threads)
                    fit = run.b4j_value(path, "train", batch, threads, run.jdk17)
                    fv = (fit or {}).get("value")
                    r = ratio(fv, raw, "train")
                    met = fit_over_raw_verdict(r)
                    steady = (fit or {}).get("alloc_bytes_per_step")
                    call = (fit or {}).get("alloc_bytes_per_call_per_step")
                    if raw is None and fv is None:
                        continue
                    spread = run.raw_step_spread(path, batch, threads)
                    spread = "—" if spread is None else f"{spread:.2f}" + (
                        " **unstable: still compiling? rerun**" if spread > 1.5 else "")
                    p(f"| {path} | {batch} | {threads} | {fmt(raw, 'train')} | {fmt(fv, 'train')} "
                      f"| {'—' if r is None else f'{r * 100:.0f} %'} | {met} "
                      f"| {bytes_cell(alloc)} | {bytes_cell(steady)} | {bytes_cell(call)} | {spread} |")
        p()
        p(f"## A whole training step at batch 128 on one thread, as a share of the peak (JDK {run.jdk17})")
        p()
        p(f"{FLOP_PER_SAMPLE:,} FLOP per sample (4·784·128 + 6·128·10: forward, weight gradients, and the "
          "hidden layer's error signal; the input layer needs none). Must ≥ 50 %, aim 65 % (float32, Vector API).")
        p()
        p("| path | peak (GFLOP/s) | raw step: GFLOP/s, % of peak | Trainer.fit: GFLOP/s, % of peak | met |")
        p("| --- | --- | --- | --- | --- |")
        for path in PATHS:
            precision = PATHS[path][0]
            peak = run.peak(precision, run.jdk17)
            raw, _ = run.raw_step(path, 128, 1)
            fit = run.b4j_value(path, "train", 128, 1, run.jdk17)
            if peak is None or (raw is None and fit is None):
                continue
            cells = []
            for v in (raw, (fit or {}).get("value")):
                if v is None:
                    cells.append("—")
                else:
                    g = v * FLOP_PER_SAMPLE * 1e-9
                    cells.append(f"{g:.1f}, {g / peak['value'] * 100:.0f} %")
            met = "—"
            if path == "float32-vector" and raw is not None:
                share = raw * FLOP_PER_SAMPLE * 1e-9 / peak["value"]
                met = "**not met**" if share < 0.5 else ("met, aim met" if share >= 0.65 else "met")
            p(f"| {path} | {peak['value']:.1f} | {cells[0]} | {cells[1]} | {met} |")
        p()

    # ---------------------------------------------------------------- both sides train the same way
    p("## Check: the loss after the timed epochs (both sides should be alike; they differ in the initial "
      "weights, and in the number of epochs when a slow row stopped early)")
    p()
    p("| precision | net | optimizer | batch | PyTorch, 1 thread: loss (epochs) | backprop4j JDK 17, 1 thread: loss "
      "(epochs) per path |")
    p("| --- | --- | --- | --- | --- | --- |")
    keys = sorted({(r["precision"], r["net"], r["optimizer"], r["batch"]) for r in run.torch if r.get("row") == "train"},
                  key=lambda k: (k[0], k[1], OPTIMIZERS.index(k[2]), k[3]))
    for precision, net, name, batch in keys:
        pt = next((r for r in run.torch_rows(precision, "train", batch, net, name) if r["config"] == "1 thread"),
                  None)
        cells = []
        for path in PATHS:
            if PATHS[path][0] != precision:
                continue
            r = run.b4j_value(path, "train", batch, 1, run.jdk17, net, name)
            if r is not None and r.get("loss") is not None:
                cells.append(f"{path} {r['loss']:.3f} ({len(r['runs']) + 1})")
        pt_cell = "—" if pt is None or pt.get("loss") is None else f"{pt['loss']:.3f} ({len(pt['runs']) + 1})"
        p(f"| {precision} | {net} | {OPT_NAMES[name]} | {batch} | {pt_cell} | {', '.join(cells) or '—'} |")
    p()

    # ---------------------------------------------------------------- what ran
    p("## Configurations")
    p()
    seen = set()
    for r in run.b4j:
        if r.get("row") == "meta":
            key = (r["path"], r["java_version"])
            if key in seen:
                continue
            seen.add(key)
            p(f"- backprop4j {r['path']} on {r['java_version']}: kernels \"{r['kernels']}\", vector module "
              f"{'loaded' if r['vector_module'] else 'absent'}, {r['processors']} processors")
    for r in run.torch:
        if r.get("row") == "meta":
            p(f"- PyTorch {r['config']}, {r['precisions']}, {r['rows']}: torch threads "
              f"{r['torch_threads']}, BLAS threads {r['blas_threads']}, kernels {r['corename']}, product "
              f"{r['float32_gflops']} / {r['float64_gflops']} GFLOP/s")
    epochs = sorted({len(r["runs"]) for r in run.b4j + run.torch if r.get("row") == "train"})
    if epochs:
        p(f"- timed epochs per training row: {', '.join(map(str, epochs))}")


if __name__ == "__main__":
    main()
