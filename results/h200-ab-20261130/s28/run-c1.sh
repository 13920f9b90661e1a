#!/bin/bash
# s28 call 1, jar v76 (main b67d7ed, clean). Two questions in one lease.
# (1) The forward's synchronization: kernels/check/launch_cost's fixed-cost table with a fourth form — the last link writes
#     the first tokens, fences the system scope and writes a completion word (the forward's sequence number from the
#     metadata); the host spins on the word instead of cudaStreamSynchronize. Prediction: 26 links 20.5-23 us host
#     (mapped) -> 1.5-3 us less with the word (the stream's completion signal waits for the kernel's blocks to retire and
#     the front end's semaphore write); if >= 1.5 us, the engine gets the option (tiny 44.9 us end to end, target 40).
# (2) smemCarveout rows for the plans without one (choices only, three alternating runs, graph GPU p50, against the
#     bundled rows): Llama-3.2-1B at 17..64 (l17) and 65..512 (l65); ERNIE at 129..512 (c129) and with it the q4 attention
#     form at 129..512 (q4c). Predictions: l65 8x16 at 128 -1..-2 % (cuBLASLt and the 99 KB attention among small kernels,
#     as ERNIE's 65..128 gained), long / 4x80 +-0.5 %; l17 +-0.5 % (ERNIE's 17..64 was neutral); c129 long +-0.3 %, 4x80
#     -0.5 % (s27's cv65); q4c long -1.5 %, 4x80 +0..+1 % (if q4's 2-page-tile loss was the split change its 197 KB forced).
# Rule (written before the run): bundle a row whose target workload gains >= 1 % with no workload > +0.5 %.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s28; J=$R/.gpu/s28/v76.jar
W=/tmp/s28c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 450 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > $W/smi.txt 2>&1
timeout 120 .gpu/s28/launch_cost 169 51 16 128 > $W/launch-cost.txt 2>&1; prog "launch_cost rc=$?"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 128,256,512 --prompts long --prompt-lens 200 --batch 8x16,4x80"
LL="--model llama-3.2-1b --sizes 32,64,128,512 --prompts long --prompt-lens 24,100 --batch 4x8,4x16,8x16,4x80 --mix 32d@1024"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base c129 q4c; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  for c in base l17 l65; do
    timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill $LL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base > $W/ab.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s28c1out)
cp $W/ab.txt $W/launch-cost.txt $OUT/
grep -A8 "^| fixed cost | graph" $W/launch-cost.txt
cat $W/ab.txt; tail -1 $W/progress.txt
