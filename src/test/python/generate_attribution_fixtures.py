#!/usr/bin/env python3
"""Reference attributions for the dense golden networks of src/test/resources/golden (see its README), computed
with PyTorch autograd in float64, in the "attributions-1" format read by AttributionsGoldenTest:

For every case file NAME.json this writes golden/attributions/NAME.json with, for each of three targets
    score        f(x) = z^L_k, the output layer's weighted sum of class k (before its activation)
    probability  f(x) = a^L_k, the output layer's activation of class k (after softmax / sigmoid / ...)
    loss         f(x) = C(x, y), the case's loss of the one sample alone (a batch of one)
where k is the last output (index out - 1), the values
    f                   f(x) for every sample of the case's input
    f_zero              f(0), the value at the all-zero baseline, for every sample (the loss uses its y)
    gradient            df/dx, one row per sample
    input_x_gradient    x * df/dx
    ig_trapezoid        integrated gradients from the all-zero baseline, trapezoid rule, TRAPEZOID_STEPS steps
    ig_midpoint         integrated gradients from `midpoint_baseline` (the mean input row), midpoint rule,
                        MIDPOINT_STEPS steps
Integrated gradients of sample x from baseline x' with m steps:
    phi_j = (x_j - x'_j) * sum_i w_i * df/dx_j (x' + alpha_i (x - x'))
    the plain sums (Attributions.Rule.PLAIN_TRAPEZOID and PLAIN_MIDPOINT; the kink-aware default rules are
    checked in AttributionsTest by completeness, not against these fixtures):
    trapezoid: alpha_i = i/m, i = 0..m, w_0 = w_m = 1/(2m), w_i = 1/m otherwise
    midpoint:  alpha_i = (i + 1/2)/m, i = 0..m-1, w_i = 1/m
The gradients at the path points come from autograd (torch.autograd.grad of the sum over the path's points,
each point's own f). Networks are evaluated in eval mode (they are dense, so modes do not differ).

Run from the repository root with Debian's python3-torch (torch 1.13):
    /usr/bin/python3 src/test/python/generate_attribution_fixtures.py
    /usr/bin/python3 src/test/python/generate_attribution_fixtures.py --completeness   # the plain columns of docs/explain.md's table
"""
import json
import os
import sys
import warnings

import torch
import torch.nn.functional as F

GOLDEN = os.path.join("src", "test", "resources", "golden")
OUT = os.path.join(GOLDEN, "attributions")
FORMAT = "attributions-1"
CASES = ["single-layer-sigmoid-mse", "sigmoid-mse", "tanh-identity-mse", "tanh-identity-mae",
         "gelu-identity-huber", "relu-softmax-ce", "leaky-elu-softmax-ce", "softplus-silu-sigmoid-bce"]
TRAPEZOID_STEPS = 50
MIDPOINT_STEPS = 20

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


def loss_of(loss, z, a, y):
    """The batch-mean losses of golden/README.md."""
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


def forward(layers, x):
    """z^L and a^L of a batch."""
    a = x
    z = None
    for layer in layers:
        z = a @ layer["W"].T + layer["b"]
        a = ACTIVATIONS[layer["activation"]](z)
    return z, a


def per_point(case, layers, target, k, x, y):
    """f at every row of x (a path or a batch), each row on its own; y has one target row per row of x."""
    z, a = forward(layers, x)
    if target == "score":
        return z[:, k]
    if target == "probability":
        return a[:, k]
    return torch.stack([loss_of(case["loss"], z[i:i + 1], a[i:i + 1], y[i:i + 1]) for i in range(x.shape[0])])


def gradient_at(case, layers, target, k, points, y):
    """df/dx at each row of points; y has one row per point (loss) or is ignored."""
    points = points.clone().requires_grad_(True)
    f = per_point(case, layers, target, k, points, y)
    (g,) = torch.autograd.grad(f.sum(), points)
    return g


