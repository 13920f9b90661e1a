#!/bin/bash
# s27 call 4: does the SM's L1 / shared memory split cost the PDL chain? Jar c100.jar (branch s27-carveout, 3670037: every
# kernel of ours launched with the preferred shared memory carveout at 100 %, set once per kernel at engine open) against
# v73.jar (main b4a1a9d: the driver's default per kernel). Our kernels span ~0 KB (norms, rope, argmax) to ~200 KB (TMA
# GEMMs) of shared memory; if the driver gives each its own split, an SM must drain before the next kernel's blocks can
# start on it with another split, and a dependent launched early by PDL waits for that instead of overlapping. Three
# alternating runs, graph GPU p50: ERNIE short / 2x8 / 1x8 + 8d@512 / 4x16@64 / 8x16@128 / long / 4x80; tiny short; Llama
# short. Then CUPTI timelines at 16 (ERNIE short) of both jars.
# Prediction: if the split changes between kernels stall the early launches, the links after a change (small kernel ->
# GEMM / attention and back) shrink by ~0.3-1 us: ERNIE short -3..-8 %, tiny -3..-8 %; if the driver already keeps one
# split (or the change does not drain), +-0.5 %. Rule (written before the run): merge if ERNIE short and tiny short drop
# >= 1 % and no workload rises > 0.5 %.
# Carry .gpu/jre.tar.xz, .gpu/s27/v73.jar, .gpu/s27/c100.jar, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd)
W=/tmp/s27c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
jar() { [ $1 = base ] && echo $R/.gpu/s27/v73.jar || echo $R/.gpu/s27/c100.jar; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 16,64,128,512 --prompts short,long --batch 2x8,4x16,8x16,4x80 --mix 1x8+8d@512"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base c100; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $(jar $c) prefill $EE $P --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $(jar $c) prefill --model tiny --sizes 16 --prompts short $P --json $W/res/tiny-$c-$rep.json > $W/tiny-$c-$rep.txt 2>&1 || echo "tiny $c $rep failed"
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $(jar $c) prefill --model llama-3.2-1b --sizes 16 --prompts short $P --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base c100 > $W/ab.txt
for c in base c100; do
  [ $(left 60) -lt 60 ] && break
  (cd $(mktemp -d) && LD_LIBRARY_PATH=$R/.gpu/trace:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $(jar $c) prefill --sizes 16 --prompts short --max-num-seqs 16 --max-model-len 4096 --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar $(jar $c) plan --sizes 16 --max-num-seqs 16 --max-model-len 4096 --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt > $W/timeline-$c.txt 2>&1)
  prog "timeline $c"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s27c4out)
cp $W/ab.txt $OUT/
cat $W/ab.txt
for c in base c100; do grep -E '^graph|^\| (input_norm|qkv|attention|o|post_norm|gate_up|down) ' $W/timeline-$c.txt 2>/dev/null | head -9; done; tail -1 $W/progress.txt
