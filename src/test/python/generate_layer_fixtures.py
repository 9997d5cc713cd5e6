#!/usr/bin/env python3
"""Reference values for layer kinds beyond dense, in the "layers-1" format of
src/test/resources/golden/layers/README.md.

Every network is an nn.Sequential in float64 whose module i is layer i of the file, so that the leading
number of each state_dict name is the layer's index:
- dense:      Dense, an nn.Linear that applies its activation     names i.weight, i.bias
- layer_norm: LayerNorm, an nn.LayerNorm(features, eps=1e-5)        names i.weight (gamma), i.bias (beta)
- batch_norm: BatchNorm, an nn.BatchNorm1d(features, eps=1e-5, momentum=0.1)
              names i.weight, i.bias; buffers i.running_mean, i.running_var, i.num_batches_tracked (int64)
- embedding:  Embedding, numeric columns passed through, then one nn.Embedding per categorical column
              in an nn.ModuleList `tables`                          names 0.tables.k.weight
- residual:   Residual, inner Dense layers in an nn.Sequential `f`, z = x + f(x), a = act(z)
              names i.f.j.weight, i.f.j.bias
Activations are functions applied inside these modules, so they take no place in the Sequential.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 src/test/python/generate_layer_fixtures.py             # writes the NEW cases below
    /usr/bin/python3 src/test/python/generate_layer_fixtures.py --dry-run   # draws and verifies, writes nothing
Each new case is drawn from torch.manual_seed(seed); a draw that breaks one of the README's "left out on
purpose" rules is thrown away and drawn again with the next seed. Every case is verified before it is
written: torch.autograd.gradcheck of the loss and of the network's output with respect to the input and
every parameter (training mode and, for batch_norm networks, eval mode), and a recompute of the whole case
from the file's own `layers`, `input`, `categories` and `target` (see check_layer_fixtures.py, which runs
the same recompute over every file of the directory).
"""
import argparse
import copy
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

OUT = os.path.join("src", "test", "resources", "golden", "layers")
FORMAT = "layers-1"
EPS = 1e-5
BN_MOMENTUM = 0.1
# The README's optimizer hyper-parameters (no weight decay).
OPTIMIZERS = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "adam": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
STEPS = 3
# "Left out on purpose": distances from points where a derivative jumps.
KINK_MARGIN = 1e-3      # relu, leaky_relu, elu inputs from 0; mae residuals from 0
HUBER_MARGIN = 0.05     # huber residuals |a - y| from 1
KINKED = ("relu", "leaky_relu", "elu")

ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "elu": lambda z: F.elu(z, 1.0),
    "softplus": F.softplus,
    "silu": F.silu,
    "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"),
    "softmax": lambda z: torch.softmax(z, dim=1),
}


def activate(name, z):
    """a = act(z); identity returns z itself, so that a and z are one tensor."""
    if name not in ACTIVATIONS:
        raise ValueError("unknown activation %r" % name)
    return ACTIVATIONS[name](z)


# ---------------------------------------------------------------------------------------------------------
# Modules. Each has run(x, record) that fills record with what the file's `forward[i]` holds, and forward(x)
# for use as an ordinary nn.Sequential (export_torch_layers_model.py).

class Dense(nn.Linear):
    """z = x·Wᵀ + b, a = act(z)."""

    def __init__(self, n_in, n_out, activation):
        super().__init__(n_in, n_out, dtype=torch.float64)
        self.activation = activation

    def run(self, x, record):
        z = super().forward(x)
        a = activate(self.activation, z)
        if record is not None:
            record["z"], record["a"] = z, a
        return a

    def forward(self, x):
        return self.run(x, None)


class LayerNorm(nn.LayerNorm):
    """Statistics per sample over the features; the same in training and eval mode."""

    def __init__(self, features, activation):
        super().__init__(features, eps=EPS, elementwise_affine=True, dtype=torch.float64)
        self.activation = activation

    def run(self, x, record):
        z = super().forward(x)
        a = activate(self.activation, z)
        if record is not None:
            record["z"], record["a"] = z, a
            record["mean"] = x.detach().mean(dim=1)
            record["var"] = x.detach().var(dim=1, unbiased=False)
        return a

    def forward(self, x):
        return self.run(x, None)


