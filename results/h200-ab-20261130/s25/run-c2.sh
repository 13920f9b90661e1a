#!/bin/bash
# s25 call 2: v64 (jar 7b6cb9c, branch s25-v64: the wgmma + TMA GEMMs trigger their dependents at entry instead of after
# their mainloop) against main's kernels (v63.jar = d8f3b29), each with the bundled rows and with choices-lt4.json (the
# 81..128 TMA rows at 4 stages: 64x64 66.6 KB, 128x64 99.4 KB of smem, so neighbours' blocks fit beside them); v64's
# validation in the same lease; timelines at 128.
# Call 1 found the 128-row TMA GEMMs bound by each SM's own intake (~80 GB/s per SM whether 6 or 96 blocks run), not
# by the chip's L2 or DRAM. In the chain at 128 (set 215443) gate_up (96 blocks) leaves 36 SMs idle, and each TMA GEMM
# lets the next kernel launch only after its mainloop: down's blocks cannot start their pre-wait weight copies during
# gate_up, nor can the small kernels launch early.
# Prediction: v64 with the bundled rows: down 4.59 -> ~4.2 us per layer (its blocks on gate_up's 36 idle SMs copy ~1/3 of
# its weights early), rope / norms -0.1..-0.3 each: 8x16 -1..-2 %; v64 + lt4 (o and down fit beside attention / gate_up,
# qkv beside down): down -> ~3.0, o -> ~2.5, gate_up +0.3 (down's copies share its SMs' intake): 8x16 -3..-5 %;
# main + lt4: +-1 %; 512 (gate_up 128x192 before cuBLASLt): +-0.3 %.
# Rule: v64 kept if nothing rises > 0.5 % and 8x16 or 1x100 drops >= 1 %; lt4 bundled with it if it adds >= 1 %.
# choices-lt4.json is written by make-choices.py lt4 (not committed: no results file of this call names it).
# Carry .gpu/jre.tar.xz, .gpu/t, .gpu/s24/v63.jar, .gpu/s25/v64.jar, .gpu/s25/wgc64, .gpu/s25/wgc64_nt, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s25
W=/tmp/s25c2out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
declare -A JAR=([main]=$R/.gpu/s24/v63.jar [v64]=$R/.gpu/s25/v64.jar)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
E="--sizes 128,512 --prompts long --batch 8x16,1x100,4x80 --mix 1x80+31d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for j in main v64; do for c in base lt4; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar ${JAR[$j]} prefill $E $P $(ch $c) --json $W/res/ernie-$j.$c-$rep.json > $W/ernie-$j.$c-$rep.txt 2>&1 || echo "ernie $j $c $rep failed"
  done; done
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar ${JAR[main]} prefill --sizes 16 --prompts short $P --json $W/res/ernie16-main.base-$rep.json > /dev/null 2>&1
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar ${JAR[v64]} prefill --sizes 16 --prompts short $P --json $W/res/ernie16-v64.base-$rep.json > /dev/null 2>&1
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res main.base main.lt4 v64.base v64.lt4 > $W/ab.txt
cat $W/ab.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for jc in main.base v64.base v64.lt4; do
  j=${jc%.*}; c=${jc#*.}
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$jc.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar ${JAR[$j]} prefill --sizes 128 --batch 8x16 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$jc.txt 2>&1
   java -jar ${JAR[$j]} plan --sizes 128 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$jc.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$jc.csv --ops /tmp/pkops-$jc.txt > $W/timeline-ernie-$jc.txt 2>&1
   cp /tmp/pktrace-$jc.csv $W/ 2>/dev/null)
  prog "timeline $jc"
done
export LD_LIBRARY_PATH=/usr/local/cuda/lib64
cp .gpu/s25/wgc64 .gpu/s25/wgc64_nt /tmp/ && chmod +x /tmp/wgc64*
(cd /tmp && timeout $(left 60) /tmp/wgc64 quick > $W/wgc-quick.txt 2>&1; prog "wgc quick rc=$?")
for tool in memcheck synccheck racecheck; do
  (cd /tmp && timeout $(left 60) compute-sanitizer --tool $tool /tmp/wgc64_nt quick T64x64s4 > $W/$tool-wgc.txt 2>&1; prog "$tool wgc rc=$?")
done
JAR=${JAR[v64]} TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests-v64.log 2>&1
prog "gpu-tests v64 rc=$?"; rm -rf $W/junit-gpu
for c in base lt4; do
  (cd $(mktemp -d) && timeout $(left 50) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar ${JAR[v64]} prefill --max-num-seqs 16 --max-model-len 4096 --sizes 128,512 --prompts long --batch 8x16 $(ch $c) --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-$c.txt 2>&1; prog "engine memcheck $c rc=$?")
done
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool synccheck java --enable-native-access=ALL-UNNAMED -jar ${JAR[v64]} prefill --max-num-seqs 16 --max-model-len 4096 --sizes 128 --batch 8x16 $(ch lt4) --warmup 1 --iterations 2 --no-progress > $W/synccheck-engine-lt4.txt 2>&1; prog "engine synccheck lt4 rc=$?")
(cd /tmp && tar cJf $OUT/res.tar.xz s25c2out)
cp $W/ab.txt $OUT/ab.txt
for jc in main.base v64.base v64.lt4; do echo "== timeline $jc"; grep -A10 'op of a layer' $W/timeline-ernie-$jc.txt | head -11; done
grep -E 'tests (successful|failed)' $W/gpu-tests-v64.log | tr -s ' '
echo "wgc quick: $(tail -1 $W/wgc-quick.txt)"
for f in $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1)"; done
echo; cat $W/ab.txt; tail -1 $W/progress.txt
