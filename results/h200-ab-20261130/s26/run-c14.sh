#!/bin/bash
# s26 call 14, jar a50dc40 (branch s26-fresh: a third graph per size for fresh prompts — rows with "batch": "fresh" — and
# ERNIE-4.5-0.3B's attention at 65..128 on the t32 form bundled for it). First every GPU test (new: FreshGraphGpuTest), then
# three alternating runs, graph GPU p50, of the bundled rows against the rows before (choices-prev.json: main c64e41e's).
# Prediction (calls 12-13, the form on every graph): fresh prompts at 80 / 128 -2.8..-4.3 %, mixed steps at 128 ±0.3 %
# (they keep the plain graph), sizes 16 / 64 unchanged. Rule (written before the run): merge if 8x16 drops >= 1 % and no
# workload rises > 0.5 %, and every GPU test passes.
# Carry .gpu/jre.tar.xz, .gpu/s26/v71.jar, .gpu/s26/t4.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
J=$R/.gpu/s26/v71.jar
W=/tmp/s26c14out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J TESTS=.gpu/s26/t4/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 170 bash scripts/gpu-tests.sh .gpu/s26/t4/junit.jar > $W/gpu-tests-a50dc40.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E="--sizes 16,64,80,128 --prompts short --prompt-lens 80,100 --batch 8x16,4x24,4x16 --mix 1x80+15d@2048,4x20+12d@1024"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in prev base; do
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill $E $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res prev base > $W/ab.txt
grep -h "fresh\|captured" $W/ernie-base-1.txt | head -4 > $W/graphs.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s26c14out)
grep -E "✘|tests (successful|failed)" $W/gpu-tests-a50dc40.log | sed 's/\x1b\[[0-9;]*m//g' | tail -6
cat $W/graphs.txt; cat $W/ab.txt; tail -1 $W/progress.txt
