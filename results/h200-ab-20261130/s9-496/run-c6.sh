#!/bin/bash
# s9 call 6 (jar 5d2d51a): why the fused gate_up tile loses at 496 and wins at 512 (v28.2): 480 tokens in bucket 496 vs
# 512, bundled (cuBLASLt + silu_mul at 496, the fused tile at 512) and r192 (the fused tile at both), with --profile
# (per-op GPU time, serial); then sweeps 480..512 step 8 of both
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c6; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jt/bench.jar
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled r192; do for sz in 496 512; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 40 $J prefill --sizes $sz --prompt-lens 480 --warmup 20 --iterations 200 --no-progress --profile $extra \
    --json $L/res/prefill-s9c6-$v-$sz-$rep-h200-$stamp.json > $L/p-$v-$sz-$rep.txt 2>&1 || echo "$v $sz failed"; done; done; done)
echo "prefill $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && for v in bundled r192; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 60 $J prefill --sweep 480:512:8 --warmup 10 --iterations 150 --no-progress $extra --json $L/res/sweep-s9c6-$v-h200-$stamp.json > $L/sweep-$v.txt 2>&1 || echo "sweep $v failed"; done)
echo "sweeps $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c6.tgz s9c6 && rm -rf s9c6)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/x/res/prefill-*.json')):
    d = json.load(open(f)); w = d['workloads'][0]; pr = w.get('profile') or {}
    gu = [g for g in pr.get('gemms', []) if g['op'].endswith('gate_up')]
    fam = {x.get('family') or x.get('name'): x.get('gpuUs') for x in pr.get('opFamilies', [])}
    print(f.split('prefill-s9c6-')[1][:16], 'graph %.3f' % (w['graph']['hostNs']['p50'] / 1e6), 'gpu %.3f' % (w['graph']['gpuNs']['p50'] / 1e6),
          'gate_up us %.1f' % (sum(g['gpuUs'] for g in gu) / max(1, len(gu))), gu[0]['impl'] if gu else '-', 'act', fam.get('act'), 'total', round(pr.get('totalUs', 0)))
for f in sorted(glob.glob('/tmp/x/res/sweep-*.json')):
    d = json.load(open(f)); print(f.split('sweep-s9c6-')[1][:8], [(p['tokens'], round(p['graph']['hostP50Ms'], 3), round(p['graph']['gpuP50Ms'], 3)) for p in d['sweep']])
PY
