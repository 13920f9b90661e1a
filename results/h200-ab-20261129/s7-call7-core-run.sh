#!/bin/bash
# s7 call 7: main HEAD (Llama range rows; the applied rows identity): the core results set (scripts/gpu-results.sh core, the
# GEMM table and JMH skipped: kernels unchanged), PyTorch in the same call; GPU tests: call 4 (b2f24e1; since then rows and the recorded identity only)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c7; mkdir -p $L/res; s=$(date +%s); root=$PWD
chmod +x .gpu/s7/launch_cost
SKIP_TABLE=1 SKIP_JMH=1 LAUNCH_COST_BIN=$root/.gpu/s7/launch_cost JAR=$root/.gpu/s7/jh/bench.jar timeout 330 bash scripts/gpu-results.sh $L/res core > $L/core.log 2>&1; echo "core rc=$? $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s7c7.tgz s7c7 && rm -rf s7c7)
grep -E "gate .* exit|FAILED|failed" /tmp/x/core.log | head
for f in /tmp/x/res/prefill-ernie-4.5-0.3b-*-b.json /tmp/x/res/prefill-ernie-4.5-0.3b-*-a.json /tmp/x/res/prefill-llama*.json /tmp/x/res/prefill-tiny*.json; do python3 - "$f" <<'P'
import json,sys
d=json.load(open(sys.argv[1]))
print(sys.argv[1].split('/')[-1], '; '.join(f"{w['name']} g {w['graph']['hostNs']['p50']/1e6:.3f} e {w['eager']['hostNs']['p50']/1e6:.3f}" for w in d['workloads']))
P
done
for f in /tmp/x/res/torch-*.json; do python3 -c "
import json,sys; d=json.load(open('$f')); print('$f'.split('/')[-1], str(d.get('results', d))[:300])"; done
grep -A3 "Java\|C++" /tmp/x/res/launch-cost-*.txt | grep "^|" | head -8
