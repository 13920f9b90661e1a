#!/bin/bash
# s14 call 4: what makes some layers' attention slow at 16 decodes over 2048 keys. Call 3's timelines: with every v39
# form (v39, v391, v392) the attention of 5-7 of the 18 layers costs ~24 us instead of ~17 (main: 18.5 in every layer),
# the same layers in each form (2, 5, 10, 14, 17, ...); at 64d@1024 every layer is uniform and v39 is 3 us per layer
# faster than main. What the three forms share and main lacks: the tile's lookup before the wait (and the op order).
# Jars: main, v39, v391 (calls 1-3), v393a (8d687ac: v391 with the prefix prefetch issued before the wait and again
# after it), v393c (2094bc7: v391 with the lookup after the wait again).
# Predictions written before this run: if a dropped prefetch is what makes a layer slow, v393a's layers are uniform; if
# the lookup before the wait is, v393c's are, and v393c keeps v391's QSEP gains at 64 but loses the lookup's ~1.5 us per
# layer at 16.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c4; J=/tmp/s14c4; rm -rf $J /tmp/s14c4out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
V="main v39 v391 v393a v393c"
for v in $V; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s14c4out; mkdir -p $W/res; s=$(date +%s); root=$PWD
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
(cd /tmp && tar czf $OUT/s14c4.tgz s14c4out)
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c4out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in $V; do echo "== $v"; grep -E "median span|^\| (input_norm|qkv|rope_kv|attention|o|post_norm|gate_up|silu_mul|down) \|" $W/timeline-$v.txt | awk -F"|" '/span/ {print; next} {printf "%s:%s ", $2, $5} /down/ {print ""}'; done
