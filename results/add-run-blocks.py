#!/usr/bin/env python3
"""Gives every committed --impl-choices input under results/ its provenance.run block (fourteenth session).

Those files were written by the session scripts before each A/B (a rule, a row set), so unlike tune-gemm's output they
never had the run's meta and devices blocks. This finds, for each file without one, the results files whose argv gave it
to --impl-choices (by file name: the s8, s9 and s11 calls carried a copy under .gpu/), takes the earliest, and lets
add-run-blocks.jsh write that run's meta and devices blocks into the file through bench's own reader and writer, with a
note naming the run. ImplChoices.identity leaves provenance.run out, so no identity a run recorded moves (the script
checks it). Run from the repo root after `mvn package`:   python3 results/add-run-blocks.py
"""
import gzip, json, os, subprocess, tarfile, tempfile

RUNS_UNDER = ["results/h200-ab-20261129", "results/h200-ab-20261130", "results/h200-ab-20261201",
             "results/h200-ab-20261202", "results/h200-ab-20261203"]


def run_files():
    """(label, parsed JSON) of every results file with a meta block: plain, gzipped, or inside a call's res.tar.xz."""
    for root in RUNS_UNDER:
        for d, _, names in os.walk(root):
            for n in sorted(names):
                p = os.path.join(d, n)
                if n.endswith(".json.gz"):
                    yield p, gzip.open(p).read()
                elif n.endswith(".json") and "choices" not in n:
                    yield p, open(p, "rb").read()
                elif n == "res.tar.xz":
                    with tarfile.open(p) as t:
                        for m in t.getmembers():
                            raw = t.extractfile(m).read() if m.isfile() else None
                            if m.name.endswith(".json"):
                                yield p + "!" + m.name, raw
                            elif m.name.endswith(".json.gz"):
                                yield p + "!" + m.name, gzip.decompress(raw)


def choices_arg(argv):
    for i, a in enumerate(argv):
        if a == "--impl-choices" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--impl-choices="):
            return a.split("=", 1)[1]
    return None


def main():
    files = subprocess.check_output(["git", "ls-files", "results/*choices*.json"], text=True).split()
    todo = [f for f in files if not json.load(open(f)).get("provenance", {}).get("run")]
    runs = []
    for label, raw in run_files():
        try:
            d = json.loads(raw)
        except ValueError:
            continue
        c = choices_arg(d.get("meta", {}).get("argv", [])) if isinstance(d, dict) else None
        if c:
            runs.append((d["meta"]["timestamp"], label, c, d))
    tmp = tempfile.mkdtemp(prefix="runblocks-")
    pairs = []
    for f in todo:
        base = os.path.basename(f)
        names = {base, base[len("choices-"):]} if base.startswith("choices-") else {base}
        here = os.path.dirname(os.path.dirname(f))  # the session folder (s11, s13, ...) or the call's parent
        used = sorted(r for r in runs if os.path.basename(r[2]) in names and r[1].startswith(here))
        exact = [r for r in used if r[2].endswith("/" + f)]  # the argv names this very file (s16: s15 had a namesake)
        used = exact or used
        if not used:
            raise SystemExit(f + ": no results file names it in --impl-choices")
        ts, label, arg, d = used[0]
        out = os.path.join(tmp, str(len(pairs)) + ".json")
        json.dump({"meta": d["meta"], "devices": d["devices"]}, open(out, "w"))
        pairs.append("\t".join([f, out, label, arg, str(len(used))]))
    tsv = os.path.join(tmp, "pairs.tsv")
    open(tsv, "w").write("\n".join(pairs) + "\n")
    subprocess.check_call(["jshell", "-R-Druns=" + tsv, "--class-path", "cli/target/bench.jar", "results/add-run-blocks.jsh"])


if __name__ == "__main__":
    main()
