#!/usr/bin/env python3
"""A/B summary of same-call runs: prefill --json files named MODEL-VARIANT-REP.json (or TAG-VARIANT-REP.json, as
scripts/gpu/ab-pairs.sh writes them, variants b and a) in one folder.

    ab-table.py DIR BASE [VARIANT ...]

For every (model, workload@bucket) it prints the median over reps of the graph GPU p50 (and host p50) of BASE, then each
variant's median and its change against BASE. Variants default to every one found but BASE, in name order. The session
run scripts under results/h200-ab-*/ call it after their alternating runs (before s25, and in s34 and s35's first calls,
each carried its own copy); scripts/gpu/ab-pairs.sh writes the runs.
"""
import collections
import glob
import json
import os
import statistics
import sys


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder, base = argv[1], argv[2]
    gpu, host = collections.defaultdict(list), collections.defaultdict(list)
    seen = set()
    for f in sorted(glob.glob(os.path.join(folder, '*.json'))):
        parts = os.path.basename(f)[:-5].split('-')
        if len(parts) < 3:
            continue
        model, variant = parts[0], '-'.join(parts[1:-1])
        seen.add(variant)
        for w in json.load(open(f))['workloads']:
            g = w.get('graph')
            if not g:
                continue
            key = '%s %s@%d' % (model, w['name'], w['paddedSize'])
            gpu[(key, variant)].append(g['gpuNs']['p50'] / 1e3)
            host[(key, variant)].append(g['hostNs']['p50'] / 1e3)
    variants = argv[3:] or sorted(seen - {base})
    med = statistics.median
    for key in sorted({k for k, _ in gpu}):
        if not gpu[(key, base)]:
            continue
        b = med(gpu[(key, base)])
        cells = ['%s %7.1f (%+.1f%%, host %7.1f)' % (v, med(gpu[(key, v)]), 100 * (med(gpu[(key, v)]) / b - 1), med(host[(key, v)]))
                 for v in variants if gpu[(key, v)]]
        print('%-28s %s %7.1f (host %7.1f, n=%d)  %s' % (key, base, b, med(host[(key, base)]), len(gpu[(key, base)]), '  '.join(cells)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
