#!/usr/bin/env python3
# Writes call 1's candidate choices file from the bundled impl-choices.json of cb59df8 (run from the repository root).
import copy, json
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(B))
OUT = 'results/h200-ab-20261130/s21/choices-%s.json'

def write(name, note, edit):
    d = copy.deepcopy(base)
    edit(d)
    d['provenance'] = dict(d['provenance'], note='s21 candidate %s (from the bundled rows of cb59df8): %s' % (name, note))
    json.dump(d, open(OUT % name, 'w'), indent=1)
    print(name, note)

def lt16(d):  # Llama-3.2-1B's prompts at 1..16 on the t32 form (its decode graph keeps its early-form decode row)
    i = [k for k, r in enumerate(d['attention']) if r.get('qHeads') == 32 and r.get('m') == 1 and r.get('batch') == 'decode']
    assert len(i) == 1
    row = dict(d['attention'][i[0]], impl='attention_prefill_wg_early_t32',
               source="s21 candidate lt16: Llama-3.2-1B's prompts at 1..16 on the t32 form (before: the kh form by rule)")
    del row['batch']
    d['attention'].insert(i[0], row)

write('lt16', "Llama-3.2-1B's prompts at 1..16 on the t32 form (its decode graph keeps the early form)", lt16)
