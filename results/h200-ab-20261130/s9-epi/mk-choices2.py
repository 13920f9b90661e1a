# s9 call 2: candidates for the sizes between the rows (gate_up on TMA with SiLU fused over ranges) and Llama's gate_up
# at 512, from the bundled choices (run from the repo root; writes .gpu/s9/choices-*.json)
import json, copy
base = json.load(open('bench/src/main/resources/io/prefillbench/forward/impl-choices.json'))
def variant(name, ranges, n=6144, k=1024):
    d = copy.deepcopy(base)
    rows, fus = [], []
    for lo, hi, t in ranges:  # first match wins among range rows: these go first
        r = {'n': n, 'k': k, 'm': lo, 'arch': 90, 'impl': 'gemm_bf16_tma_' + t, 'splits': 1, 'source': 's9 candidate'}
        if hi is not None: r['mMax'] = hi
        # exact rows inside the range would win over it: drop them
        d['gemm'] = [x for x in d['gemm'] if not (x['n'] == n and x['k'] == k and x.get('mMax') is None and lo <= x['m'] <= (hi or lo))]
        rows.append(r)
        f = {'fusion': 'silu_into_gate_up', 'm': lo, 'arch': 90, 'source': 's9 candidate', 'producer': 'gemm_bf16_tma_' + t}
        if hi is not None: f['mMax'] = hi
        fus.append(f)
    d['gemm'] = rows + d['gemm']
    d['fusions'] = fus + d['fusions']
    d['provenance']['note'] = 's9 A/B candidate ' + name
    json.dump(d, open(f'.gpu/s9/choices-{name}.json', 'w'), indent=1)
variant('r192', [(129, 511, '128x192s4')])
variant('r128', [(129, 320, '64x128s6'), (321, 511, '128x192s4')])
variant('l256', [(512, None, '128x256s4')], 16384, 2048)
variant('l128', [(512, None, '128x128s6')], 16384, 2048)
