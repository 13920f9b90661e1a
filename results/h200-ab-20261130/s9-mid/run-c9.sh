#!/bin/bash
# s9 call 9: every GPU test (TmaGemmGpuTest's gate_up at 200 rows now on the 64 x 128 SiLU tile); sweeps 144..400 step 32 of
# bundled (cuBLASLt + silu_mul there) against gate_up on the 64-row fused tiles over 129..415 (g64x128, g64x256), one each
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c9; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jn/bench.jar
JAR=$jar TESTS=$root/.gpu/s9/jn/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 100 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for v in bundled g64x128 g64x256; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/jn/choices-$v.json"
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sweep 144:400:32 --warmup 10 --iterations 100 --no-progress $extra --json $L/res/sweep-s9c9-$v-h200-$stamp.json > $L/sweep-$v.txt 2>&1 || echo "sweep $v failed"; done)
echo "sweeps $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c9.tgz s9c9 && rm -rf s9c9)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
python3 - <<'PY'
import json, glob, collections
t = collections.defaultdict(dict)
for f in sorted(glob.glob('/tmp/x/res/sweep-*.json')):
    v = f.split('sweep-s9c9-')[1].split('-h200')[0]
    for p in json.load(open(f))['sweep']: t[p['tokens']][v] = p['graph']['hostP50Ms']
vs = sorted({v for r in t.values() for v in r})
print('size ' + ' '.join(vs))
for s in sorted(t): print(s, ' '.join('%.3f' % t[s][v] if v in t[s] else '-' for v in vs))
PY