class BatchNorm(nn.BatchNorm1d):
    """Batch statistics (biased variance) in training mode, running statistics in eval mode."""

    def __init__(self, features, activation):
        super().__init__(features, eps=EPS, momentum=BN_MOMENTUM, dtype=torch.float64)
        self.activation = activation

    def run(self, x, record):
        z = super().forward(x)
        a = activate(self.activation, z)
        if record is not None:
            record["z"], record["a"] = z, a
            if self.training:
                record["mean"] = x.detach().mean(dim=0)
                record["var"] = x.detach().var(dim=0, unbiased=False)
        return a

    def forward(self, x):
        return self.run(x, None)


class Embedding(nn.Module):
    """Output row = [numeric columns, tables[0][c0], tables[1][c1], ...]; no activation."""

    def __init__(self, numeric, tables):
        super().__init__()
        self.numeric = numeric
        self.tables = nn.ModuleList(nn.Embedding(card, dim, dtype=torch.float64) for card, dim in tables)
        self.activation = "identity"

    def run(self, inputs, record):
        x, categories = inputs
        parts = [x] + [table(categories[:, k]) for k, table in enumerate(self.tables)]
        z = torch.cat(parts, dim=1)
        if record is not None:
            record["z"], record["a"] = z, z
        return z

    def forward(self, inputs):
        return self.run(inputs, None)


class Residual(nn.Module):
    """u0 = x, uj = actj(u(j-1)·Wjᵀ + bj), z = x + u_last, a = act(z)."""

    def __init__(self, inner, activation):
        super().__init__()
        self.f = nn.Sequential(*inner)
        self.activation = activation

    def run(self, x, record):
        u = x
        inner = []
        for layer in self.f:
            r = {} if record is not None else None
            u = layer.run(u, r)
            inner.append(r)
        z = x + u
        a = activate(self.activation, z)
        if record is not None:
            record["z"], record["a"], record["inner"] = z, a, inner
        return a

    def forward(self, x):
        return self.run(x, None)


# ---------------------------------------------------------------------------------------------------------
# From and to the file's `layers`.

def _t(values):
    return torch.tensor(values, dtype=torch.float64)


def _dense_from(spec):
    d = Dense(spec["in"], spec["out"], spec["activation"])
    with torch.no_grad():
        d.weight.copy_(_t(spec["weights"]))
        d.bias.copy_(_t(spec["bias"]))
    return d


def build(layers):
    """The nn.Sequential that a file's `layers` describes, with its parameter and buffer values."""
    modules = []
    for spec in layers:
        kind = spec["kind"]
        if kind == "dense":
            m = _dense_from(spec)
        elif kind in ("layer_norm", "batch_norm"):
            m = (LayerNorm if kind == "layer_norm" else BatchNorm)(spec["features"], spec["activation"])
            if spec["eps"] != EPS or spec.get("momentum", BN_MOMENTUM) != BN_MOMENTUM:
                raise ValueError("eps/momentum other than the README's in %s" % spec)
            with torch.no_grad():
                m.weight.copy_(_t(spec["gamma"]))
                m.bias.copy_(_t(spec["beta"]))
                if kind == "batch_norm":
                    m.running_mean.copy_(_t(spec["running_mean"]))
                    m.running_var.copy_(_t(spec["running_var"]))
                    m.num_batches_tracked.fill_(int(spec["num_batches_tracked"]))
        elif kind == "embedding":
            m = Embedding(spec["numeric"], [(t["cardinality"], t["dim"]) for t in spec["tables"]])
            with torch.no_grad():
                for k, t in enumerate(spec["tables"]):
                    assert t["column"] == k, t
                    m.tables[k].weight.copy_(_t(t["weight"]))
        elif kind == "residual":
            m = Residual([_dense_from(s) for s in spec["layers"]], spec["activation"])
        else:
            raise ValueError("unknown layer kind %r" % kind)
        modules.append(m)
    return nn.Sequential(*modules)


