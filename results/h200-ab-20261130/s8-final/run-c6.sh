#!/bin/bash
# s8 call 6 (bf01ae9, the TMA rows at 81..128 bundled): every GPU test, then the core results set (no GEMM table: the
# wgmma harness logs are this session's table; no JMH: its sizes 16/64/512 run the same forward as 224132)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/s8c6; mkdir -p $L/core; s=$(date +%s); root=$PWD; jar=$root/.gpu/s8/jt/bench.jar
JAR=$jar TESTS=$root/.gpu/s8/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
JAR=$jar SKIP_TABLE=1 SKIP_JMH=1 LAUNCH_COST_BIN=$root/.gpu/s8/launch_cost timeout 380 bash scripts/gpu-results.sh $L/core core > $L/core.log 2> $L/log-core.txt; echo "core rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s8c6.tgz s8c6 && rm -rf s8c6)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
grep -E "gate .* exit|FAILED" /tmp/x/core.log /tmp/x/log-core.txt | head
python3 - <<'PY'
import json,glob
for f in sorted(glob.glob('/tmp/x/core/prefill-*.json'))+sorted(glob.glob('/tmp/x/core/torch-*.json')):
    d=json.load(open(f)); ws=d.get('workloads') or d.get('results') or []
    out=[]
    for w in ws:
        if 'graph' in w and isinstance(w['graph'],dict): out.append('%s g %.3f e %.3f' % (w.get('name'), w['graph'].get('hostP50Ms',0), w.get('eager',{}).get('hostP50Ms',0)))
        else: out.append(str({k:v for k,v in w.items() if k in ('name','workload','mode','p50Ms','graphP50Ms','medianMs')}))
    print(f.split('/')[-1][:60], '; '.join(out)[:400])
PY
