#!/usr/bin/env python3
"""PyTorch -> backprop4j for the layer kinds beyond dense: one seeded model of every kind, saved as
safetensors the way export_torch_model.py saves dense networks, with the eval-mode predictions that a Java
test should reproduce after loading it.

The model (module structure and names as in generate_layer_fixtures.py and golden/layers/README.md: module
i of the nn.Sequential is layer i, activations live inside the modules and take no index):
    0 embedding   2 numeric columns + tables 5×3 and 4×2           -> 7
    1 dense       7 -> 8, gelu_tanh
    2 batch_norm  8, relu; running statistics moved off their defaults, num_batches_tracked 5
    3 residual    [dense 8 -> 6, tanh; dense 6 -> 8, identity], relu after the sum
    4 layer_norm  8, tanh
    5 dense       8 -> 3, softmax
This naming differs from the dense-only convention of docs/model-format.md (where each activation module
takes an index of its own): it is the layers-1 convention.

Files written to src/test/resources/io/torch/:
- layers-f64.safetensors, layers-f32.safetensors: the plain state_dict, no __metadata__, tensors
      0.tables.0.weight [5, 3]   0.tables.1.weight [4, 2]
      1.weight [8, 7]            1.bias [8]
      2.weight [8] (gamma)       2.bias [8] (beta)
      2.running_mean [8]         2.running_var [8]            (buffers)
      2.num_batches_tracked []   (a scalar, int64: dtype I64 in both files)
      3.f.0.weight [6, 8]        3.f.0.bias [6]      3.f.1.weight [8, 6]      3.f.1.bias [8]
      4.weight [8] (gamma)       4.bias [8] (beta)
      5.weight [3, 8]            5.bias [3]
  every floating-point tensor in F64 or F32 respectively. Tensors are ordered by element size, then name,
  and the header is padded with spaces to 8 bytes, as export_torch_model.save_safetensors writes them.
- layers-expected.json: "architecture" (the layers-1 `layers` of the model without values: kinds, sizes,
  activations, parameter and buffer names), "inputs" (5 × 2 numeric columns), "categories" (5 × 2
  indices), and per dtype ("F64", "F32") the eval-mode softmax outputs, 5 × 3: what backprop4j should
  compute in float64 from that file's values (the F32 ones are those of the F32 file, rounded, evaluated in
  float64). "num_batches_tracked" records the counter's value.

Each file is read back with export_torch_model.load_safetensors into a fresh model (load_state_dict,
strict) whose predictions must equal those written.

backprop4j -> PyTorch (java_to_torch): reads src/test/resources/io/layers-v1-float64.safetensors, saved by
ModelFile.save from LayerKindsModelFileTest.everyKind (every kind, a batch norm inside a residual block, a
nested block), builds the nn.Sequential its __metadata__ describes under format version 1's naming (each
layer one module, each non-identity activation the next module; a residual block's `f` numbered the same
way) from nn.Linear, nn.LayerNorm, nn.BatchNorm1d and the small Embedding and Residual modules below,
loads the file's tensors with load_state_dict as they are (strict), and checks its eval-mode predictions
against those LayerKindsModelFileTest pins.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 src/test/python/export_torch_layers_model.py
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_layer_fixtures as gen  # noqa: E402
from export_torch_model import ACTIVATIONS, OUT, load_safetensors, save_safetensors  # noqa: E402

JAVA_MODEL = os.path.join("src", "test", "resources", "io", "layers-v1-float64.safetensors")
# LayerKindsModelFileTest.PINNED_INPUTS (numeric columns, then category indices) and the predictions it pins.
JAVA_INPUTS = [[0.5, -1.0, 4, 0], [-0.25, 0.75, 1, 3]]
JAVA_PREDICTIONS = [[0.2772635529312527, 0.10442011793908988, 0.6183163291296573],
                    [0.3034112928349638, 0.12896570450833644, 0.5676230026566997]]

SEED = 20240611
TRACKED = 5


def build_model():
    torch.manual_seed(SEED)
    model = nn.Sequential(
        gen.Embedding(2, [(5, 3), (4, 2)]),
        gen.Dense(7, 8, "gelu_tanh"),
        gen._norm("batch_norm", 8, "relu", tracked=TRACKED),
        gen.Residual([gen.Dense(8, 6, "tanh"), gen.Dense(6, 8, "identity")], "relu"),
        gen._norm("layer_norm", 8, "tanh"),
        gen.Dense(8, 3, "softmax"),
    ).double()
    return model.eval()


def architecture(model):
    """The layers-1 `layers` without values."""
    values = {"weights", "bias", "gamma", "beta", "running_mean", "running_var", "num_batches_tracked", "weight"}

    def strip(spec):
        out = {}
        for k, v in spec.items():
            if k in values:
                continue
            if k == "tables":
                v = [strip(t) for t in v]
            elif k == "layers":
                v = [strip(d) for d in v]
            out[k] = v
        return out

    return [strip(s) for s in gen.describe(model)]


def predict(model, x, categories):
    with torch.no_grad():
        return model.eval()((x, categories))


def main():
    print("torch", torch.__version__)
    model = build_model()
    torch.manual_seed(SEED + 1)
    x = torch.randn(5, 2, dtype=torch.float64)
    categories = torch.stack([torch.randint(0, 5, (5,)), torch.randint(0, 4, (5,))], dim=1)
    expected = {"architecture": architecture(model), "inputs": x.tolist(), "categories": categories.tolist(),
                "num_batches_tracked": TRACKED}
    os.makedirs(OUT, exist_ok=True)
    for dtype, key in ((torch.float64, "F64"), (torch.float32, "F32")):
        state = {k: (v if v.dtype == torch.int64 else v.to(dtype)) for k, v in model.state_dict().items()}
        path = os.path.join(OUT, "layers-%s.safetensors" % key.lower())
        save_safetensors(state, path)
        # What backprop4j should compute: the file's values, evaluated in float64.
        exact = build_model()
        exact.load_state_dict({k: (v if v.dtype == torch.int64 else v.double()) for k, v in state.items()})
        want = predict(exact, x, categories)
        expected[key] = want.tolist()
        # The file reads back into the same names, shapes and dtypes, and predicts the same.
        tensors, _ = load_safetensors(path)
        assert tensors["2.num_batches_tracked"].dtype == torch.int64, tensors["2.num_batches_tracked"].dtype
        assert tensors["2.num_batches_tracked"].shape == torch.Size([]), tensors["2.num_batches_tracked"].shape
        assert int(tensors["2.num_batches_tracked"]) == TRACKED
        again = build_model()
        again.load_state_dict({k: (v if v.dtype == torch.int64 else v.double()) for k, v in tensors.items()})
        got = predict(again, x, categories)
        if not torch.equal(got, want):
            sys.exit("%s does not read back: max |difference| %.3g" % (path, (got - want).abs().max().item()))
        print("wrote %s (%d bytes), %d tensors; read back, predictions equal" % (path, os.path.getsize(path),
                                                                                   len(tensors)))
    with open(os.path.join(OUT, "layers-expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    diff = max(abs(a - b) for r64, r32 in zip(expected["F64"], expected["F32"]) for a, b in zip(r64, r32))
    print("wrote", os.path.join(OUT, "layers-expected.json"), "; F32 rounding moves the predictions by %.3g" % diff)


class V1Embedding(nn.Module):
    """A backprop4j embedding layer: input [numeric columns, one category index per table]; output the numeric
    columns, then each table's row, in column order. Its tensors are tables.k.weight."""

    def __init__(self, numeric, tables):
        super().__init__()
        self.numeric = numeric
        self.tables = nn.ModuleList(nn.Embedding(card, dim) for card, dim in tables)

    def forward(self, x):
        indices = x[:, self.numeric:].long()
        return torch.cat([x[:, :self.numeric]] + [t(indices[:, k]) for k, t in enumerate(self.tables)], dim=1)