def _dense_spec(d, prefix):
    return {"kind": "dense", "in": d.in_features, "out": d.out_features, "activation": d.activation,
            "weights": d.weight.tolist(), "bias": d.bias.tolist(),
            "parameter_names": {"weights": prefix + "weight", "bias": prefix + "bias"}}


def describe(model):
    """The file's `layers` for a model built of the modules above (the values as they stand)."""
    layers = []
    for i, m in enumerate(model):
        p = "%d." % i
        if isinstance(m, Dense):
            layers.append(_dense_spec(m, p))
        elif isinstance(m, LayerNorm):
            layers.append({"kind": "layer_norm", "features": m.normalized_shape[0], "eps": m.eps,
                           "activation": m.activation, "gamma": m.weight.tolist(), "beta": m.bias.tolist(),
                           "parameter_names": {"gamma": p + "weight", "beta": p + "bias"}})
        elif isinstance(m, BatchNorm):
            layers.append({"kind": "batch_norm", "features": m.num_features, "eps": m.eps, "momentum": m.momentum,
                           "activation": m.activation, "gamma": m.weight.tolist(), "beta": m.bias.tolist(),
                           "running_mean": m.running_mean.tolist(), "running_var": m.running_var.tolist(),
                           "num_batches_tracked": int(m.num_batches_tracked.item()),
                           "parameter_names": {"gamma": p + "weight", "beta": p + "bias"},
                           "buffer_names": {"running_mean": p + "running_mean", "running_var": p + "running_var",
                                            "num_batches_tracked": p + "num_batches_tracked"}})
        elif isinstance(m, Embedding):
            tables = [{"column": k, "cardinality": t.num_embeddings, "dim": t.embedding_dim,
                       "weight": t.weight.tolist(), "parameter_name": "%stables.%d.weight" % (p, k)}
                      for k, t in enumerate(m.tables)]
            layers.append({"kind": "embedding", "numeric": m.numeric, "tables": tables,
                           "out": m.numeric + sum(t.embedding_dim for t in m.tables), "activation": "identity"})
        elif isinstance(m, Residual):
            layers.append({"kind": "residual", "features": m.f[0].in_features, "activation": m.activation,
                           "layers": [_dense_spec(d, "%sf.%d." % (p, j)) for j, d in enumerate(m.f)]})
        else:
            raise TypeError(type(m))
    return layers


def _value(t):
    return int(t.item()) if t.dtype == torch.int64 else t.tolist()


def buffers(model):
    return {name: _value(b) for name, b in model.named_buffers()}


# ---------------------------------------------------------------------------------------------------------
# One pass: forward with records, loss, backward.

