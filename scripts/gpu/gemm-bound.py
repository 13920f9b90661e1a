#!/usr/bin/env python3
"""What the GEMMs of a `prefill --vs-cublas` run leave for everything else (no GPU; reads the results JSON).

  scripts/gpu/gemm-bound.py RESULTS.json [...]

Per workload: the profiling pass's serial GPU time (sum of ops), its GEMM ops (ours), the same ops each at the better of
ours and cuBLASLt's fastest candidate alone (the library computes the plain GEMM, ours includes its fused work, so the
better of the two is a lower bound of a GEMM-only forward on either), the other ops, and the graph's GPU p50."""
import json
import sys


def rows(path):
    r = json.load(open(path))
    model = r["config"]["model"]
    for w in r["workloads"]:
        p = w.get("profile")
        if not p or not p.get("gemmShapes"):
            continue
        ours = sum(s["gpuUs"] for s in p["gemmShapes"])
        if any("cublas" not in s for s in p["gemmShapes"]):
            raise SystemExit(f"{path}: workload {w['name']} has GEMM shapes without the cuBLASLt column (run with --vs-cublas)")
        best = sum(s["count"] * min(s["gpuUs"] / s["count"], s["cublas"]["bestUs"]) for s in p["gemmShapes"])
        lib = sum(s["count"] * s["cublas"]["bestUs"] for s in p["gemmShapes"])
        g = w.get("graph") or {}
        gpu = g.get("gpuNs", {}).get("p50")
        yield (model, w["name"], w["paddedSize"], p["totalUs"], ours, lib, best, p["totalUs"] - ours, gpu / 1e3 if gpu else None)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    print("| model | workload | bucket | serial ops us | GEMMs ours | GEMMs cuBLASLt best | GEMMs at the better | other ops | graph GPU p50 us |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for path in argv[1:]:
        for m, name, b, tot, ours, lib, best, other, gpu in rows(path):
            print(f"| {m} | {name} | {b} | {tot:.1f} | {ours:.1f} | {lib:.1f} | {best:.1f} | {other:.1f} | {'-' if gpu is None else f'{gpu:.1f}'} |")


if __name__ == "__main__":
    main(sys.argv)
