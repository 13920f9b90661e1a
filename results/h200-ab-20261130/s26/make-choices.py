#!/usr/bin/env python3
"""Writes the s26 candidate choices files beside this script from the bundled impl-choices.json (run from the repo root):
the bundled rows plus one norm_into_gemms fusion row at 1..16 (v67: add_rmsnorm folded into the half-width 16-row
streaming GEMMs around it, Lowering.foldNorms; ERNIE-4.5-0.3B's layer GEMMs run those kernels there). nf16: every graph;
nf16p: the plain graphs only ("batch": "prefill"), the decode graphs keep the bundled forms. Nothing else moves.

    python3 results/h200-ab-20261130/s26/make-choices.py [NAME ...]

Pass a file to the jar with --impl-choices FILE. v67 was not merged (s26 call 4: short +36 %): the fusion row names a
fusion only the v67 branch has (v67.patch beside this script, commit a1396a8 in the history through the record merge), so
the files are not committed; call 4's results files name them, and this script at the bundled rows of main 213514a
writes them again.
"""
import json, os, sys

SRC = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = 'v67 candidate (s26): add_rmsnorm folded into the half-width streaming GEMMs around it'


def norm_row(batch=None):
    r = {'fusion': 'norm_into_gemms', 'm': 1, 'mMax': 16, 'arch': 90}
    if batch:
        r['batch'] = batch
    r['source'] = SOURCE
    return r


CANDIDATES = {
    'nf16': lambda d: d['fusions'].append(norm_row()),
    'nf16p': lambda d: d['fusions'].append(norm_row('prefill')),
}


def make(name):
    d = json.load(open(SRC))
    CANDIDATES[name](d)
    return d


if __name__ == '__main__':
    for name in sys.argv[1:] or CANDIDATES:
        json.dump(make(name), open(os.path.join(HERE, 'choices-%s.json' % name), 'w'), indent=1)
