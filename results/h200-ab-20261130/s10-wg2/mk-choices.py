# v30 candidates: gate_up at 129..415 on the column-split fused tiles (run from the repo root; writes .gpu/s10/choices-*.json)
import json, copy, os
base = json.load(open('bench/src/main/resources/io/prefillbench/forward/impl-choices.json'))
os.makedirs('.gpu/s10', exist_ok=True)
for name, tile in (('c192', '64x192c2s6'), ('c256', '64x256c2s5')):
    d = copy.deepcopy(base); n, k = 6144, 1024
    d['gemm'].insert(0, {'n': n, 'k': k, 'm': 129, 'mMax': 415, 'arch': 90, 'impl': 'gemm_bf16_tma_' + tile, 'splits': 1, 'source': 'v30 candidate'})
    d['gemm'] = [r for r in d['gemm'] if not (r['n'] == n and r['k'] == k and r.get('mMax') is None and 129 <= r['m'] <= 415)]
    d['fusions'].insert(0, {'fusion': 'silu_into_gate_up', 'm': 129, 'mMax': 415, 'arch': 90, 'source': 'v30 candidate', 'producer': 'gemm_bf16_tma_' + tile})
    d['provenance']['note'] = 'v30 A/B candidate ' + name
    json.dump(d, open(f'.gpu/s10/choices-{name}.json', 'w'), indent=1)
