#!/usr/bin/env python3
# Writes call 7's candidate choices file from the bundled impl-choices.json of e5e1a2c (run from the repository root).
import copy, json
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
d = copy.deepcopy(json.load(open(B)))
rows = [r for r in d['fusions'] if r['fusion'] == 'rope_into_qkv' and r.get('n') == 3072 and r.get('k') == 2048]
assert len(rows) == 1
d['fusions'].remove(rows[0])  # Llama-3.2-1B's rope_kv_write separate again at 1..16 (its prompts now on t32, v54)
d['provenance'] = dict(d['provenance'], note="s21 candidate lrt (from the bundled rows of e5e1a2c): Llama-3.2-1B's rope_into_qkv row at 1..16 dropped, so rope_kv_write runs between its qkv GEMM and the t32 attention")
json.dump(d, open('results/h200-ab-20261130/s21/choices-lrt.json', 'w'), indent=1)
print('lrt')
