# s9: A/B candidates at bucket 512 from the bundled choices (run from the repo root; writes .gpu/s9/choices-*.json)
import json, copy
base = json.load(open('bench/src/main/resources/io/prefillbench/forward/impl-choices.json'))
E = {'qkv': (1280, 1024), 'o': (1024, 1024), 'gu': (6144, 1024), 'down': (1024, 3072)}
def variant(name, tiles, fuse_gu):
    d = copy.deepcopy(base)
    for op, (t, s) in tiles.items():
        n, k = E[op]
        d['gemm'] = [r for r in d['gemm'] if not (r['n'] == n and r['k'] == k and r['m'] == 512 and r.get('mMax') is None)]
        d['gemm'].append({'n': n, 'k': k, 'm': 512, 'arch': 90, 'impl': 'gemm_bf16_tma_' + t, 'splits': s, 'source': 's9 A/B candidate'})
    if fuse_gu:
        d['fusions'].append({'fusion': 'silu_into_gate_up', 'm': 512, 'arch': 90, 'source': 's9 A/B candidate', 'producer': 'gemm_bf16_tma_' + tiles['gu'][0]})
    d['provenance']['note'] = 's9 A/B candidate ' + name
    json.dump(d, open(f'.gpu/s9/choices-{name}.json', 'w'), indent=1)
variant('gu512', {'gu': ('128x192s4', 1)}, True)
variant('all512', {'qkv': ('64x80s12', 1), 'o': ('64x64s12', 1), 'gu': ('128x192s4', 1), 'down': ('64x64s12', 1)}, True)
