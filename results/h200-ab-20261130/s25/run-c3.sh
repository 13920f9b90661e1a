#!/bin/bash
# s25 call 3: call 2's A/B again (its runs asked for a mix of 32 sequences under --max-num-seqs 16 and failed; its
# validation and timelines stand): v64 (jar 7b6cb9c) against main's kernels (v63.jar = d8f3b29), and four choices probes
# on v64 at 81..128 (files beside this script):
#   d8  down on 128x64 s8 split 8 (one row tile: ~15 % fewer bytes into each SM; the norm reads 8 planes, not 4)
#   q4  qkv on 128x64 s8 split 4 (96 instead of 128 KB per block; rope reads 4 planes, not 2)
#   g9  gate_up on 128x64 s9 (216 KB in flight per SM instead of 192: in the chain its weights come from DRAM; call 2's
#       lt4 at 4 stages lost +20 % there although the L2-hot harness had s4 = s8)
#   t12 qkv / o / down on 64x64 s12 (192 KB in flight instead of 128)
# Prediction (call 2's timelines at 128: span 622.3 -> 619.4 us with v64): v64 8x16 -0.5 %, 512 +-0.3 %; d8 -0.5..-1 %,
# q4 -0.3..-0.5 %, g9 -0.5 %, t12 +-1 %.
# Rule: v64 merged if nothing rises > 0.5 % and 8x16 / 1x100 / the mix move <= -0.5 % (its validation passed in call 2);
# a probe bundled if it adds >= 1 % on 8x16 and nothing at 128 rises > 0.5 %.
# Carry .gpu/jre.tar.xz, .gpu/s24/v63.jar, .gpu/s25/v64.jar, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s25
W=/tmp/s25c3out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
declare -A JAR=([main]=$R/.gpu/s24/v63.jar [v64]=$R/.gpu/s25/v64.jar)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E128="--sizes 128 --batch 8x16,1x100 --mix 1x80+15d@2048"
E512="--sizes 512 --prompts long --batch 4x80"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for jc in main.base v64.base v64.d8 v64.q4 v64.g9 v64.t12; do
    j=${jc%.*}; c=${jc#*.}
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar ${JAR[$j]} prefill $E128 $P $(ch $c) --json $W/res/ernie-$jc-$rep.json > $W/ernie-$jc-$rep.txt 2>&1 || echo "ernie $jc $rep failed"
  done
  for j in main v64; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar ${JAR[$j]} prefill $E512 $P --json $W/res/ernie512-$j.base-$rep.json > $W/ernie512-$j-$rep.txt 2>&1 || echo "ernie512 $j $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res main.base v64.base v64.d8 v64.q4 v64.g9 v64.t12 > $W/ab.txt
cat $W/ab.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for c in d8 q4 g9 t12; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar ${JAR[v64]} prefill --sizes 128 --batch 8x16 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar ${JAR[v64]} plan --sizes 128 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt > $W/timeline-ernie-v64.$c.txt 2>&1)
  prog "timeline $c"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s25c3out)
cp $W/ab.txt $OUT/ab.txt
for c in d8 q4 g9 t12; do echo "== timeline v64.$c $(grep -m1 'median span' $W/timeline-ernie-v64.$c.txt | grep -o 'span.*')"; grep -A10 'op of a layer' $W/timeline-ernie-v64.$c.txt | tail -8 | cut -d'|' -f2,4,5; done
echo; cat $W/ab.txt; tail -1 $W/progress.txt
