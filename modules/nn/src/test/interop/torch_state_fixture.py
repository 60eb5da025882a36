#!/usr/bin/env python3
"""A PyTorch-style state file for dev.proxima.nn.Module.load (manual; the Java tests do not need Python).

    python3 torch_state_fixture.py ../resources/fixtures

writes, with NumPy and the safetensors writer of modules/io/src/test/interop/safetensors_fixtures.py (the
published format, laid out as the reference implementation lays it out):

  mlp_3_4_2.safetensors     the state of torch.nn.Sequential(Linear(3, 4), Tanh(), Linear(4, 2)) under
                            PyTorch's names: 0.weight [4, 3], 0.bias [4], 2.weight [2, 4], 2.bias [2] (F32;
                            a Linear's weight is [out, in], y = x W^T + b), with metadata format=pt
  mlp_3_4_2_io.safetensors  input [5, 3] and the output [5, 2] of that network, computed in float64 and
                            rounded to float32
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "io", "src", "test", "interop"))
from safetensors_fixtures import reference_layout  # noqa: E402


def values(shape, phase):
    k = np.arange(int(np.prod(shape)), dtype=np.float64)
    return (0.5 * np.sin(0.7 * k + phase)).reshape(shape)


def main(out):
    os.makedirs(out, exist_ok=True)
    w0, b0 = values((4, 3), 0.1), values((4,), 0.2)
    w2, b2 = values((2, 4), 0.3), values((2,), 0.4)
    state = [("0.weight", "F32", w0.astype("<f4")), ("0.bias", "F32", b0.astype("<f4")),
             ("2.weight", "F32", w2.astype("<f4")), ("2.bias", "F32", b2.astype("<f4"))]
    with open(os.path.join(out, "mlp_3_4_2.safetensors"), "wb") as f:
        f.write(reference_layout(state, {"format": "pt"}))
    x = values((5, 3), 0.5) * 2
    # the network on the float32 weights, in float64
    f32 = {name: a.astype(np.float64) for name, _, a in state}
    h = np.tanh(x.astype("<f4").astype(np.float64) @ f32["0.weight"].T + f32["0.bias"])
    y = h @ f32["2.weight"].T + f32["2.bias"]
    with open(os.path.join(out, "mlp_3_4_2_io.safetensors"), "wb") as f:
        f.write(reference_layout([("input", "F32", x.astype("<f4")), ("output", "F32", y.astype("<f4"))], {}))
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
