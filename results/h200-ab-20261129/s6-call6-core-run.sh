#!/bin/bash
# s6 call 6: main f0a4d9c (library edges on by default): every GPU test, then the core results set
# (scripts/gpu-results.sh core, the GEMM table and JMH skipped: kernels unchanged since the committed table)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c6; mkdir -p $L/res; s=$(date +%s); root=$PWD
JAR=$root/.gpu/s6/jar/bench.jar TESTS=$root/.gpu/s6/jar/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
grep -E "tests (successful|failed|aborted|skipped)|✘" $L/gpu-tests.log | head -8
chmod +x .gpu/s6/launch_cost
SKIP_TABLE=1 SKIP_JMH=1 LAUNCH_COST_BIN=$root/.gpu/s6/launch_cost JAR=$root/.gpu/s6/jar/bench.jar timeout 420 bash scripts/gpu-results.sh $L/res core > $L/core.log 2>&1; echo "core rc=$? $(( $(date +%s)-s )) s"
(cd $OUT && tar czf s6c6.tgz s6c6)
grep -E "gate .* exit|FAILED|failed" $L/core.log | head
for f in $L/res/prefill-ernie-4.5-0.3b-*-b.json $L/res/prefill-llama*.json $L/res/prefill-tiny*.json; do python3 - "$f" <<'P'
import json,sys
d=json.load(open(sys.argv[1]))
print(sys.argv[1].split('/')[-1], '; '.join(f"{w['name']} g {w['graph']['hostNs']['p50']/1e6:.3f} e {w['eager']['hostNs']['p50']/1e6:.3f}" for w in d['workloads']))
P
done
for f in $L/res/torch-*.json; do python3 -c "
import json,sys; d=json.load(open('$f')); print('$f'.split('/')[-1], str(d.get('results', d))[:400])"; done