def integrated(case, layers, target, k, x, y, baseline, steps, rule):
    rows = []
    for n in range(x.shape[0]):
        if rule == "trapezoid":
            alphas = torch.arange(steps + 1, dtype=torch.float64) / steps
            weights = torch.full((steps + 1,), 1.0 / steps, dtype=torch.float64)
            weights[0] = weights[-1] = 0.5 / steps
        else:
            alphas = (torch.arange(steps, dtype=torch.float64) + 0.5) / steps
            weights = torch.full((steps,), 1.0 / steps, dtype=torch.float64)
        path = baseline + alphas[:, None] * (x[n] - baseline)
        ys = y[n:n + 1].expand(path.shape[0], -1)
        g = gradient_at(case, layers, target, k, path, ys)
        rows.append((x[n] - baseline) * (weights[:, None] * g).sum(dim=0))
    return torch.stack(rows)


def rows(t):
    return [[float(v) for v in row] for row in t.detach()]


def load(name):
    with open(os.path.join(GOLDEN, name + ".json"), encoding="utf-8") as f:
        case = json.load(f)
    layers = [{"W": torch.tensor(l["weights"], dtype=torch.float64),
               "b": torch.tensor(l["bias"], dtype=torch.float64),
               "activation": l["activation"]} for l in case["layers"]]
    x = torch.tensor(case["input"], dtype=torch.float64)
    y = torch.tensor(case["target"], dtype=torch.float64)
    return case, layers, x, y


def completeness_table():
    """Prints, as Markdown, max over samples of |sum IG - df| / (0.01 |df| + 1e-6) from the zero baseline."""
    warnings.filterwarnings("ignore")
    print("| golden case | target | trapezoid, 50 | midpoint, 50 | trapezoid, 500 |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in CASES:
        case, layers, x, y = load(name)
        k = case["layers"][-1]["out"] - 1
        zero = torch.zeros(x.shape[1], dtype=torch.float64)
        for target in ("score", "probability", "loss"):
            with torch.no_grad():
                d = per_point(case, layers, target, k, x, y) - per_point(case, layers, target, k, zero.expand_as(x), y)
            cells = []
            for rule, steps in (("trapezoid", 50), ("midpoint", 50), ("trapezoid", 500)):
                ig = integrated(case, layers, target, k, x, y, zero, steps, rule).sum(dim=1)
                r = float(((ig - d).abs() / (0.01 * d.abs() + 1e-6)).max())
                cells.append(("**%.3f**" if r > 1 else "%.3f") % r)
            print("| %s | %s | %s |" % (name, target, " | ".join(cells)))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in CASES:
        case, layers, x, y = load(name)
        k = case["layers"][-1]["out"] - 1
        zero = torch.zeros(x.shape[1], dtype=torch.float64)
        mean = x.mean(dim=0)
        out = {"format": FORMAT, "case": name, "class": k, "trapezoid_steps": TRAPEZOID_STEPS,
               "midpoint_steps": MIDPOINT_STEPS, "midpoint_baseline": [float(v) for v in mean], "targets": {}}
        for target in ("score", "probability", "loss"):
            with torch.no_grad():
                fx = per_point(case, layers, target, k, x, y)
                f0 = per_point(case, layers, target, k, zero.expand_as(x), y)
            g = gradient_at(case, layers, target, k, x, y)
            out["targets"][target] = {
                "f": [float(v) for v in fx],
                "f_zero": [float(v) for v in f0],
                "gradient": rows(g),
                "input_x_gradient": rows(x * g),
                "ig_trapezoid": rows(integrated(case, layers, target, k, x, y, zero, TRAPEZOID_STEPS, "trapezoid")),
                "ig_midpoint": rows(integrated(case, layers, target, k, x, y, mean, MIDPOINT_STEPS, "midpoint")),
            }
        path = os.path.join(OUT, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        for target, t in out["targets"].items():
            ig = torch.tensor(t["ig_trapezoid"]).sum(dim=1)
            delta = torch.tensor(t["f"]) - torch.tensor(t["f_zero"])
            ratio = ((ig - delta).abs() / (0.01 * delta.abs() + 1e-6)).max()
            print("%s %s: completeness |sum IG - df| / (0.01 |df| + 1e-6) at most %.3f" % (name, target, ratio))


if __name__ == "__main__":
    if "--completeness" in sys.argv[1:]:
        completeness_table()
    else:
        main()
