#!/usr/bin/env python3
"""Round trip of weights between PyTorch and backprop4j through safetensors files.

1. PyTorch -> backprop4j: trains nothing, just builds a seeded
   nn.Sequential(Linear(4, 8), Tanh(), Linear(8, 6), ReLU(), Linear(6, 3)) and saves its plain
   state_dict as safetensors in F32, F16 and BF16 (tensor names 0.weight, 0.bias, 2.weight, ...,
   no architecture in the file), with the inputs and PyTorch's softmax predictions in
   expected.json. TorchInteropTest loads each file into the declared architecture
       Network.builder().input(4).dense(8, TANH).dense(6, RELU).dense(3, SOFTMAX)
   with ModelFile.loadWeights and checks that its predictions agree.
2. backprop4j -> PyTorch: reads src/test/resources/io/v1-float64.safetensors (saved by
   ModelFile.save), builds the nn.Sequential that its __metadata__ describes, loads the weights
   with load_state_dict as they are, and checks the predictions against those that
   ModelFileTest asserts for the same file.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 src/test/python/export_torch_model.py
then `mvn -o test -Dtest=TorchInteropTest`. The files are written with a small writer that
follows the safetensors specification (the `safetensors` package is used instead if installed).
"""
import json
import os
import struct
import sys

import torch
from torch import nn

OUT = os.path.join("src", "test", "resources", "io", "torch")
JAVA_MODEL = os.path.join("src", "test", "resources", "io", "v1-float64.safetensors")

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64"}  # I64: batch_norm's num_batches_tracked (export_torch_layers_model.py)
TORCH_DTYPES = {v: k for k, v in DTYPES.items()}


def save_safetensors(tensors, path, metadata=None):
    """Writes tensors as the reference writer does: header padded with spaces to 8 bytes, data contiguous."""
    try:
        from safetensors.torch import save_file
        save_file(tensors, path, metadata=metadata)
        return
    except ImportError:
        pass
    names = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in names:
        t = tensors[name].contiguous()
        data = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Reads a safetensors file (little-endian host assumed, as on x86 and ARM)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = TORCH_DTYPES[info["dtype"]]
        buf = bytearray(data[begin:end])
        if dtype == torch.bfloat16:
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata


def torch_to_java():
    torch.manual_seed(20240605)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3))
    inputs = torch.randn(5, 4, dtype=torch.float64)
    os.makedirs(OUT, exist_ok=True)
    expected = {"inputs": inputs.tolist()}
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        state = {k: v.to(dtype) for k, v in model.state_dict().items()}
        save_safetensors(state, os.path.join(OUT, "sequential-%s.safetensors" % DTYPES[dtype].lower()))
        # What backprop4j should compute: the same rounded weights, evaluated in float64.
        exact = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3)).double()
        exact.load_state_dict({k: v.double() for k, v in state.items()})
        with torch.no_grad():
            expected[DTYPES[dtype]] = torch.softmax(exact(inputs), dim=1).tolist()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote", OUT, "for", ", ".join(k for k in expected if k != "inputs"))


ACTIVATIONS = {
    "identity": lambda p: None, "sigmoid": lambda p: nn.Sigmoid(), "tanh": lambda p: nn.Tanh(),
    "relu": lambda p: nn.ReLU(), "leaky_relu": lambda p: nn.LeakyReLU(float(p["slope"])),
    "elu": lambda p: nn.ELU(float(p["alpha"])), "softplus": lambda p: nn.Softplus(), "silu": lambda p: nn.SiLU(),
    "gelu_tanh": lambda p: nn.GELU(approximate="tanh"), "softmax": lambda p: nn.Softmax(dim=1),
}


def java_to_torch():
    tensors, meta = load_safetensors(JAVA_MODEL)
    assert meta["format"] == "backprop4j.network", meta
    modules, previous = [], int(meta["input_size"])
    for l in range(1, int(meta["layer_count"]) + 1):
        units = int(meta["layer%d.units" % l])
        prefix = "layer%d.activation." % l
        params = {k[len(prefix):]: v for k, v in meta.items() if k.startswith(prefix)}
        modules.append(nn.Linear(previous, units))
        activation = ACTIVATIONS[meta["layer%d.activation" % l]](params)
        if activation is not None:
            modules.append(activation)
        previous = units
    model = nn.Sequential(*modules).double()
    model.load_state_dict(tensors)  # strict: every name and shape must match
    with torch.no_grad():
        got = model(torch.tensor([[0.5, -1.0, 2.0], [-0.25, 0.75, 0.0]], dtype=torch.float64))
    # The values that ModelFileTest.filesSavedByFormatVersion1StillLoadAndPredict asserts in Java.
    java = torch.tensor([[0.5286887983875146, 0.4713112016124854], [0.39164259511907096, 0.6083574048809289]],
                        dtype=torch.float64)
    difference = (got - java).abs().max().item()
    print("backprop4j model in PyTorch:", model, "max |difference| from Java's predictions: %.3g" % difference)
    if difference > 1e-12:
        sys.exit("predictions differ")


if __name__ == "__main__":
    print("torch", torch.__version__)
    torch_to_java()
    java_to_torch()
