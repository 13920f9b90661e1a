#!/usr/bin/env python3
# Writes the candidate choices files of the attention_prefill_wg_early_t32_rope A/B (rope_kv_write folded into the t32
# attention, Lowering.foldRopeIntoAttention) from the bundled impl-choices.json (run from the repository root).
import copy, json, subprocess
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(B))
OUT = 'results/h200-ab-20261130/s21/choices-%s.json'
HEAD = subprocess.check_output(['git', 'rev-parse', '--short', 'HEAD'], text=True).strip()
ROPE = 'attention_prefill_wg_early_t32_rope'

def write(name, note, edit):
    d = copy.deepcopy(base)
    edit(d)
    d['provenance'] = dict(d['provenance'], note='s21 candidate %s (from the bundled rows of %s): %s' % (name, HEAD, note))
    json.dump(d, open(OUT % name, 'w'), indent=1)
    print(name, note)

def switch(d, q_heads, m, was, name, what):
    """The shape's non-decode attention row starting at m (naming was) switched to the rope-taking form."""
    i = [k for k, r in enumerate(d['attention'])
         if r.get('qHeads') == q_heads and r.get('m') == m and r.get('batch') is None and r['impl'] == was]
    assert len(i) == 1, (q_heads, m, was, i)
    d['attention'][i[0]] = dict(d['attention'][i[0]], impl=ROPE, source='s21 candidate %s: %s (before: %s)' % (name, what, was))

def ra16(d):  # ERNIE-4.5-0.3B's prompts and mixed steps at 1..16 (its decode graph keeps the wg form's decode row)
    switch(d, 16, 1, 'attention_prefill_wg_early_t32', 'ra16', "ERNIE-4.5-0.3B's prompts and mixed steps at 1..16 on the t32 form with rope_kv_write inside")

def ra64(d):  # ... and its 17..64 row too
    ra16(d)
    switch(d, 16, 17, 'attention_prefill_wg_early_t32', 'ra64', "ERNIE-4.5-0.3B at 17..64 on the t32 form with rope_kv_write inside")

def rat16(d):  # tiny's shape at 1..16; rope can fold into one kernel only, so tiny's qkv rope_into_qkv row goes
    switch(d, 4, 1, 'attention_prefill_wg_early', 'rat16', "tiny's shape at 1..16 on the t32 form with rope_kv_write inside (32-row tiles)")
    i = [k for k, r in enumerate(d['fusions']) if r['fusion'] == 'rope_into_qkv' and r.get('n') == 512 and r.get('k') == 256]
    assert len(i) == 1, i
    del d['fusions'][i[0]]

write('ra16', "ERNIE-4.5-0.3B's prompts and mixed steps at 1..16 on attention_prefill_wg_early_t32_rope (the decode graph keeps the wg form)", ra16)
write('ra64', "ra16 plus ERNIE-4.5-0.3B at 17..64 on attention_prefill_wg_early_t32_rope", ra64)
write('rat16', "tiny's shape (4 q / 2 kv heads) at 1..16 on attention_prefill_wg_early_t32_rope (before: attention_prefill_wg_early, "
      "64-row tiles), tiny's rope_into_qkv row (n=512 k=256, 1..16) dropped: rope folds into the attention instead", rat16)
