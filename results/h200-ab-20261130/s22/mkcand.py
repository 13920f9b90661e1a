#!/usr/bin/env python3
# Writes call 1's candidate choices files from the bundled impl-choices.json of 771e3aa (run from the repository root).
# ERNIE-4.5-0.3B at 1..16, choices only: the half-width GEMMs' split counts, and SiLU * up fused into its gate_up.
import copy, json
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(B))
D = 'results/h200-ab-20261130/s22/'

def splits(d, n, k, s):
    rows = [r for r in d['gemm'] if r.get('n') == n and r.get('k') == k and r.get('m') == 1 and r.get('mMax') == 16
            and r['impl'] == 'gemm_bf16_stream_m16_n32']
    assert len(rows) == 1, (n, k)
    rows[0]['splits'] = s

def write(name, note, *edits):
    d = copy.deepcopy(base)
    for e in edits: e(d)
    d['provenance'] = dict(d['provenance'], note='s22 candidate %s (from the bundled rows of 771e3aa): %s' % (name, note))
    json.dump(d, open(D + 'choices-%s.json' % name, 'w'), indent=1)
    print(name)

write('o4', "ERNIE-4.5-0.3B's o GEMM at 1..16 on the half-width kernel at 4 splits (128 blocks) instead of 8",
      lambda d: splits(d, 1024, 1024, 4))
write('d4', "ERNIE-4.5-0.3B's down GEMM at 1..16 on the half-width kernel at 4 splits (128 blocks) instead of 8",
      lambda d: splits(d, 1024, 3072, 4))
write('od4', "ERNIE-4.5-0.3B's o and down GEMMs at 1..16 at 4 splits instead of 8",
      lambda d: splits(d, 1024, 1024, 4), lambda d: splits(d, 1024, 3072, 4))
write('q2', "ERNIE-4.5-0.3B's qkv GEMM at 1..16 on the half-width kernel at 2 splits (80 blocks) instead of 4",
      lambda d: splits(d, 1280, 1024, 2))
write('ns', "SiLU * up fused into ERNIE-4.5-0.3B's gate_up at 1..16 (the unsplit half-width _n32_silu form, v40, as at 17..64)",
      lambda d: d['fusions'].append({'fusion': 'silu_into_gate_up', 'm': 1, 'mMax': 16, 'arch': 90,
                                     'producer': 'gemm_bf16_stream_m16_n32', 'n': 6144, 'k': 1024,
                                     'source': 's22 candidate (unmeasured)'}))
