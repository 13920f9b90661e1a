#!/usr/bin/env python3
# Writes the s20 candidate choices files from the bundled impl-choices.json (run from the repository root).
import copy, json, sys
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(B))
OUT = 'results/h200-ab-20261130/s20/choices-%s.json'

def llama_rope_row(r):
    return r.get('fusion') == 'rope_into_qkv' and r.get('n') == 3072 and r.get('k') == 2048

def llama_decode_row(r):
    return r.get('qHeads') == 32 and r.get('kvHeads') == 8 and r.get('m') == 1 and r.get('batch') == 'decode'

def write(name, note, edit):
    d = copy.deepcopy(base)
    edit(d)
    d['provenance'] = dict(d['provenance'], note='s20 candidate %s (from the bundled rows): %s' % (name, note))
    json.dump(d, open(OUT % name, 'w'), indent=1)
    print(name, note)

def no_rope(d):
    n = len(d['fusions']); d['fusions'] = [r for r in d['fusions'] if not llama_rope_row(r)]; assert len(d['fusions']) == n - 1

def early_all(d):
    rows = [r for r in d['attention'] if llama_decode_row(r)]; assert len(rows) == 1
    del rows[0]['batch']
    rows[0]['source'] = 's20 candidate: the early wg form for every Llama-3.2-1B batch at 1..16'

write('lr', "Llama-3.2-1B's rope_kv_write not fused into its qkv at 1..16 (attention as bundled: kh for prompts)", no_rope)
write('le', "Llama-3.2-1B's prompts at 1..16 on the early wg form too (rope fused as bundled)", early_all)
write('lre', "both: rope_kv_write separate and every Llama batch at 1..16 on the early wg form", lambda d: (no_rope(d), early_all(d)))
