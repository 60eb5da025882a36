#!/usr/bin/env python3
"""safetensors interop for dev.proxima.io.Safetensors (manual check; the Java tests do not need Python).

The `safetensors` package is not installed here, so this script writes and reads the format itself with
NumPy, following the published format (github.com/huggingface/safetensors, README "Format"):
  8 bytes   N, the header length, unsigned little-endian
  N bytes   a UTF-8 JSON object: name -> {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
            to the first byte after the header), plus an optional "__metadata__" object of strings
  rest      the data, row-major, little-endian, the tensors' ranges tiling it without gaps
and the reference writer's layout (safetensors/src/tensor.rs, `prepare`): compact JSON, "__metadata__"
first, tensors ordered by descending dtype alignment (its Dtype enum order) then by name, header padded
with spaces to a multiple of 8 bytes.

    python3 safetensors_fixtures.py generate ../resources/fixtures/safetensors
        writes model.safetensors (every dtype Proxima has, a scalar, an empty tensor, metadata; in the
        reference writer's layout, so SafetensorsTest also compares the bytes Proxima writes with it) and
        pretty.safetensors (an indented header in another key order, non-ASCII and escaped names).

    python3 safetensors_fixtures.py verify ../../../target/interop/safetensors
        reads the files SafetensorsTest wrote and checks their values.

Values follow the pattern of the other fixtures (Patterns.java): element k (C order) of a tensor of type
  float: k * 0.5 - 3;  signed int: k - 5;  uint8: (7 k) mod 256;  bool: k mod 3 == 0.
"""
import json
import os
import struct
import sys

import numpy as np

# the reference implementation's Dtype enum, in its (increasing alignment) order
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "F64", "I64", "U64"]
NUMPY = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I8": "i1", "U8": "u1",
         "BOOL": "?", "BF16": "<u2"}


def pattern(dtype, shape):
    n = int(np.prod(shape, dtype=np.int64))
    k = np.arange(n)
    if dtype in ("F64", "F32", "F16", "BF16"):
        v = k * 0.5 - 3
    elif dtype in ("I64", "I32", "I8"):
        v = k - 5
    elif dtype == "U8":
        v = (7 * k) % 256
    else:
        v = k % 3 == 0
    if dtype == "BF16":
        # bfloat16 = the upper 16 bits of float32 (exact for these values)
        return (v.astype("<f4").view("<u4") >> 16).astype("<u2").reshape(shape)
    return v.astype(NUMPY[dtype]).reshape(shape)


MODEL = [  # name, dtype, shape
    ("encoder.weight", "F32", (2, 3, 4)),
    ("encoder.bias", "F32", (4,)),
    ("empty", "F32", (0, 3)),
    ("head.weight", "F64", (3, 2)),
    ("scalar", "F64", ()),
    ("half", "F16", (2, 3)),
    ("brain", "BF16", (4,)),
    ("positions", "I64", (6,)),
    ("counts", "I32", (2, 2)),
    ("small", "I8", (5,)),
    ("pixels", "U8", (3, 3)),
    ("mask", "BOOL", (2, 2)),
]
METADATA = {"format": "pt", "source": "safetensors_fixtures.py"}


def reference_layout(tensors, metadata):
    """The bytes of the reference writer for tensors = [(name, dtype, array)]."""
    order = sorted(tensors, key=lambda t: (-DTYPE_ORDER.index(t[1]), t[0]))
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    for name, dtype, a in order:
        n = a.nbytes
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(a.tobytes() for _, _, a in order)


def generate(out):
    os.makedirs(out, exist_ok=True)
    model = [(name, dtype, pattern(dtype, shape)) for name, dtype, shape in MODEL]
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(reference_layout(model, METADATA))

    # a header as another writer might lay it out: indented, keys in reverse data order, names that need
    # escapes, data in name order rather than by alignment, padded with newlines
    pretty = [("z.first", "I32", pattern("I32", (3,))),
              ("gewicht.\u00e4\u4e2d", "F16", pattern("F16", (2, 2))),
              ('quote"back\\slash', "F64", pattern("F64", (2,)))]
    header, offset = {}, 0
    for name, dtype, a in pretty:
        header[name] = {"data_offsets": [offset, offset + a.nbytes], "shape": list(a.shape), "dtype": dtype}
        offset += a.nbytes
    header = dict(reversed(list(header.items())))
    header["__metadata__"] = {"w\u00e4hrung": "\u20ac"}
    text = json.dumps(header, indent=2, ensure_ascii=True).encode("utf-8") + b"\n\n"
    with open(os.path.join(out, "pretty.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(a.tobytes() for _, _, a in pretty))


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        a = np.frombuffer(body[b:e], dtype=NUMPY[info["dtype"]]).reshape(info["shape"])
        out[name] = (info["dtype"], a)
    assert sum(a.nbytes for _, a in out.values()) == len(body), path
    return out, metadata


def verify(folder):
    checked = 0
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".safetensors"):
            continue
        tensors, metadata = read(os.path.join(folder, file))
        for name, (dtype, a) in tensors.items():
            expected = pattern(dtype, a.shape)
            assert np.array_equal(a, expected), f"{file}: {name} = {a}, expected {expected}"
            checked += 1
        print(f"{file}: {len(tensors)} tensors, metadata {metadata}: ok")
    assert checked > 0, f"no tensors in {folder}"


if __name__ == "__main__":
    {"generate": generate, "verify": verify}[sys.argv[1]](sys.argv[2])
