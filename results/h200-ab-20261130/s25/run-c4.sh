#!/bin/bash
# s25 call 4: stage-depth probes at 81..128 on main's kernels (v63.jar = d8f3b29; choices files beside this script).
# Call 3: v64 (early trigger in the TMA tiles) lost +2..+4 % at 128; on v64, qkv / o / down at 12 stages (t12) were
# -1.0 % against v64's bundled rows and every thinner-intake probe lost; call 2's lt4 (4 stages) made the chain +20 %
# (timeline) although the L2-hot harness has s4 = s8: in the chain the weights come from DRAM and bytes in flight count.
# Candidates: t12 (qkv / o / down on 64x64 s12), o12 / d12 / q12 (one of them), g9 (gate_up on 128x64 s9), tg (t12 + g9).
# Prediction: t12 -0.5..-1 % on 8x16 / 1x100, the mix alike; g9 +-0.5 %; tg as t12.
# Rule: a file bundled if 8x16 drops >= 1 % and nothing at 128 rises > 0.5 %.
# Carry .gpu/jre.tar.xz, .gpu/s24/v63.jar, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s25
W=/tmp/s25c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
J=$R/.gpu/s24/v63.jar
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E128="--sizes 128 --batch 8x16,1x100 --mix 1x80+15d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base t12 o12 d12 q12 g9 tg; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $E128 $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base t12 o12 d12 q12 g9 tg > $W/ab.txt
cat $W/ab.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for c in base t12 tg; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 128 --batch 8x16 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar $J plan --sizes 128 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt > $W/timeline-ernie-$c.txt 2>&1)
  prog "timeline $c"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s25c4out)
cp $W/ab.txt $OUT/ab.txt
for c in base t12 tg; do echo "== timeline $c $(grep -m1 'median span' $W/timeline-ernie-$c.txt | grep -o 'span.*')"; grep -A10 'op of a layer' $W/timeline-ernie-$c.txt | tail -8 | cut -d'|' -f2,4,5 | tr '\n' ';'; echo; done
echo; cat $W/ab.txt; tail -1 $W/progress.txt
