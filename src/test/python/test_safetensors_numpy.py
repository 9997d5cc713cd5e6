"""Tests safetensors_numpy.py on a bundle file that the Java tests write (ModelBundleTest, into target/python-interop):
reads it, predicts from raw rows with NumPy (scaler, then the dense layers) and compares with Java's outputs, writes
it back and checks that the bytes are Java's, and round-trips other dtypes.

Run from the repository root after the Java tests (mvn test or verify): python3 src/test/python/test_safetensors_numpy.py
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_numpy  # noqa: E402

FOLDER = os.path.join("target", "python-interop")
ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(
        axis=1, keepdims=True),
}


def predict_dense(tensors, metadata, x):
    """a = σ(a·Wᵀ + b), layer by layer, for a file of dense layers with the activations above (module indices by
    the format's rule: an identity activation takes no index)."""
    a, module = x, 0
    for l in range(1, int(metadata["layer_count"]) + 1):
        assert metadata.get("layer%d.kind" % l, "dense") == "dense", "this test reads dense layers only"
        activation = metadata["layer%d.activation" % l]
        a = ACTIVATIONS[activation](a @ tensors["%d.weight" % module].T + tensors["%d.bias" % module])
        module += 1 if activation == "identity" else 2
    return a


def scale(tensors, metadata, rows):
    """The bundle's scaler applied to the numeric columns of raw rows."""
    kind = metadata.get("bundle.scaler")
    if kind == "standardizer":
        mean, std = tensors["preprocessing.mean"], tensors["preprocessing.std"]
        return (rows - mean) / np.where(std == 0, 1, std)
    if kind == "min_max":
        lo, hi = float(metadata["bundle.scaler.lower"]), float(metadata["bundle.scaler.upper"])
        mn, mx = tensors["preprocessing.min"], tensors["preprocessing.max"]
        return lo + (rows - mn) * (hi - lo) / np.where(mx == mn, 1, mx - mn)
    return rows


def main():
    path = os.path.join(FOLDER, "iris-bundle.safetensors")
    if not os.path.exists(path):
        print("FAIL: %s is missing; run the Java tests first (mvn -o test -Dtest=ModelBundleTest)" % path)
        return 1
    tensors, metadata = safetensors_numpy.read(path)
    with open(os.path.join(FOLDER, "iris-bundle-expected.json")) as f:
        expected = json.load(f)
    assert metadata["format"] == "backprop4j.network" and metadata["bundle_format_version"] == "1", metadata
    assert json.loads(metadata["bundle.class_names"]) == ["setosa", "versicolor", "virginica"], metadata
    assert tensors["0.weight"].dtype == np.float64 and tensors["0.weight"].shape == (5, 3), tensors["0.weight"]
    rows = np.array(expected["rows"])
    outputs = predict_dense(tensors, metadata, scale(tensors, metadata, rows))
    error = np.max(np.abs(outputs - np.array(expected["outputs"])))
    assert error < 1e-12, "NumPy's outputs differ from Java's by %g" % error

    with tempfile.TemporaryDirectory() as folder:
        copy = os.path.join(folder, "copy.safetensors")
        safetensors_numpy.write(copy, tensors, metadata)
        with open(path, "rb") as a, open(copy, "rb") as b:
            assert a.read() == b.read(), "the writer's bytes differ from Java's"
        # Other dtypes, a scalar, a big-endian array and non-ASCII metadata survive a round trip.
        others = {"f32": np.arange(6, dtype=np.float32).reshape(2, 3), "f16": np.array([1.5, -2], dtype=np.float16),
                  "count": np.array(12, dtype=np.int64), "big": np.arange(3, dtype=">f8")}
        other = os.path.join(folder, "other.safetensors")
        safetensors_numpy.write(other, others, {"city": "Zürich"})
        back, meta = safetensors_numpy.read(other)
        assert meta == {"city": "Zürich"}, meta
        for name, array in others.items():
            assert back[name].shape == array.shape and np.array_equal(back[name], array), (name, back[name])
        assert back["big"].dtype.str == "<f8", back["big"].dtype
    print("OK: read %d tensors, NumPy's predictions agree with Java's to %.1e, the writer gives Java's bytes"
          % (len(tensors), error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
