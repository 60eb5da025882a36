#!/usr/bin/env python3
"""NumPy interop for dev.proxima.io.Npy (manual check; the Java tests do not need Python).

    python3 npy_fixtures.py generate ../resources/fixtures/npy
        writes the .npy/.npz fixtures NpyTest reads (each dtype, both byte orders, C and Fortran
        order, format versions 1.0/2.0/3.0, scalar/empty shapes, stored and deflated .npz).

    python3 npy_fixtures.py verify ../../../target/interop/npy
        checks the files NpyTest wrote (run `./mvnw -o verify -pl modules/io -am` first).

Values follow one pattern the Java test recomputes: element k (C order) of a tensor of type
  float: k * 0.5 - 3;  signed int: k - 5;  uint8: (7 k) mod 256;  bool: k mod 3 == 0.
"""
import os
import sys
import zipfile

import numpy as np

CODES = ["f4", "f8", "i4", "i8", "i1", "u1", "b1", "f2"]
SHAPE = (2, 3, 4)


def pattern(code, shape):
    n = int(np.prod(shape))
    k = np.arange(n)
    if code[0] == "f":
        v = k * 0.5 - 3
    elif code[0] == "i":
        v = k - 5
    elif code == "u1":
        v = (7 * k) % 256
    else:
        v = k % 3 == 0
    return v.astype(code).reshape(shape)


def generate(out):
    os.makedirs(out, exist_ok=True)
    for code in CODES:
        orders = ["|"] if code[1] == "1" else ["<", ">"]
        for endian in orders:
            tag = {"<": "le", ">": "be", "|": "na"}[endian]
            a = pattern(code, SHAPE).astype(endian + code)
            np.save(os.path.join(out, f"{code}_{tag}_c.npy"), a)
            np.save(os.path.join(out, f"{code}_{tag}_f.npy"), np.asfortranarray(a))
    a = pattern("f4", SHAPE)
    for version in [(1, 0), (2, 0), (3, 0)]:
        with open(os.path.join(out, f"f4_v{version[0]}.npy"), "wb") as f:
            np.lib.format.write_array(f, a, version=version)
    np.save(os.path.join(out, "f8_scalar.npy"), np.float64(2.5))
    np.save(os.path.join(out, "i4_empty.npy"), np.zeros((0, 3), dtype="<i4"))
    np.save(os.path.join(out, "f4_vector.npy"), pattern("f4", (5,)))
    arrays = {"x": pattern("f4", (3, 4)), "idx": pattern("i8", (6,)), "mask": pattern("b1", (2, 2))}
    np.savez(os.path.join(out, "stored.npz"), **arrays)
    np.savez_compressed(os.path.join(out, "deflated.npz"), **arrays)


def verify(folder):
    checked = 0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".npy"):
            code = name.split("_")[0]
            a = np.load(path)
            want = pattern(code, a.shape)
            assert a.dtype == np.dtype(code), (name, a.dtype)
            assert np.array_equal(a, want), name
            if name.endswith("_f.npy"):
                assert a.flags.f_contiguous and a.ndim > 1, name + " should be in Fortran order"
            checked += 1
        elif name.endswith(".npz"):
            with zipfile.ZipFile(path) as z:
                methods = {i.compress_type for i in z.infolist()}
            with np.load(path) as z:
                for key in z.files:
                    code = key.split("_")[0]
                    assert np.array_equal(z[key], pattern(code, z[key].shape)), (name, key)
                    checked += 1
            print(name, "zip methods", methods)
    print("verified", checked, "arrays written by Proxima in", folder)
    if checked == 0:
        sys.exit("nothing to verify in " + folder)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("generate", "verify"):
        sys.exit(__doc__)
    (generate if sys.argv[1] == "generate" else verify)(sys.argv[2])
