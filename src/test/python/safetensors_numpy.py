"""A NumPy-only reader and writer of safetensors files, such as backprop4j's model, bundle and checkpoint files.

    tensors, metadata = read("model.safetensors")    # {name: np.ndarray}, {str: str}
    write("copy.safetensors", tensors, metadata)      # the same bytes as backprop4j writes

Needs only Python 3 and NumPy (Debian: python3-numpy); the format is described in docs/model-format.md. Tested by
test_safetensors_numpy.py on files that the Java tests write.
"""
import json
import struct

import numpy as np

# dtype names of the format -> little-endian NumPy dtypes (BF16 has none: it is read as the top half of a float32)
DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}
NAMES = {np.dtype(v).str: k for k, v in DTYPES.items()}


def read(path):
    """Returns (tensors, metadata): each tensor a NumPy array of its shape, the metadata a dict of strings."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = memoryview(raw)[8 + n:]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if entry["dtype"] == "BF16":
            bits = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            array = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]])
        tensors[name] = array.reshape(tuple(entry["shape"])).copy()
    return tensors, metadata


def write(path, tensors, metadata=None):
    """Writes tensors (NumPy arrays) and string metadata as the reference writer and backprop4j do: metadata first,
    tensors ordered by element size (largest first) then by name, their data contiguous in that order, and the
    header padded with spaces to a multiple of 8 bytes."""
    names = sorted(tensors, key=lambda name: (-np.asarray(tensors[name]).dtype.itemsize, name))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for name in names:
        array = np.asarray(tensors[name])
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)  # tobytes() writes C order
        blob = array.tobytes()
        header[name] = {"dtype": NAMES[array.dtype.str], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