class V1Residual(nn.Module):
    """x + f(x), f an nn.Sequential; an activation after the sum is the next module of the outer Sequential."""

    def __init__(self, inner):
        super().__init__()
        self.f = nn.Sequential(*inner)

    def forward(self, x):
        return x + self.f(x)


def v1_modules(meta, prefix, count, width):
    """The modules of `count` layers described under `prefix` ("layer" or "layer4.f."), format version 1's rule:
    each layer one module, each non-identity activation the next one."""
    modules = []
    for l in range(count):
        key = "%s%d." % (prefix, l + 1 if prefix == "layer" else l)
        kind = meta.get(key + "kind", "dense")
        units = int(meta[key + "units"])
        if kind == "dense":
            modules.append(nn.Linear(width, units))
        elif kind == "layer_norm":
            modules.append(nn.LayerNorm(width, eps=float(meta[key + "eps"])))
        elif kind == "batch_norm":
            modules.append(nn.BatchNorm1d(width, eps=float(meta[key + "eps"]), momentum=float(meta[key + "momentum"])))
        elif kind == "embedding":
            tables = [(int(meta["%stables.%d.cardinality" % (key, k)]), int(meta["%stables.%d.dimension" % (key, k)]))
                      for k in range(int(meta[key + "tables"]))]
            modules.append(V1Embedding(int(meta[key + "numeric_columns"]), tables))
        elif kind == "residual":
            modules.append(V1Residual(v1_modules(meta, key + "f.", int(meta[key + "inner_layers"]), width)))
        else:
            raise ValueError("unknown kind %r" % kind)
        params = {k[len(key + "activation."):]: v for k, v in meta.items() if k.startswith(key + "activation.")}
        activation = ACTIVATIONS[meta[key + "activation"]](params)
        if activation is not None:
            modules.append(activation)
        width = units
    return modules


def java_to_torch():
    tensors, meta = load_safetensors(JAVA_MODEL)
    assert meta["format"] == "backprop4j.network" and meta["required_features"] == "layer_kinds", meta
    model = nn.Sequential(*v1_modules(meta, "layer", int(meta["layer_count"]), int(meta["input_size"]))).double()
    model.load_state_dict(tensors)  # strict: every name, shape and buffer must match
    assert int(model[3].num_batches_tracked) == int(tensors["3.num_batches_tracked"]) > 0
    with torch.no_grad():
        got = model.eval()(torch.tensor(JAVA_INPUTS, dtype=torch.float64))
    difference = (got - torch.tensor(JAVA_PREDICTIONS, dtype=torch.float64)).abs().max().item()
    print("backprop4j model of every kind in PyTorch:", model)
    print("max |difference| from Java's predictions: %.3g" % difference)
    if difference > 1e-12:
        sys.exit("predictions differ")


if __name__ == "__main__":
    main()
    java_to_torch()