def loss_of(loss, z, a, y):
    """The batch-mean losses of ../README.md; cross_entropy and binary_cross_entropy read the output's z."""
    if loss == "mse":
        return F.mse_loss(a, y)
    if loss == "mae":
        return F.l1_loss(a, y)
    if loss == "huber":
        return F.huber_loss(a, y, delta=1.0)
    if loss == "cross_entropy":
        return -(y * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
    if loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(z, y)
    raise ValueError("unknown loss %r" % loss)


def network_input(model, x, categories):
    return (x, categories) if isinstance(model[0], Embedding) else x


def run(model, loss, x, categories, y):
    """One forward (in the model's current mode) with records, the loss and backward; returns
    (loss tensor, records, x leaf). Every z retains its gradient, which is the file's delta."""
    x = x.clone().requires_grad_(True)
    records = []
    h = network_input(model, x, categories)
    for m in model:
        r = {}
        h = m.run(h, r)
        r["z"].retain_grad()
        for inner in r.get("inner", []):
            inner["z"].retain_grad()
        records.append(r)
    value = loss_of(loss, records[-1]["z"], records[-1]["a"], y)
    model.zero_grad(set_to_none=True)
    value.backward()
    return value, records, x


def _forward_json(records):
    out = []
    for r in records:
        f = {"z": r["z"].tolist(), "a": r["a"].tolist()}
        if "mean" in r:
            f["mean"], f["var"] = r["mean"].tolist(), r["var"].tolist()
        if "inner" in r:
            f["inner"] = [{"z": q["z"].tolist(), "a": q["a"].tolist()} for q in r["inner"]]
        out.append(f)
    return out


def _pass_json(model, value, records, x):
    """forward, loss_value, delta, inner_delta (if any), gradients, input_gradient."""
    block = {"forward": _forward_json(records), "loss_value": value.item(),
             "delta": [r["z"].grad.tolist() for r in records]}
    inner = {str(i): [q["z"].grad.tolist() for q in r["inner"]] for i, r in enumerate(records) if "inner" in r}
    if inner:
        block["inner_delta"] = inner
    block["gradients"] = {name: p.grad.tolist() for name, p in model.named_parameters()}
    block["input_gradient"] = x.grad.tolist()
    return block


def _torch_optimizer(name, params):
    h = OPTIMIZERS[name]
    if name == "sgd":
        return torch.optim.SGD(params, lr=h["lr"])
    if name == "momentum":
        return torch.optim.SGD(params, lr=h["lr"], momentum=h["momentum"], dampening=0)
    if name == "adam":
        return torch.optim.Adam(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"])
    raise ValueError(name)


def has_batch_norm(model):
    return any(isinstance(m, BatchNorm) for m in model)


def compute(name, seed, model, loss, x, categories, y):
    """The whole case as a dict in the "layers-1" format, and every training forward's records (for the
    kink rules). The model is left unchanged: each part runs on its own copy."""
    model = copy.deepcopy(model).double()
    bn = has_batch_norm(model)
    case = {"name": name, "format": FORMAT, "seed": seed, "layers": describe(model),
            "state_dict": {k: _value(v) for k, v in model.state_dict().items()},
            "parameter_order": [n for n, _ in model.named_parameters()], "loss": loss, "input": x.tolist()}
    if categories is not None:
        case["categories"] = categories.tolist()
    case["target"] = y.tolist()
    all_records = []

    train = copy.deepcopy(model).train()
    value, records, xg = run(train, loss, x, categories, y)
    all_records.append(("forward", records))
    case.update(_pass_json(train, value, records, xg))
    if bn:
        case["running_stats_after_forward"] = buffers(train)
        ev = copy.deepcopy(model).eval()
        value, records, xg = run(ev, loss, x, categories, y)
        all_records.append(("eval.forward", records))
        case["eval"] = _pass_json(ev, value, records, xg)

    optimizers = {}
    for opt_name in OPTIMIZERS:
        m = copy.deepcopy(model).train()
        opt = _torch_optimizer(opt_name, m.parameters())
        losses, stats = [], []
        for step in range(STEPS):
            opt.zero_grad(set_to_none=True)
            value, records, _ = run(m, loss, x, categories, y)
            all_records.append(("%s step %d" % (opt_name, step + 1), records))
            losses.append(value.item())
            opt.step()
            stats.append(buffers(m))
        run_json = {"hyperparameters": dict(OPTIMIZERS[opt_name]), "steps": STEPS,
                    "loss_before_each_step": losses,
                    "after": {n: p.tolist() for n, p in m.named_parameters()}}
        if bn:
            run_json["running_stats_after_each_step"] = stats
        optimizers[opt_name] = run_json
    case["optimizers"] = optimizers
    return case, all_records


def from_file(case):
    """(model, loss, x, categories, y) rebuilt from a file's layers, input, categories and target."""
    model = build(case["layers"])
    x = _t(case["input"])
    categories = torch.tensor(case["categories"], dtype=torch.int64) if "categories" in case else None
    return model, case["loss"], x, categories, _t(case["target"])


def recompute(case):
    """The case recomputed from its own inputs, as compute() returns it."""
    model, loss, x, categories, y = from_file(case)
    return compute(case["name"], case["seed"], model, loss, x, categories, y)[0]


# ---------------------------------------------------------------------------------------------------------
# The rules of "Left out on purpose", and gradcheck.

def rule_violations(model, loss, case, all_records, stages=("forward", "eval.forward")):
    """What breaks the README's rules; empty if nothing. Kinks are checked in `stages` (README: the forward
    and eval.forward passes; the generator also asks it of every optimizer step's forward)."""
    problems = []
    for i in range(1, len(model)):
        prev = model[i - 1]
        if isinstance(model[i], BatchNorm) and prev.activation == "identity":
            # A per-feature constant into batch_norm has a gradient that is mathematically zero.
            problems.append("layer %d (%s, identity) feeds batch_norm %d" % (i - 1, type(prev).__name__, i))
    for stage, records in all_records:
        if not any(stage.startswith(s) for s in stages):
            continue
        for i, (m, r) in enumerate(zip(model, records)):
            pairs = [(m.activation, r["z"], "layer %d" % i)]
            if isinstance(m, Residual):
                pairs += [(d.activation, q["z"], "layer %d inner %d" % (i, j))
                          for j, (d, q) in enumerate(zip(m.f, r["inner"]))]
            for act, z, where in pairs:
                if act in KINKED:
                    closest = z.detach().abs().min().item()
                    if closest < KINK_MARGIN:
                        problems.append("%s: %s input %.3g from its kink (%s)" % (stage, act, closest, where))
        a, y = records[-1]["a"].detach(), _t(case["target"])
        residual = (a - y).abs()
        if loss == "huber" and (residual - 1).abs().min().item() < HUBER_MARGIN:
            problems.append("%s: a huber residual within %g of 1" % (stage, HUBER_MARGIN))
        if loss == "mae" and residual.min().item() < KINK_MARGIN:
            problems.append("%s: an mae residual within %g of 0" % (stage, KINK_MARGIN))
    return problems


def gradcheck(model, loss, x, categories, y):
    """torch.autograd.gradcheck of (loss, network output) with respect to the input and every parameter, in
    training mode and, for batch_norm networks, in eval mode. Raises if any derivative disagrees."""
    from torch.nn.utils.stateless import functional_call
    names = [n for n, _ in model.named_parameters()]
    modes = ["train"] + (["eval"] if has_batch_norm(model) else [])
    for mode in modes:
        m = copy.deepcopy(model)
        m.train(mode == "train")

        def f(xx, *params):
            outputs = functional_call(m, dict(zip(names, params)), (network_input(m, xx, categories),))
            last = m[-1]
            # the output's z: recompute the last layer's pre-activation for the fused losses
            return outputs, _loss_from_output(loss, last, outputs, y)

        inputs = [x.clone().requires_grad_(True)] + [p.detach().clone().requires_grad_(True)
                                                     for p in model.parameters()]
        torch.autograd.gradcheck(f, tuple(inputs), eps=1e-6, atol=1e-7, rtol=1e-5)
    return modes


def _loss_from_output(loss, last, a, y):
    """The loss from the network's output a alone (z recovered from a for the fused ones)."""
    if loss == "cross_entropy":
        assert last.activation == "softmax"
        return -(y * torch.log(a)).sum(dim=1).mean()
    if loss == "binary_cross_entropy":
        assert last.activation == "sigmoid"
        return F.binary_cross_entropy(a, y)
    return loss_of(loss, None, a, y)


# ---------------------------------------------------------------------------------------------------------
# Comparison of two cases (used by check_layer_fixtures.py and before writing).

def compare(want, got, rel=1e-12, floor=1e-15, path="", report=None):
    """Walks two JSON values side by side. Returns a dict with the structural mismatches, the worst relative
    difference (over |want| > 1e-10), the worst absolute one, the worst |got - want| as a fraction of the
    bound rel·|want| + floor, and every element outside that bound."""
    if report is None:
        report = {"structure": [], "out_of_bound": [], "worst_rel": 0.0, "worst_rel_at": "", "worst_abs": 0.0,
                  "worst_abs_at": "", "worst_bound": 0.0, "numbers": 0}
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(want) != set(got):
            report["structure"].append("%s: keys %s vs %s" % (path, sorted(want), sorted(got) if isinstance(got, dict)
                                                               else type(got).__name__))
            return report
        for k in want:
            compare(want[k], got[k], rel, floor, "%s.%s" % (path, k) if path else k, report)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            report["structure"].append("%s: length %d vs %s" % (path, len(want), len(got) if isinstance(got, list)
                                                                 else type(got).__name__))
            return report
        for i, (w, g) in enumerate(zip(want, got)):
            compare(w, g, rel, floor, "%s[%d]" % (path, i), report)
    elif isinstance(want, bool) or isinstance(want, str):
        if want != got:
            report["structure"].append("%s: %r vs %r" % (path, want, got))
    elif isinstance(want, int) and isinstance(got, int):
        if want != got:
            report["structure"].append("%s: %r vs %r" % (path, want, got))
    elif isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if type(want) is not type(got):
            report["structure"].append("%s: %r vs %r (int and float)" % (path, want, got))
        d = abs(got - want)
        report["numbers"] += 1
        if d > report["worst_abs"]:
            report["worst_abs"], report["worst_abs_at"] = d, path
        if abs(want) > 1e-10 and d / abs(want) > report["worst_rel"]:
            report["worst_rel"], report["worst_rel_at"] = d / abs(want), path
        bound = rel * abs(want) + floor
        if bound > 0:
            report["worst_bound"] = max(report["worst_bound"], d / bound)
        if d > bound:
            report["out_of_bound"].append("%s: want %r got %r" % (path, want, got))
    else:
        report["structure"].append("%s: %r vs %r" % (path, want, got))
    return report


def write(case, directory):
    path = os.path.join(directory, case["name"] + ".json")
    with open(path, "w") as f:
        json.dump(case, f, indent=1)
        f.write("\n")
    return path


# ---------------------------------------------------------------------------------------------------------
# The new cases. Each draw: parameters from PyTorch's default initialisation under torch.manual_seed(seed),
# then norm affines and buffers moved off their defaults, then the batch.

def _affine(m):
    with torch.no_grad():
        m.weight.copy_(torch.empty_like(m.weight).uniform_(0.6, 1.5))
        m.bias.copy_(torch.empty_like(m.bias).uniform_(-0.5, 0.5))


def _norm(kind, features, activation, tracked=0):
    m = (LayerNorm if kind == "layer_norm" else BatchNorm)(features, activation)
    _affine(m)
    if kind == "batch_norm":
        with torch.no_grad():
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.8)
            m.num_batches_tracked.fill_(tracked)
    return m


def _targets(loss, batch, width):
    if loss == "cross_entropy":
        return F.one_hot(torch.randint(0, width, (batch,)), width).double()
    if loss == "binary_cross_entropy":
        return torch.randint(0, 2, (batch, width)).double()
    return torch.randn(batch, width, dtype=torch.float64)


def case_layernorm_relu_mae():
    model = nn.Sequential(Dense(4, 6, "tanh"), _norm("layer_norm", 6, "relu"), Dense(6, 2, "identity"))
    return model, "mae", 5, None


def case_batchnorm_identity_tracked():
    model = nn.Sequential(Dense(5, 6, "tanh"), _norm("batch_norm", 6, "identity", tracked=7),
                          Dense(6, 3, "softplus"), Dense(3, 2, "identity"))
    return model, "mse", 6, None


def case_embedding_three_tables_ce():
    model = nn.Sequential(Embedding(1, [(4, 2), (3, 3), (5, 2)]), Dense(8, 6, "leaky_relu"),
                          Dense(6, 4, "softmax"))
    return model, "cross_entropy", 6, [4, 3, 5]


def case_residual_three_inner_elu():
    model = nn.Sequential(Dense(3, 6, "softplus"),
                          Residual([Dense(6, 5, "sigmoid"), Dense(5, 7, "tanh"), Dense(7, 6, "identity")], "elu"),
                          Dense(6, 2, "identity"))
    return model, "mse", 5, None


def case_layernorm_sigmoid_bce():
    model = nn.Sequential(Dense(5, 7, "gelu_tanh"), _norm("layer_norm", 7, "identity"), Dense(7, 3, "sigmoid"))
    return model, "binary_cross_entropy", 6, None


def case_batchnorm_residual_layernorm_huber():
    model = nn.Sequential(Dense(4, 6, "silu"), _norm("batch_norm", 6, "leaky_relu", tracked=2),
                          Residual([Dense(6, 4, "relu"), Dense(4, 6, "tanh")], "identity"),
                          _norm("layer_norm", 6, "elu"), Dense(6, 3, "identity"))
    return model, "huber", 6, None


# name -> (builder, first seed, what it covers)
NEW_CASES = {
    "dense-layernorm-relu-dense-mae": (case_layernorm_relu_mae, 32000,
                                       "layer_norm with relu after it; mae"),
    "dense-tanh-batchnorm-softplus-dense-mse": (case_batchnorm_identity_tracked, 32100,
                                                "batch_norm with no activation after a tanh dense, "
                                                "num_batches_tracked starting at 7"),
    "embedding3-leaky-softmax-ce": (case_embedding_three_tables_ce, 32200,
                                    "embedding of 1 numeric + three tables into leaky_relu and softmax"),
    "dense-residual3-elu-dense-mse": (case_residual_three_inner_elu, 32300,
                                      "residual after a dense, three inner layers incl. sigmoid, elu after "
                                      "the sum"),
    "dense-layernorm-sigmoid-bce": (case_layernorm_sigmoid_bce, 32400,
                                    "layer_norm (no activation) in a sigmoid + binary_cross_entropy network"),
    "batchnorm-leaky-residual-layernorm-elu-huber": (case_batchnorm_residual_layernorm_huber, 32500,
                                                      "batch_norm with leaky_relu, num_batches_tracked 2, "
                                                      "a residual with relu inside, layer_norm with elu; huber"),
}


def draw(builder, seed):
    torch.manual_seed(seed)
    model, loss, batch, cards = builder()
    model = model.double()
    width_in = model[0].numeric if isinstance(model[0], Embedding) else model[0].in_features
    x = torch.randn(batch, width_in, dtype=torch.float64)
    categories = None
    if cards is not None:
        categories = torch.stack([torch.randint(0, c, (batch,)) for c in cards], dim=1)
    last = model[-1]
    width_out = last.out_features if isinstance(last, Dense) else None
    y = _targets(loss, batch, width_out)
    if loss == "huber":
        y = y * 1.5  # residuals on both sides of 1
    return model, loss, x, categories, y


def embedding_coverage(model, categories):
    """An embedding case should show both a row used by several samples and a row no sample uses."""
    if categories is None:
        return []
    repeated = unused = False
    for k, t in enumerate(model[0].tables):
        counts = torch.bincount(categories[:, k], minlength=t.num_embeddings)
        repeated |= bool((counts > 1).any())
        unused |= bool((counts == 0).any())
    return [] if repeated and unused else ["categories show no repeated or no unused table row"]


def generate(name, builder, first_seed, attempts=50):
    for seed in range(first_seed, first_seed + attempts):
        model, loss, x, categories, y = draw(builder, seed)
        case, records = compute(name, seed, model, loss, x, categories, y)
        problems = rule_violations(model, loss, case, records, stages=("forward", "eval", "sgd", "momentum", "adam"))
        problems += embedding_coverage(model, categories)
        if problems:
            print("  seed %d refused: %s" % (seed, "; ".join(problems[:3])))
            continue
        return seed, model, loss, x, categories, y, case
    raise RuntimeError("no acceptable draw for %s in %d seeds" % (name, attempts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="draw and verify, write nothing")
    parser.add_argument("--out", default=OUT, help="directory to write to (default %(default)s)")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    print("torch", torch.__version__)
    for name, (builder, first_seed, what) in NEW_CASES.items():
        seed, model, loss, x, categories, y, case = generate(name, builder, first_seed)
        modes = gradcheck(model, loss, x, categories, y)
        # The file's own values must give the file again.
        again = recompute(json.loads(json.dumps(case)))
        report = compare(case, again, rel=0.0, floor=0.0)
        if report["structure"] or report["out_of_bound"]:
            sys.exit("%s does not recompute: %s" % (name, (report["structure"] + report["out_of_bound"])[:5]))
        where = "(dry run)" if args.dry_run else write(case, args.out)
        print("%s: seed %d, %s; gradcheck passed (%s), recompute identical (%d numbers) %s"
              % (name, seed, what, "+".join(modes), report["numbers"], where))


if __name__ == "__main__":
    main()
