#!/bin/bash
# s25 call 8: v65's rows for the plain graphs only (choices-v65p.json, make-choices.py v65p: "batch": "prefill" on ERNIE's
# rope fusion onto its half-width qkv at 1..16 and on Llama's half-width qkv row at split 2 with its fusion; the decode
# graphs keep the bundled forms) against the bundled rows, on jar 7c2438b (batch-scoped GEMM and fusion rows; v65's
# kernels; every other kernel main's). Four alternating runs, graph GPU p50.
# Prediction (call 6, rows for every batch): ERNIE short -0.7 %, 2x8 -0.2 %, 1x8 + 8d@512 -2.0 %, the decode steps
# (16d / 8d@2048, decode graph) +-0.3 %; Llama short -0.8 %, 2x8 -1.7 %, decode steps +-0.3 %; 4x16@64 unchanged.
# Rule (written before the run): bundled if, on both models, no workload rises > 0.3 % and at least one of short / 2x8 /
# 1x8 + 8d@512 drops >= 1 %.
# Carry .gpu/jre.tar.xz, .gpu/s25/v66.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s25
W=/tmp/s25c8out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
J=$R/.gpu/s25/v66.jar
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
LL="--model llama-3.2-1b --sizes 16 --prompts short --batch 2x8 --mix 16d@2048,8d@2048"
EE="--sizes 16,64 --prompts short --batch 2x8,4x16 --mix 1x8+8d@512,16d@2048,8d@2048"
(cd $(mktemp -d) && for rep in 1 2 3 4; do
  for c in base v65p; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base v65p > $W/ab.txt
grep -h "graphs:\|decode graph" $W/ernie-v65p-1.txt $W/llama-v65p-1.txt | head -6 > $W/graphs.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s25c8out)
cp $W/ab.txt $OUT/ab.txt
cat $W/graphs.txt; echo; cat $W/ab.txt; tail -1 $W/progress.txt
