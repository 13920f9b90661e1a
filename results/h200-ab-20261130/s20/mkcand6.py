#!/usr/bin/env python3
# Writes call 6's candidate choices files from the bundled impl-choices.json of the t32 commit (run from the repository root).
import copy, json
B = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(B))
OUT = 'results/h200-ab-20261130/s20/choices-%s.json'

def ernie_row(r, m):
    return r.get('qHeads') == 16 and r.get('kvHeads') == 2 and r.get('m') == m and r.get('batch') is None

def write(name, note, edit):
    d = copy.deepcopy(base)
    edit(d)
    d['provenance'] = dict(d['provenance'], note='s20 candidate %s (from the bundled rows with t32 at 1..16): %s' % (name, note))
    json.dump(d, open(OUT % name, 'w'), indent=1)
    print(name, note)

def pre(d):  # the rows before: ERNIE's prompts at 1..16 on the early wg form over 64-row tiles
    rows = [r for r in d['attention'] if ernie_row(r, 1)]; assert len(rows) == 1 and rows[0]['impl'] == 'attention_prefill_wg_early_t32'
    rows[0]['impl'] = 'attention_prefill_wg_early'
    rows[0]['source'] = 's20 candidate pre: the row before the t32 form (early wg form at 1..16)'

def upto(mmax):
    def edit(d):
        i = [k for k, r in enumerate(d['attention']) if ernie_row(r, 17)]; assert len(i) == 1
        row = dict(d['attention'][i[0]], impl='attention_prefill_wg_early_t32', m=17, mMax=mmax,
                   source='s20 candidate: the t32 form at 17..%d too (before the 17..512 early-form row)' % mmax)
        d['attention'].insert(i[0], row)
    return edit

write('pre', "ERNIE-4.5-0.3B's prompts at 1..16 on the early wg form over 64-row tiles (the rows before t32)", pre)
write('t64', "the t32 form for ERNIE-4.5-0.3B at 17..64 too", upto(64))
write('t128', "the t32 form for ERNIE-4.5-0.3B at 17..128 too", upto(128))
