import json, copy
base = json.load(open('bench/src/main/resources/io/prefillbench/forward/impl-choices.json'))
E = {'qkv': (1280, 1024), 'o': (1024, 1024), 'gu': (6144, 1024), 'down': (1024, 3072)}
def variant(name, tiles, fuse_gu):
    d = copy.deepcopy(base)
    for r in d['gemm']:
        for op, (n, k) in E.items():
            if r['n'] == n and r['k'] == k and r.get('mMax') is None and r['m'] == 512 and op in tiles:
                t, s = tiles[op]; r['impl'] = 'gemm_bf16_tma_' + t; r['splits'] = s; r['source'] = 's8 A/B candidate'; r.pop('algo', None)
    if fuse_gu:
        d['fusions'].append({'fusion': 'silu_into_gate_up', 'm': 512, 'arch': 90, 'source': 's8 A/B candidate', 'producer': 'gemm_bf16_tma_' + tiles['gu'][0]})
    d['provenance']['note'] = 's8 A/B candidate ' + name
    json.dump(d, open(f'.gpu/s8/choices-{name}.json', 'w'), indent=1)
variant('v512a', {'qkv': ('64x80s12', 1), 'o': ('64x64s12', 2), 'gu': ('128x192s4', 1), 'down': ('64x64s12', 2)}, True)
variant('v512b', {'qkv': ('64x80s12', 1), 'o': ('128x64s9', 2), 'gu': ('128x192s4', 1), 'down': ('64x256s5', 4)}, True)
variant('v512c', {'o': ('64x64s12', 2), 'down': ('64x64s12', 2)}, False)
