# s9 call 3: rope_kv_write in the qkv TMA GEMM's epilogue (v29) at 512 and at 81..128, from the bundled choices
# (run from the repo root; writes .gpu/s9/choices-*.json)
import json, copy
base = json.load(open('bench/src/main/resources/io/prefillbench/forward/impl-choices.json'))
QKV = (1280, 1024)
def variant(name, m, mmax, tile, fused=True):
    d = copy.deepcopy(base)
    n, k = QKV
    hi = mmax or m  # the row for [m, hi] and every exact row inside it (an exact row would win)
    d['gemm'] = [r for r in d['gemm'] if not (r['n'] == n and r['k'] == k and ((r['m'] == m and r.get('mMax') == mmax)
                                                                              or (r.get('mMax') is None and m <= r['m'] <= hi)))]
    row = {'n': n, 'k': k, 'm': m, 'arch': 90, 'impl': 'gemm_bf16_tma_' + tile, 'splits': 1, 'source': 's9 candidate'}
    if mmax is not None: row['mMax'] = mmax
    d['gemm'].insert(0, row)
    if fused:
        f = {'fusion': 'rope_into_qkv', 'm': m, 'arch': 90, 'source': 's9 candidate', 'producer': 'gemm_bf16_tma_' + tile}
        if mmax is not None: f['mMax'] = mmax
        d['fusions'].append(f)
    d['provenance']['note'] = 's9 A/B candidate ' + name
    json.dump(d, open(f'.gpu/s9/choices-{name}.json', 'w'), indent=1)
variant('rope512a', 512, None, '64x64s8')
variant('rope512b', 512, None, '128x64s9')
variant('qkv512a', 512, None, '64x64s8', fused=False)   # the same tile unfused: what the fusion alone buys
variant('rope128', 81, 128, '64x64s8')
