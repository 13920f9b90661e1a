#!/usr/bin/env python3
"""Writes the s27 candidate choices files beside this script from the bundled impl-choices.json (run from the repo root):
the bundled rows plus one attention row on attention_prefill_wg_early_q4 (v69: the early wg form with 4 key parts),
inserted right before the model's 17..512 early-form row so it takes precedence over it. q4: ERNIE-4.5-0.3B at 129..512;
q4w: ERNIE at 65..512 (its fresh-prompt row at 65..128 stays ahead of it); lq4: Llama-3.2-1B at 129..512. Or (call 5) the
bundled rows plus one smemCarveout row (every kernel launch of ERNIE's plans at those sizes asks for 100 % of the shared
memory split): cv128 at 81..128, cv65 at 65..512, cv17 at 17..128. Or (call 7, after cv17 was bundled) the bundled rows with
that row narrowed to 65..128 (cvn) or removed (cv0). Nothing else moves.

    python3 results/h200-ab-20261130/s27/make-choices.py [NAME ...]

The bundled file is edited as text (one row per line), so every other row keeps its bytes.
"""
import os, sys

SRC = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = 'v69 candidate (s27): attention_prefill_wg_early_q4, 4 key parts'
ERNIE_ROW = '{"impl": "attention_prefill_wg_early", "qHeads": 16, "kvHeads": 2, "headDim": 64, "m": 17, "mMax": 512,'
LLAMA_ROW = '{"impl": "attention_prefill_wg_early", "qHeads": 32, "kvHeads": 8, "headDim": 64, "m": 17, "mMax": 512,'


def row(q, kv, m, m_max):
    return ('{"impl": "attention_prefill_wg_early_q4", "qHeads": %d, "kvHeads": %d, "headDim": 64, "m": %d, "mMax": %d, '
            '"arch": 90, "source": "%s"},' % (q, kv, m, m_max, SOURCE))


def carveout(m, m_max):
    return ('  "smemCarveout": [\n    {"percent": 100, "hidden": 1024, "m": %d, "mMax": %d, "arch": 90, "source": "s27 call 5 candidate: '
            'every kernel launch of ERNIE-4.5-0.3B\'s plans at these sizes at 100 %% of the shared memory split"}\n  ]' % (m, m_max))


CARVEOUT = {'cv128': (81, 128), 'cv65': (65, 512), 'cv17': (17, 128)}

CANDIDATES = {
    'q4': (ERNIE_ROW, row(16, 2, 129, 512)),
    'q4w': (ERNIE_ROW, row(16, 2, 65, 512)),
    'lq4': (LLAMA_ROW, row(32, 8, 129, 512)),
}


BUNDLED_CARVEOUT = '"smemCarveout": [\n    {"percent": 100, "hidden": 1024, "m": 17, "mMax": 128,'
NARROW = {'cvn': '"m": 65, "mMax": 128,', 'cv0': None}


def make(name):
    if name in NARROW:
        text = open(SRC).read()
        assert text.count(BUNDLED_CARVEOUT) == 1, 'the bundled carveout row'
        if NARROW[name]:
            return text.replace(BUNDLED_CARVEOUT, BUNDLED_CARVEOUT.replace('"m": 17, "mMax": 128,', NARROW[name]))
        head, tail = text.split(',\n  ' + BUNDLED_CARVEOUT.split('\n')[0], 1)
        return head + '\n}\n'
    if name in CARVEOUT:  # a new last property: the closing bracket of the last list gets a comma
        text = open(SRC).read().rstrip()
        assert text.endswith(']\n}'), 'the bundled file ends with a list'
        return text[:-2] + ',\n' + carveout(*CARVEOUT[name]) + '\n}\n'
    anchor, new = CANDIDATES[name]
    lines = open(SRC).read().split('\n')
    hits = [i for i, l in enumerate(lines) if l.strip().startswith(anchor)]
    assert len(hits) == 1, (name, hits)
    indent = lines[hits[0]][:len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
    lines.insert(hits[0], indent + new)
    return '\n'.join(lines)


if __name__ == '__main__':
    for name in sys.argv[1:] or list(CANDIDATES) + list(CARVEOUT) + list(NARROW):
        open(os.path.join(HERE, 'choices-%s.json' % name), 'w').write(make(name))
