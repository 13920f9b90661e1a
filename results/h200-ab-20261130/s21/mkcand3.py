#!/usr/bin/env python3
# Writes call 6's candidate choices file from the bundled impl-choices.json of e5e1a2c (run from the repository root).
import copy, json
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(B))
OUT = 'results/h200-ab-20261130/s21/choices-%s.json'

def l128(d):  # Llama-3.2-1B's layout at 65..128 on the t32 form too, ahead of its 17..512 early-form row
    i = [k for k, r in enumerate(d['attention']) if r.get('qHeads') == 32 and r.get('m') == 17 and r['impl'] == 'attention_prefill_wg_early']
    assert len(i) == 1
    row = dict(d['attention'][i[0]], impl='attention_prefill_wg_early_t32', m=65, mMax=128,
               source="s21 candidate l128: the t32 form for Llama-3.2-1B's layout at 65..128 (before: the early wg form, 64-row tiles)")
    d['attention'].insert(i[0], row)

d = copy.deepcopy(base)
l128(d)
d['provenance'] = dict(d['provenance'], note="s21 candidate l128 (from the bundled rows of e5e1a2c): Llama-3.2-1B's attention at 65..128 on the t32 form")
json.dump(d, open(OUT % 'l128', 'w'), indent=1)
print('l128')
