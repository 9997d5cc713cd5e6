#!/usr/bin/env python3
"""PyTorch -> ONNX -> backprop4j: a few seeded nn.Sequential models exported by torch.onnx.export (PyTorch 1.13,
Debian python3-torch), with the predictions an imported network must reproduce.

Run from the repository root:  python3 src/test/python/export_torch_onnx.py
Writes src/test/resources/onnx/<name>.onnx and <name>.json; the JSON holds "opset", "dtype" ("float32" or
"float64"), "inputs" (rows) and "outputs" (the eval-mode predictions, rows). OnnxImportTest reads them.

Models (what the exporter writes for each is what OnnxImport must recognise):
- mlp-gelu-f32 (opset 17): Linear 4->8, GELU(tanh) [a dozen Mul/Pow/Add/Tanh nodes with Constants],
  Linear 8->6, Tanh, Linear 6->3, Softmax(-1)                                         [Gemm]
- norms-f32 (opset 17): Linear 5->8, LayerNorm(8) [LayerNormalization], ReLU, Linear 8->6,
  BatchNorm1d(6) in eval with running statistics off their defaults [BatchNormalization], SiLU
  [Sigmoid + Mul], Linear 6->2, Sigmoid
- acts-f64 (opset 17, float64): Linear 3->7, LeakyReLU(0.2), Linear 7->7, ELU(0.7), Linear 7->5,
  Softplus, LayerNorm(5), Linear 5->2
- layernorm-opset14-f32 (opset 14): Linear 4->6, LayerNorm(6) [decomposed: ReduceMean, Sub, Pow, ReduceMean,
  Add, Sqrt, Div, Mul, Add], GELU(tanh), Linear 6->3
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join("src", "test", "resources", "onnx")


def randomise_batch_norm(model, generator):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
                m.weight.copy_(torch.randn(m.num_features, generator=generator) * 0.3 + 1)
                m.bias.copy_(torch.randn(m.num_features, generator=generator) * 0.3)
        if isinstance(m, nn.LayerNorm):
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.normalized_shape, generator=generator) * 0.3 + 1)
                m.bias.copy_(torch.randn(m.normalized_shape, generator=generator) * 0.3)


def export(name, model, inputs, opset, dtype):
    generator = torch.Generator().manual_seed(sum(name.encode()))
    randomise_batch_norm(model, generator)
    model = model.to(dtype).eval()
    x = torch.randn(inputs[0], inputs[1], generator=torch.Generator().manual_seed(7), dtype=dtype) * 1.5
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"opset": opset, "dtype": "float32" if dtype == torch.float32 else "float64",
                   "inputs": x.tolist(), "outputs": y.tolist()}, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(15)
    export("mlp-gelu-f32", nn.Sequential(nn.Linear(4, 8), nn.GELU(approximate="tanh"), nn.Linear(8, 6), nn.Tanh(),
                                          nn.Linear(6, 3), nn.Softmax(dim=-1)), (5, 4), 17, torch.float32)
    export("norms-f32", nn.Sequential(nn.Linear(5, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 6),
                                       nn.BatchNorm1d(6), nn.SiLU(), nn.Linear(6, 2), nn.Sigmoid()),
           (6, 5), 17, torch.float32)
    export("acts-f64", nn.Sequential(nn.Linear(3, 7), nn.LeakyReLU(0.2), nn.Linear(7, 7), nn.ELU(0.7),
                                      nn.Linear(7, 5), nn.Softplus(), nn.LayerNorm(5), nn.Linear(5, 2)),
           (5, 3), 17, torch.float64)
    export("layernorm-opset14-f32", nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.GELU(approximate="tanh"),
                                                   nn.Linear(6, 3)), (4, 4), 14, torch.float32)


if __name__ == "__main__":
    main()
