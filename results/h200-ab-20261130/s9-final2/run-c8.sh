#!/bin/bash
# s9 call 8 (the final jar: gate_up on the fused TMA tile at 416..512, the A tensor map rounded up to whole row tiles):
# every GPU test (new: the bundled rows at 464, graph == eager), then the study (sweep 8:512:8, serving study)
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c8; mkdir -p $L/study; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jn/bench.jar
JAR=$jar TESTS=$root/.gpu/s9/jn/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
JAR=$jar timeout 330 bash scripts/gpu-results.sh $L/study study > $L/study.log 2> $L/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c8.tgz s9c8 && rm -rf s9c8)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
python3 - <<'PY'
import json, glob
for f in glob.glob('/tmp/x/study/sweep-*.json'):
    print([(p['tokens'], round(p['graph']['hostP50Ms'], 3), round(p['speedupP50'], 2)) for p in json.load(open(f))['sweep'] if p['tokens'] % 32 == 0 or p['tokens'] in (8, 16, 88, 96, 112, 136, 504)])
PY
