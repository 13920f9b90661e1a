#!/usr/bin/env python3
"""Writes the s35 candidate choices files beside this script from the bundled impl-choices.json (run from the repo root).
The bundled file is edited as text (one row per line), so every other row keeps its bytes.

tfo: tiny's o at 1..16 in the fresh-prompt graph on the half-width tile at k / 128 = 2 splits with its layer's attention
     folded in (attention_into_o, v74.1's kernel: ERNIE's bundled fold; tiny's fold is checked against the CPU reference by
     AttentionIntoOGpuTest). tgu: tiny's gate_up at 1..16 on the half-width tile unsplit (32 blocks of 32 columns instead of
     16 of 64), SiLU * up by ERNIE's n32 fusion row. d4 / d6: ERNIE-4.5-0.3B's down at 1..16 on the half-width tile at
     split 4 / 6 instead of 8 (its input norm reads 4 / 6 fp32 planes; 128 / 192 blocks instead of 256). tfg: tfo and tgu.

    python3 make-choices.py [NAME ...]
"""
import os, sys

SRC = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
HERE = os.path.dirname(os.path.abspath(__file__))
TINY_O = '    {"n": 256, "k": 256, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n16", "splits": 1,'
TINY_GU = '    {"n": 1024, "k": 256, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16", "splits": 1,'
DOWN = '    {"n": 1024, "k": 3072, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 8,'
FOLD = '    {"fusion": "attention_into_o", "m": 1, "mMax": 16,'


def edit(lines, name):
    out = []
    for ln in lines:
        if name == 'tfo' and ln.startswith(TINY_O):
            out.append('    {"n": 256, "k": 256, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16_n32", "splits": 2, '
                       '"batch": "fresh", "source": "s35 candidate tfo: tiny\'s o on the half-width tile at k / 128 splits in the '
                       'fresh-prompt graph, its attention folded in"},\n')
        if name == 'tfo' and ln.startswith(FOLD):
            out.append('    {"fusion": "attention_into_o", "m": 1, "mMax": 16, "arch": 90, "producer": "gemm_bf16_stream_m16_n32", '
                       '"n": 256, "k": 256, "batch": "fresh", "source": "s35 candidate tfo: tiny\'s attention into its o"},\n')
        if name == 'tgu' and ln.startswith(TINY_GU):
            ln = ln.replace('"impl": "gemm_bf16_stream_m16", "splits": 1, "source": "',
                            '"impl": "gemm_bf16_stream_m16_n32", "splits": 1, "source": "s35 candidate tgu: on the half-width tile. ')
        if name in ('d4', 'd6') and ln.startswith(DOWN):
            ln = ln.replace('"splits": 8, "source": "', '"splits": %s, "source": "s35 candidate %s. ' % (name[1], name))
        out.append(ln)
    assert sum(a != b for a, b in zip(out, lines)) + abs(len(out) - len(lines)) > 0, name
    return out


lines = open(SRC).readlines()
for name in sys.argv[1:] or ['tfo', 'tgu', 'tfg', 'd4', 'd6']:
    out = edit(edit(lines, 'tfo'), 'tgu') if name == 'tfg' else edit(lines, name)
    with open(os.path.join(HERE, 'choices-%s.json' % name), 'w') as f:
        f.writelines(out)
    print('wrote', name)
