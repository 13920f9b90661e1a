#!/usr/bin/env python3
"""Reads cupti_trace.cpp's CSV and prints, per captured graph, where a replay's time goes on the GPU.

A replay is one run of every kernel node of a graph (nodes identified by CUPTI's graph node id). Per node, over the
replays: the median duration (end - start), the gap from the previous node's end to its start (negative: it overlaps,
as programmatic launches do), and its increment of the completion frontier (how much later the replay's last end is
after this node than before it): the increments add up to the replay's span, so they say what each kernel costs the
chain, where the duration says what it costs alone (a programmatic launch starts early and waits: its duration includes
the wait).

usage: graph_timeline.py trace.csv [--nodes FILE] [--label NAME] [--ops DUMP]
  --nodes FILE: also write every node's row (graph, order, name, grid, duration, gap, increment) to FILE
  --ops DUMP:   `bench.jar plan --dump-ops` of the same model and sizes: the k-th node of a graph (in start order) is the
                k-th lowered op of its capture size when the counts agree and every kernel of ours carries its op's
                kernel name (a library op may be any other kernel); then also a table per op of a decoder layer (the
                median over layers of its increment) and the node rows carry the op names
"""
import argparse
import csv
import statistics
import sys
from collections import defaultdict


def family(name):
    n = name.lower()
    for key, fam in (("attention", "attention"), ("rmsnorm", "norm"), ("final_norm", "final norm"), ("rope", "rope+kv"),
                     ("silu_mul", "act"), ("embed", "embed"), ("argmax", "argmax"), ("tile_map", "tile map"),
                     ("gemm_bf16_tma", "gemm (ours, TMA)"), ("gemm_bf16_stream", "gemm (ours, stream)"),
                     ("gemm_bf16", "gemm (ours, mma.sync)"), ("splitk", "split-K reduce"), ("layer_persistent", "persistent layer"),
                     ("prefetch", "L2 prefetch")):
        if key in n:
            return fam
    if n.startswith("nvjet") or "sm90_xmma" in n or "cutlass" in n or "gemm" in n or "gemv" in n:
        return "gemm (cuBLASLt)"
    return "other"


# the dump's lines of a size's other graphs (OpDump): "# decode graph: size=..." and "# fresh-prompt graph: size=..."
GRAPH_PREFIXES = ("# decode graph: ", "# fresh-prompt graph: ")


def read_ops(path):
    """size -> every graph's [(op, kernel)] in lowered order (the plain plan's, then a decode or fresh-prompt plan's),
    from a --dump-ops file."""
    ops = defaultdict(lambda: defaultdict(list))
    with open(path) as f:
        for line in f:
            kind = next((p for p in GRAPH_PREFIXES if line.startswith(p)), "")
            if kind:
                line = line[len(kind):]
            elif line.startswith("#") or not line.strip():
                continue
            kv = dict(x.split("=", 1) for x in line.split() if "=" in x)
            ops[kv["size"]][kind].append((kv["op"], kv["kernel"]))
    return {size: list(by_kind.values()) for size, by_kind in ops.items()}


