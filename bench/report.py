#!/usr/bin/env python3
"""Turns JMH JSON results (bench/run.sh ... -rf json -rff FILE) into the Markdown tables of RESULTS.md.

    python3 bench/report.py bench/jmh-result-matmul.json bench/jmh-result-elementwise.json

Times are JMH's average time per call (us/op, +- the 99.9% error JMH reports). Derived rates:

* MatmulBench: GFLOP/s = 2 n^3 / (us * 1e3); ratio = Proxima time / peer time (1.00 = no overhead,
  above 1 = Proxima slower).
* ElementwiseBench: GB/s = bytes / (us * 1e3), with bytes = 16 * size for a*b+c (reads a, b, c, writes
  the result: the same logical count for the fused, the two-op and the Java version) and 8 * size for
  exp; ratio = Proxima time / Java-loop time.
"""
import json
import math
import sys

UNIT_TO_US = {"us/op": 1.0, "ns/op": 1e-3, "ms/op": 1e3, "s/op": 1e6}


def load(paths):
    rows = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f):
                m = r["primaryMetric"]
                scale = UNIT_TO_US.get(m["scoreUnit"])
                if r["mode"] != "avgt" or scale is None:
                    sys.exit(f"report.py: {r['benchmark']}: expected average time in s/ms/us/ns per op, got {r['mode']} {m['scoreUnit']}")
                err = m["scoreError"]
                err = float(err) * scale if err not in ("NaN", None) and not math.isnan(float(err)) else None
                cls, method = r["benchmark"].split(".")[-2:]
                key = (cls, method, tuple(sorted(r["params"].items())))
                rows[key] = (m["score"] * scale, err)
    return rows


def fmt_time(t):
    if t is None:
        return "–"
    us, err = t
    return f"{us:,.1f} ± {err:,.1f}" if err is not None else f"{us:,.1f}"


def rate(t, work):
    return "–" if t is None else f"{work / (t[0] * 1e3):,.1f}"


def ratio(p, q):
    return "–" if p is None or q is None else f"{p[0] / q[0]:.2f}"


def matmul(rows):
    keys = sorted({(dict(k[2])["dtype"], int(dict(k[2])["n"])) for k in rows if k[0] == "MatmulBench"})
    if not keys:
        return
    print("### MatmulBench (n×n · n×n)\n")
    print("| dtype | n | Proxima `Tensor.matmul` µs | GFLOP/s | peer `Cblas` gemm µs | GFLOP/s | ratio (Proxima/peer) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for dtype, n in keys:
        p = (("dtype", dtype), ("n", str(n)))
        t = rows.get(("MatmulBench", "tensorMatmul", p))
        b = rows.get(("MatmulBench", "cblasGemm", p))
        flops = 2.0 * n ** 3
        print(f"| {dtype} | {n} | {fmt_time(t)} | {rate(t, flops)} | {fmt_time(b)} | {rate(b, flops)} | {ratio(t, b)} |")
    print()


def elementwise(rows):
    sizes = sorted({int(dict(k[2])["size"]) for k in rows if k[0] == "ElementwiseBench"})
    if not sizes:
        return
    print("### ElementwiseBench (F32)\n")
    print("| op | size | Proxima | µs | GB/s | peer (Java loop) µs | GB/s | ratio (Proxima/peer) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    groups = [("a·b+c", 16, ["tensorMulAdd", "tensorMulThenAdd"], "javaMulAdd"),
              ("exp(a)", 8, ["tensorExp"], "javaExp")]
    for op, bytes_per, mine, peer in groups:
        for size in sizes:
            p = (("size", str(size)),)
            q = rows.get(("ElementwiseBench", peer, p))
            work = bytes_per * size
            for m in mine:
                t = rows.get(("ElementwiseBench", m, p))
                if t is None and q is None:
                    continue
                print(f"| {op} | {size:,} | `{m}` | {fmt_time(t)} | {rate(t, work)} | {fmt_time(q)} | {rate(q, work)} | {ratio(t, q)} |")
    print()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rows = load(sys.argv[1:])
    matmul(rows)
    elementwise(rows)


if __name__ == "__main__":
    main()
