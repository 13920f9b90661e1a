#!/bin/bash
# s28 call 4, jar v77 (main 6c9ecde: PrefillEngine's batch kinds in one EnumMap; the GPU tests build their choices with
# ImplChoices' with... copies, so they keep every bundled row kind — PersistentLayersGpuTest's choices now keep the bundled
# attention rows too). First every GPU test, then one choices-only A/B (three alternating runs, graph GPU p50, against the
# bundled rows): lgn, Llama-3.2-1B's gate_up at 1..16 on the half-width streaming kernel unsplit (512 blocks of 32
# columns, 73.7 KB of stages each, SiLU * up by the bundled n32 fusion row; as its size 32 runs) instead of the plain m16
# kernel (256 blocks, 61 KB). Why: call 3 showed a 16-row streaming GEMM's rate is its bytes in flight (qkv unsplit on 48
# blocks: Llama short +12.6 %); gate_up streams 67 MB at 3.8 TB/s with ~15.7 MB of stages resident, lgn ~29 MB (3 blocks an
# SM). Prediction: gate_up 17.2 -> ~16 us per layer, Llama short / 2x8 -1..-2.5 %, 16d@2048 -0.5..-1.5 % (the decode graph
# runs the row too). Risk: each of 512 blocks re-reads A (16 x 2048, 64 KB) after the wait, twice the bytes into each SM.
# Rule (written before the run): bundle if short >= 1 % faster and no workload > +0.5 % (every GPU test then again).
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s28; J=$R/.gpu/s28/v77.jar
W=/tmp/s28c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 450 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
python3 $S/make-choices.py lgn
JAR=$J TESTS=.gpu/s28/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh .gpu/s28/t/junit.jar > $W/gpu-tests-6c9ecde.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 30 --iterations 200 --max-model-len 4096 --max-num-seqs 16"
LL="--model llama-3.2-1b --sizes 16 --prompts short --prompt-lens 12,16 --batch 2x8 --mix 1x8+8d@512,16d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base lgn; do
    timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || { echo "llama $c $rep failed"; tail -2 $W/llama-$c-$rep.txt; }
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base > $W/ab.txt
cp $S/choices-lgn.json $W/
(cd /tmp && tar cJf $OUT/res.tar.xz s28c4out)
cp $W/ab.txt $OUT/
grep -E "✘|tests (successful|failed|skipped)" $W/gpu-tests-6c9ecde.log | sed 's/\x1b\[[0-9;]*m//g' | tail -8
cat $W/ab.txt; cat $W/progress.txt
