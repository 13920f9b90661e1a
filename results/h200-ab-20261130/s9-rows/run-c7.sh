#!/bin/bash
# s9 call 7 (jar 03e4a7b: the TMA GEMMs' A tensor map rounded up to whole row tiles): every GPU test (TmaGemmGpuTest now
# also at 200 rows); memcheck of the engine with the fused gate_up tile at 200 and 496 (r192, maps reading past the
# slice); sweeps 96..512 step 16 of bundled and r192 (two runs each, alternating)
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c7; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jn/bench.jar
JAR=$jar TESTS=$root/.gpu/s9/jn/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
(cd $(mktemp -d) && timeout 100 compute-sanitizer --tool memcheck --target-processes all $J prefill --sizes 200,496 --prompt-lens 180,480 --warmup 1 --iterations 2 --no-progress --impl-choices $root/.gpu/s9/choices-r192.json > $L/memcheck-engine-r192.txt 2>&1; echo "rc=$?" >> $L/memcheck-engine-r192.txt)
echo "memcheck $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled r192; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 100 $J prefill --sweep 96:512:16 --warmup 10 --iterations 150 --no-progress $extra --json $L/res/sweep-s9c7-$v-$rep-h200-$stamp.json > $L/sweep-$v-$rep.txt 2>&1 || echo "sweep $v $rep failed"; done; done)
echo "sweeps $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c7.tgz s9c7 && rm -rf s9c7)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
echo "memcheck r192: $(grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-engine-r192.txt | tail -2 | tr '\n' ' ')"
python3 - <<'PY'
import json, glob, collections
t = collections.defaultdict(dict)
for f in sorted(glob.glob('/tmp/x/res/sweep-*.json')):
    v = f.split('sweep-s9c7-')[1].split('-h200')[0]
    for p in json.load(open(f))['sweep']: t[p['tokens']][v] = p['graph']['hostP50Ms']
vs = sorted({v for r in t.values() for v in r})
print('size ' + ' '.join(vs))
for s in sorted(t): print(s, ' '.join('%.3f' % t[s][v] if v in t[s] else '-' for v in vs))
PY
