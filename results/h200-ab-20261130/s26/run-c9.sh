#!/bin/bash
# s26 call 9, jar ab0b720 (the set's forward): where tiny's 41 us of GPU time go (CUPTI timeline at 16, short) and one probe:
# tiny's attention at 1..16 on the t32 form (choices-tt32.json: its 4 q / 2 kv head layout's row moved from
# attention_prefill_wg_early to _t32; s20's probe had tiny within 1 % before v56's instruction cuts). Three alternating runs,
# graph GPU p50, against the bundled rows. Rule (written before the run): bundle only if tiny short and 2x8 drop >= 1 % and
# no workload rises > 0.5 %. Prediction: ±1 % (a 20-row tile already takes the split path in the 64-row form).
# Carry .gpu/jre.tar.xz, .gpu/s26/v69.jar, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
J=$R/.gpu/s26/v69.jar
W=/tmp/s26c9out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 30 --iterations 300 --max-model-len 4096 --max-num-seqs 16"
T="--model tiny --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base tt32; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $T $P $(ch $c) --json $W/res/tiny-$c-$rep.json > $W/tiny-$c-$rep.txt 2>&1 || echo "tiny $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base tt32 > $W/ab.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for c in base tt32; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --sizes 16 --prompts short --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar $J plan --model tiny --sizes 16 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt --nodes $W/timeline-nodes-$c.csv > $W/timeline-$c.txt 2>&1)
  prog "timeline $c"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s26c9out)
cat $W/ab.txt; cat $W/timeline-base.txt; grep -E 'attention' $W/timeline-tt32.txt | head -3; tail -1 $W/progress.txt
