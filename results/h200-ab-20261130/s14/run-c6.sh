#!/bin/bash
# s14 call 6: v396 (15e4b35) against main (000dd4a). Calls 1-5: every form that issued the split path's prefix prefetch
# at or before the wait (v39, v391, v392, v393a, v394) made 5-8 of 18 layers' attention 7-9 us slower at 16d@2048, the
# same layers each time; after the first K chunk landed (v395) the layers were even but 1.4 us slower than main. A
# reading: a bulk prefetch still in flight when a demand load (or the other kv head's block's prefetch of the same page)
# reaches the page. v396 prefetches before the wait, but only the pages after those the first chunks load, and only from
# kv head 0's block. Predictions written before this run: 16d@2048 layers even at ~17 us (v39's fast layers), 0.72-0.75
# ms (main 0.767); 64d@1024 <= v39's 0.88; 32d ~0.67; prompts as v39 (short -2 %, 2x8 -2.5 %).
# Bundle rule (calls 1-2): lower than main on short, 2x8, 4x16, 8x16, long and 4x80 in all three alternating runs with a
# median gain >= 1 % on short; nothing (the decode mixes included) loses > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c6; J=/tmp/s14c6; rm -rf $J /tmp/s14c6out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
V="main v396"
for v in $V; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
for v in v396; do xz -dkc $C/kc-san-$v.xz > $J/kc-san-$v; chmod +x $J/kc-san-$v; done
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s14c6out; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
MIX="--model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in $V; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  timeout $(left 40) $BJ prefill $MIX --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
  timeout $(left 60) $BJ prefill --sizes 16,64,128,512 --prompts short,long --batch 2x8,4x16,8x16,4x80 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"; done; done)
echo "a/b $(el) s"
(cd $(mktemp -d) && for v in $V; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$W/trace-$v.csv timeout $(left 45) $BJ prefill $MIX --mix 16d@2048,64d@1024 --warmup 10 --iterations 40 --no-eager --no-profile --no-progress > $W/trace-run-$v.txt 2>&1
  $BJ plan $MIX --sizes 16,64 --dump-ops $W/ops-$v.txt > /dev/null 2>&1
  python3 $root/kernels/check/graph_timeline.py $W/trace-$v.csv --ops $W/ops-$v.txt --nodes $W/nodes-$v.csv --label $v > $W/timeline-$v.txt 2>&1; rm -f $W/trace-$v.csv; gzip -9 $W/nodes-$v.csv $W/ops-$v.txt; done)
echo "traces $(el) s"
for v in v396; do
  timeout 60 $J/kc-san-$v attention > $W/kc-attention-$v.log 2>&1; echo "kc attention $v rc=$? $(el) s"
  (cd $(mktemp -d) && java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops $W/ops16-$v.txt > /dev/null 2>&1)
  PK_OPS=$W/ops16-$v.txt timeout 60 $J/kc-san-$v pdl > $W/pdl-$v.log 2>&1; echo "pdl $v rc=$? $(el) s"
  for t in memcheck synccheck racecheck; do timeout $(left 120) compute-sanitizer --tool $t $J/kc-san-$v attention > $W/san-attention-$t-$v.log 2>&1; echo "$t $v rc=$? $(el) s"; done; done
gzip -9 $W/ops16-*.txt
(cd /tmp && tar czf $OUT/s14c6.tgz s14c6out)
grep -E "ALL PASSED|FAILURES|checks failed" $W/kc-attention-*.log $W/pdl-*.log | sed 's|.*/||'
for f in $W/san-*.log; do echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c6out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
for v in $V; do echo "== $v"; zcat $W/nodes-$v.csv.gz | awk -F, '$1 != "graph" && ($3 ~ /attention/) {a[$1] = a[$1] sprintf("%.1f ", $8)} END {for (g in a) print g ": " a[g]}'; grep -E "median span" $W/timeline-$v.txt; done
