import json, copy, sys
src = 'bench/src/main/resources/io/prefillbench/forward/impl-choices.json'
base = json.load(open(src))
E = {'qkv': (1280, 1024), 'o': (1024, 1024), 'gu': (6144, 1024), 'down': (1024, 3072)}
def variant(name, tiles, fuse):
    d = copy.deepcopy(base)
    for r in d['gemm']:
        for op, (n, k) in E.items():
            if r['n'] == n and r['k'] == k and r.get('mMax') is None and r['m'] in tiles and op in tiles[r['m']]:
                t, s = tiles[r['m']][op]
                r['impl'] = 'gemm_bf16_tma_' + t; r['splits'] = s; r['source'] = 's8 A/B candidate'; r.pop('algo', None)
    d['fusions'] = d.get('fusions', []) + [{'fusion': 'silu_into_gate_up', 'm': m, 'arch': 90, 'source': 's8 A/B candidate'} for m in fuse]
    d['provenance']['note'] = 's8 A/B candidate ' + name
    json.dump(d, open(f'.gpu/s8/choices-{name}.json', 'w'), indent=1)
allt = {128: {'qkv': ('64x64', 1), 'o': ('64x64', 1), 'gu': ('64x64', 1), 'down': ('64x64', 1)},
        512: {'qkv': ('64x80', 1), 'o': ('64x64', 1), 'gu': ('128x192', 1), 'down': ('64x64', 1)}}
split = {128: {'qkv': ('64x64', 2), 'o': ('64x64', 4), 'gu': ('64x64', 1), 'down': ('64x64', 4)},
         512: {'qkv': ('64x80', 1), 'o': ('64x64', 2), 'gu': ('128x192', 1), 'down': ('64x64', 2)}}
gu = {128: {'gu': ('64x64', 1)}, 512: {'gu': ('128x192', 1)}}
variant('tma-all', allt, [128, 512])
variant('tma-split', split, [128, 512])
variant('tma-gu', gu, [128, 512])

# TMA at 65..128 (range rows), cuBLASLt kept at 129..512: the bucket-128 candidate
def tma128():
    d = copy.deepcopy(base)
    rows = []
    t = {'qkv': ('64x64', 2), 'o': ('64x64', 4), 'gu': ('64x64', 1), 'down': ('64x64', 4)}
    for r in d['gemm']:
        hit = [op for op, (n, k) in E.items() if r['n'] == n and r['k'] == k]
        if hit and r.get('mMax') is not None and r['m'] == 65:
            r['m'] = 129
            rows.append({'n': r['n'], 'k': r['k'], 'm': 65, 'mMax': 128, 'arch': 90, 'impl': 'gemm_bf16_tma_' + t[hit[0]][0],
                         'splits': t[hit[0]][1], 'source': 's8 A/B candidate'})
        elif hit and r.get('mMax') is None and r['m'] == 128:
            r['impl'] = 'gemm_bf16_tma_' + t[hit[0]][0]; r['splits'] = t[hit[0]][1]; r['source'] = 's8 A/B candidate'; r.pop('algo', None)
    d['gemm'] += rows
    d['fusions'] = d.get('fusions', []) + [{'fusion': 'silu_into_gate_up', 'm': m, 'arch': 90, 'source': 's8 A/B candidate'} for m in range(72, 129, 8)]
    d['provenance']['note'] = 's8 A/B candidate tma128'
    json.dump(d, open('.gpu/s8/choices-tma128.json', 'w'), indent=1)
tma128()
