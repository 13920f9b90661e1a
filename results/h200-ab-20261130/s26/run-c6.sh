#!/bin/bash
# s26 call 6, one jar: 74860ef (main: --host-timing separate as the default; the forward's kernels and plans are main's of
# 213514a, unchanged). First every GPU test, then a method A/B (tiny and ERNIE short, graph and eager, --host-timing
# separate vs events, two alternating runs each), then the results set's core (scripts/gpu-results.sh core; SKIP_TABLE=1:
# no GEMM kernel changed and the table's harness links cuBLAS), then run A gated against run B (CI's direction).
# Prediction (call 5, launch_cost's fixed cost: 23.5 us timed as the tool vs 20.2 without events, 26 links): separate
# lowers every graph host p50 by ~3 us (tiny ~-6 %, ERNIE short ~-0.7 %) and eager by ~1.5-3 us; GPU p50 unchanged.
# Carry .gpu/jre.tar.xz, .gpu/s26/v68.jar, .gpu/s26/t2, .gpu/s26/launch_cost, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s26/v68.jar
W=/tmp/s26c6out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J TESTS=.gpu/s26/t2/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh .gpu/s26/t2/junit.jar > $W/gpu-tests-74860ef.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && for rep in 1 2; do for h in separate events; do for m in tiny ernie-4.5-0.3b; do
  timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $m --sizes 16 --prompts short --no-profile --no-progress \
    --warmup 30 --iterations 200 --max-model-len 4096 --max-num-seqs 16 --host-timing $h --json $W/res/$m-$h-$rep.json > $W/$m-$h-$rep.txt 2>&1 || echo "$m $h $rep failed"
done; done; done)
prog "method ab"
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$(pwd)/.gpu/s26/launch_cost PK_TRACE_LIB=$(pwd)/.gpu/trace/libpktrace.so timeout $(left 400) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
python3 - $W/res > $W/method-ab.txt <<'PY'
import json, sys, os, statistics as st
d = sys.argv[1]
rows = {}
for f in sorted(os.listdir(d)):
    m, h, rep = f[:-5].rsplit('-', 2)
    r = json.load(open(os.path.join(d, f)))
    for w in r['workloads']:
        for mode in ('eager', 'graph'):
            t = w.get(mode)
            if t: rows.setdefault((m, mode, h), []).append((t['hostNs']['p50'] / 1e3, t['gpuNs']['p50'] / 1e3))
for (m, mode, h), v in sorted(rows.items()):
    print(f"{m:16s} {mode:5s} {h:8s} host p50 us {' '.join('%.1f' % x[0] for x in v):20s} GPU p50 us {' '.join('%.1f' % x[1] for x in v)}")
PY
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s26c6out)
grep -E 'tests (successful|failed)' $W/gpu-tests-74860ef.log | tr -s ' '
cat $W/method-ab.txt
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
