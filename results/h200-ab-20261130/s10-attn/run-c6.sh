#!/bin/bash
# Session 10, call 6 (jar b3f6446): the wg attention at the small buckets, where call 4 and 5 saw it ahead at 16 and
# behind at 128: bucket 16 (short, 2x8) and 64 (4x16), bundled vs wg, three runs each alternating, GPU time from the
# graph's events; then one traced run each (in-graph increments, kernels/check/graph_timeline.py).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/c6; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s10/j4/bench.jar
mkdir -p /tmp/tr && cp .gpu/s10/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s10/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
stamp=$(date -u +%Y%m%d-%H%M%S)
W="--sizes 16,64 --prompts short --batch 2x8,4x16"
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled wg; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/j4/choices-$v.json"
  timeout 60 $J prefill $W --warmup 20 --iterations 300 --no-progress $extra --json $L/res/prefill-s10c6-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && for v in bundled wg; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/j4/choices-$v.json"
  LD_LIBRARY_PATH=/tmp/tr:/usr/local/cuda/lib64 CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$L/trace-$v.csv timeout 90 $J prefill $W --warmup 10 --iterations 60 --no-progress $extra > $L/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  python3 $root/kernels/check/graph_timeline.py $L/trace-$v.csv --nodes $L/nodes-$v.csv --label $v > $L/timeline-$v.txt 2>&1; gzip -9 $L/trace-$v.csv; done)
echo "traces $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf c6.tgz c6 && rm -rf c6)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/x/res/prefill-s10c6-*.json')):
    d = json.load(open(f)); v = f.split('s10c6-')[1].split('-h200')[0]
    print(v, '; '.join('%s host %.3f gpu %.3f' % (w['name'], w['graph']['hostNs']['p50'] / 1e6, w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
grep -E 'graph|attention|all' /tmp/x/timeline-*.txt
