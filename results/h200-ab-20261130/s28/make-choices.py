#!/usr/bin/env python3
"""Writes the s28 candidate choices files beside this script from the bundled impl-choices.json (run from the repo root):
the bundled rows plus smemCarveout rows (every kernel launch of a model's plans at those sizes at 100 % of the shared memory
split) and, for q4c, v69's four-key-part attention row. l17: Llama-3.2-1B (hidden 2048) at 17..64; l65: Llama at 65..512;
c129: ERNIE-4.5-0.3B (hidden 1024) at 129..512 (beside the bundled 17..128 row); q4c: c129 plus ERNIE's attention at
129..512 on attention_prefill_wg_early_q4 (s27 measured q4 without the row: long -1.4 %, 4x80 +1.9..+2.6 %, the 512-thread
block with 197 KB of shared memory among kernels of other splits); o512c (call 2): c129 plus ERNIE's o projection at 512
on our 64 x 64 TMA tile unsplit instead of cuBLASLt (s11 measured it without the row: o 5.15 -> 4.3 us per layer, attention
and the post norm +0.6). lq1 / eq1 / eq1h (call 3): the qkv GEMM at 1..16 in the plain graphs (batch "prefill") unsplit, so
rope_kv_write runs on the block's own accumulators (gemm_bf16_stream_m16_rope1: no partial stored, no fixup) instead of the
split-K fixup (Llama: n32 split 2, ERNIE: n32 split 4): lq1 Llama on the plain m16 kernel (48 blocks), eq1 ERNIE on the plain
m16 kernel (20 blocks), eq1h ERNIE on the half-width kernel at one split (40 blocks). lgn (call 4): Llama's gate_up at 1..16
on the half-width kernel unsplit (512 blocks of 32 columns, SiLU * up by the bundled n32 fusion row, as at 32) instead of the
plain m16 kernel (256 blocks). Nothing else moves.

    python3 results/h200-ab-20261130/s28/make-choices.py [NAME ...]

The bundled file is edited as text (one row per line), so every other row keeps its bytes.
"""
import os, sys

SRC = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
HERE = os.path.dirname(os.path.abspath(__file__))
ERNIE_ROW = '{"impl": "attention_prefill_wg_early", "qHeads": 16, "kvHeads": 2, "headDim": 64, "m": 17, "mMax": 512,'
Q4 = ('{"impl": "attention_prefill_wg_early_q4", "qHeads": 16, "kvHeads": 2, "headDim": 64, "m": 129, "mMax": 512, '
      '"arch": 90, "source": "s28 candidate q4c: v69 with ERNIE\'s plans at 129..512 at 100 % of the shared memory split"},')


def carveout(hidden, m, m_max):
    return ('    {"percent": 100, "hidden": %d, "m": %d, "mMax": %d, "arch": 90, "source": "s28 candidate: every kernel launch '
            'of this hidden size\'s plans at these sizes at 100 %% of the shared memory split"}' % (hidden, m, m_max))


ROWS = {'l17': [(2048, 17, 64)], 'l65': [(2048, 65, 512)], 'c129': [(1024, 129, 512)], 'q4c': [(1024, 129, 512)],
        'o512c': [(1024, 129, 512)]}
O512 = '{"n": 1024, "k": 1024, "m": 512, "arch": 90, "impl": "cublaslt_gemm", "splits": 0, "source": '
O512_NEW = ('{"n": 1024, "k": 1024, "m": 512, "arch": 90, "impl": "gemm_bf16_tma_64x64s8", "splits": 1, "source": "s28 candidate '
            'o512c: o on our 64 x 64 TMA tile at 512 with the plans at 100 % of the shared memory split"},')


QKV = {  # name: (the row's start, the new row, a fusion row inserted before the line starting with the anchor, or None)
    'lq1': ('{"n": 3072, "k": 2048, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 2, "batch": "prefill",',
            '{"n": 3072, "k": 2048, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16", "splits": 1, "batch": "prefill", '
            '"source": "s28 candidate lq1"},', None),
    'eq1': ('{"n": 1280, "k": 1024, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 4,',
            '{"n": 1280, "k": 1024, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16", "splits": 1, "batch": "prefill", '
            '"source": "s28 candidate eq1"},',
            '{"fusion": "rope_into_qkv", "m": 1, "mMax": 16, "arch": 90, "producer": "gemm_bf16_stream_m16", "n": 1280, "k": 1024, '
            '"batch": "prefill", "source": "s28 candidate eq1"},'),
    'eq1h': ('{"n": 1280, "k": 1024, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 4,',
             '{"n": 1280, "k": 1024, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 1, "batch": "prefill", '
             '"source": "s28 candidate eq1h"},', None),
}
QKV['lgn'] = ('{"n": 16384, "k": 2048, "m": 32, "arch": 90, "impl": "gemm_bf16_stream_m32_n32", "splits": 1,',
              '{"n": 16384, "k": 2048, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 1, '
              '"source": "s28 candidate lgn"},', None)
FUSION_ANCHOR = '{"fusion": "rope_into_qkv", "m": 1, "mMax": 16, "arch": 90, "producer": "gemm_bf16_stream_m16_n32", "n": 1280,'


def make_qkv(name):
    start, new, fusion = QKV[name]
    lines = open(SRC).read().rstrip('\n').split('\n')
    hits = [i for i, l in enumerate(lines) if l.strip().startswith(start)]
    assert len(hits) == 1, (name, hits)
    indent = lines[hits[0]][:len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
    if name == 'lq1':
        lines[hits[0]] = indent + new  # the row was the plain graphs' own ("prefill")
    else:
        lines.insert(hits[0], indent + new)  # eq1*: ahead of the row every graph shares (the decode graphs keep it); lgn: a new range
    if fusion:
        f = [i for i, l in enumerate(lines) if l.strip().startswith(FUSION_ANCHOR)]
        assert len(f) == 1, f
        lines.insert(f[0], indent + fusion)
    return '\n'.join(lines) + '\n'


def make(name):
    if name in QKV:
        return make_qkv(name)
    lines = open(SRC).read().rstrip('\n').split('\n')
    start = [i for i, l in enumerate(lines) if l.strip() == '"smemCarveout": [']
    assert len(start) == 1 and lines[start[0] + 2].strip() == ']', 'one bundled carveout row'
    lines[start[0] + 1] += ','
    lines[start[0] + 2:start[0] + 2] = [',\n'.join(carveout(*r) for r in ROWS[name])]
    if name == 'q4c':
        hits = [i for i, l in enumerate(lines) if l.strip().startswith(ERNIE_ROW)]
        assert len(hits) == 1, hits
        indent = lines[hits[0]][:len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
        lines.insert(hits[0], indent + Q4)
    if name == 'o512c':
        hits = [i for i, l in enumerate(lines) if l.strip().startswith(O512)]
        assert len(hits) == 1, hits
        indent = lines[hits[0]][:len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
        lines[hits[0]] = indent + O512_NEW
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    for name in sys.argv[1:] or list(ROWS) + list(QKV):
        open(os.path.join(HERE, 'choices-%s.json' % name), 'w').write(make(name))
