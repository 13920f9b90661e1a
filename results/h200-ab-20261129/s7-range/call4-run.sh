#!/bin/bash
# s7 call 4 (branch s7-range b2f24e1): cuBLASLt range rows for ERNIE's layer GEMMs at 65..512. Every GPU test, the
# sweep 8:512:8, main 03a2ef1 at 136 and 320 in the same call (spot check), the serving study
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c4; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s7/jr/bench.jar
JAR=$jar TESTS=$root/.gpu/s7/jr/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
cd $(mktemp -d)
timeout 250 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sweep 8:512:8 --no-progress --json $L/res/sweep-ernie-4.5-0.3b-h200-$stamp.json > $L/sweep.log 2>&1; echo "sweep rc=$? $(( $(date +%s)-s )) s"
for v in main range; do j=$root/.gpu/s7/jmain/bench.jar; [ $v = range ] && j=$jar
  timeout 40 java --enable-native-access=ALL-UNNAMED -jar $j prefill --sweep 136:320:184 --no-progress --json $L/res/spot-$v-$stamp.json > $L/spot-$v.log 2>&1; echo "spot $v rc=$?"; done
JAR=$jar timeout 260 bash $root/scripts/gpu/serve-study.sh $L/serve-h200-$stamp > $L/serve-study-h200-$stamp.log 2>&1; echo "serve rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s7c4.tgz s7c4 && rm -rf s7c4)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
python3 - <<'PY'
import json,glob
for f in sorted(glob.glob('/tmp/x/res/*.json')):
    d=json.load(open(f))
    pts=d.get('sweep') or []
    print(f.split('/')[-1], ' '.join('%d:%.3f/%.3f' % (p['tokens'], p['eager']['hostP50Ms'], p['graph']['hostP50Ms']) for p in pts if p['tokens'] % 32 == 8 or p['tokens'] in (64,72,128,136,256,320,512)))
PY
grep -E "^\| (mixed|prefill-first|eager) |^\| mix-" /tmp/x/serve-study-h200-*.log | head -24
