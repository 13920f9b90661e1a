#!/bin/bash
# s9 call 4 (main at the commit in the jar: gate_up at 512 on TMA + SiLU bundled; the v29 rope option): the core results set
# with JMH (no GEMM table: the wgmma harness logs of s8 are the table; GPU tests: 57/57 in call 3 on the same code)
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/s9c4; mkdir -p $L/core; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jt/bench.jar
JAR=$jar SKIP_TABLE=1 LAUNCH_COST_BIN=$root/.gpu/s9/launch_cost timeout 520 bash scripts/gpu-results.sh $L/core core > $L/core.log 2> $L/log-core.txt; echo "core rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c4.tgz s9c4 && rm -rf s9c4)
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