def label(order, names, plans):
    """The op names of the nodes in start order from the first of the size's plans that lines up with the graph (a
    fresh-prompt graph has its own ops), or None when none does."""
    for ops in plans or []:
        if len(ops) != len(order):
            continue
        if all(kernel.startswith("cublas") or names[n] == kernel for n, (op, kernel) in zip(order, ops)):
            return [op for op, _ in ops]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trace")
    ap.add_argument("--nodes", help="also write every node's row (graph, order, op, name, grid, duration, gap, increment)")
    ap.add_argument("--label", default="", help="a word printed before each graph's heading")
    ap.add_argument("--ops", help="bench.jar plan --dump-ops of the same model and sizes: op names and a per-op table")
    a = ap.parse_args()
    label_text = a.label + " " if a.label else ""
    ops_by_size = read_ops(a.ops) if a.ops else None
    recs = defaultdict(list)
    with open(a.trace) as f:
        for r in csv.DictReader(f):
            g = int(r["graph"])
            if g == 0:
                continue
            recs[g].append((int(r["start"]), int(r["end"]), int(r["node"]), r["name"], (r["gx"], r["gy"], r["gz"])))
    rows_all = []
    for g in sorted(recs):
        rs = sorted(recs[g])
        k = len({r[2] for r in rs})
        replays, cur, seen = [], [], set()
        for r in rs:
            if r[2] in seen:
                replays.append(cur)
                cur, seen = [], set()
            cur.append(r)
            seen.add(r[2])
        replays.append(cur)
        replays = [x for x in replays if len(x) == k]
        if len(replays) < 3:
            continue
        per = defaultdict(lambda: {"dur": [], "gap": [], "inc": [], "off": []})
        spans, names, grids = [], {}, {}
        for rep in replays:
            t0 = min(x[0] for x in rep)
            spans.append(max(x[1] for x in rep) - t0)
            frontier, prev_end = t0, None
            for s, e, node, name, grid in sorted(rep):
                d = per[node]
                d["dur"].append(e - s)
                d["gap"].append(0 if prev_end is None else s - prev_end)
                d["inc"].append(max(0, e - frontier))
                d["off"].append(s - t0)
                frontier = max(frontier, e)
                prev_end = e
                names[node], grids[node] = name, grid
        # per node, the medians over replays in us: duration, gap, increment, start offset
        med = {n: {key: statistics.median(v) / 1000.0 for key, v in d.items()} for n, d in per.items()}
        order = sorted(med, key=lambda n: med[n]["off"])
        # the embedding gather runs one block per token of the capture size: it names the graph's bucket
        size = next((grids[n][0] for n in order if "embed" in names[n]), "?")
        op_names = label(order, names, ops_by_size.get(size) if ops_by_size else None)
        fam = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
        for i, n in enumerate(order):
            m, f = med[n], fam[family(names[n])]
            f[0] += m["dur"]
            f[1] += m["inc"]
            f[2] += m["gap"] if i else 0.0
            f[3] += 1
            op = op_names[i] if op_names else "-"
            rows_all.append((g, i, op, names[n][:60], "x".join(grids[n]), m["dur"], m["gap"], m["inc"]))
        span = statistics.median(spans) / 1000.0
        print(f"\n{label_text}graph {g} (capture size {size}): {k} kernel nodes, {len(replays)} replays, median span {span:.1f} us")
        print("| family | kernels | duration us (sum of medians) | increment us (chain cost) | gaps us (start - previous end) |")
        print("|---|---:|---:|---:|---:|")
        for f, (dur, inc, gap, cnt) in sorted(fam.items(), key=lambda kv: -kv[1][1]):
            print(f"| {f} | {cnt} | {dur:.1f} | {inc:.1f} | {gap:.1f} |")
        tot = [sum(v[i] for v in fam.values()) for i in range(3)]
        print(f"| **all** | {k} | {tot[0]:.1f} | {tot[1]:.1f} | {tot[2]:.1f} |")
        if op_names:
            per_op = defaultdict(list)
            for i, n in enumerate(order):
                if op_names[i].startswith("L") and "." in op_names[i]:
                    per_op[op_names[i].split(".", 1)[1]].append((names[n], med[n]["dur"], med[n]["inc"]))
            print("\n| op of a layer | kernel | duration us (median over layers) | increment us (median) | increment, all layers |")
            print("|---|---|---:|---:|---:|")
            for op, v in per_op.items():
                print(f"| {op} | {v[0][0][:40]} | {statistics.median(x[1] for x in v):.2f} | {statistics.median(x[2] for x in v):.2f} "
                      f"| {sum(x[2] for x in v):.1f} |")
        elif ops_by_size is not None:
            print("(--ops: the dump's ops for this size do not line up with the graph's nodes; no per-op table)")
    if a.nodes:
        with open(a.nodes, "w") as f:
            f.write("graph,order,op,name,grid,dur_us,gap_us,inc_us\n")
            for r in rows_all:
                f.write("%d,%d,%s,%s,%s,%.2f,%.2f,%.2f\n" % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
