#!/bin/bash
# s14 call 3: why the decode mixes lost. Four jars: main (000dd4a), v39 (74e7772: tile before the wait, prefetch before
# the wait, Q with K/V), v391 (df171af: prefetch after the wait), v392 (600c87c: prefetch before the wait, the split path's
# K/V after Q has landed as in main). Calls 1-2 (graph GPU ms, 16d@2048 / 32d@1024 / 64d@1024): main 0.77 / 0.71 / 0.92,
# v39 0.82 / 0.67 / 0.89, v391 0.84 / 0.68 / 0.96. Reading written before this run: the split path's K/V chunk loads
# issued with Q (before, one Q round trip later) reach page 0 while its L2 prefetch is still in flight, and the two miss
# to DRAM separately; prefetch earlier (v39) hides part of it. Prediction: v392's decodes at or below main's, its
# prompts as v39's but for ~0.3 us per layer at 16 (the short prompt's 16-row split tile waits for Q again).
# Timelines (CUPTI, in-graph) of 16d@2048 and 64d@1024 for every jar say which op moved.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c3; J=/tmp/s14c3; rm -rf $J /tmp/s14c3out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
V="main v39 v391 v392"
for v in $V; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s14c3out; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
MIX="--model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in $V; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  timeout $(left 40) $BJ prefill $MIX --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
  timeout $(left 40) $BJ prefill --sizes 16,64 --prompts short --batch 2x8,4x16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in $V; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 45) $BJ prefill $MIX --mix 16d@2048,64d@1024 --warmup 10 --iterations 40 --no-eager --no-profile --no-progress > $W/trace-run-$v.txt 2>&1
  $BJ plan $MIX --sizes 16,64 --dump-ops $W/ops-$v.txt > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; rm -f $W/trace-$v.csv; gzip -9 $W/nodes-$v.csv $W/ops-$v.txt; done)
echo "traces $(el) s"
(cd /tmp && tar czf $OUT/s14c3.tgz s14c3out)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c3out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in $V; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
