#!/bin/bash
# s26 call 4: v67 in the engine (fusion norm_into_gemms at 1..16: choices-nf16.json every graph, choices-nf16p.json the
# plain graphs only) on jar v67.jar (this branch: the v67 kernels, Lowering.foldNorms; every other kernel main's, compared
# section by section). First NormFoldGpuTest (the folded forward == the bundled one bit for bit, eager and graph), then three
# alternating runs against the bundled rows, graph GPU p50, then CUPTI timelines at 16 (short) of base and nf16.
# Prediction (calls 1-3, harness pairs PDL back to back: fused pair +2.1 us (o -> gate_up), +3.2 (down -> qkv rope), +3.3
# (down -> qkv plain) against producer + add_rmsnorm + consumer): a loss, ~+2.5 us per norm folded, short ~+20 %. The run
# decides whether the harness's pair table holds in the chain (v37's consumers gained more in the chain than the pairs said).
# Rule (written before the run): bundle only if short, 2x8 and 1x16 drop >= 1 % and no workload rises > 0.3 %.
# Carry .gpu/jre.tar.xz, .gpu/s26/v67.jar, .gpu/s26/t (junit.jar + tests jar), .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s26
W=/tmp/s26c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
J=$R/.gpu/s26/v67.jar
JAR=$J TESTS=.gpu/s26/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh .gpu/s26/t/junit.jar --select-class io.prefillbench.engine.NormFoldGpuTest > $W/gpu-tests-normfold.log 2>&1
echo "rc=$?" >> $W/gpu-tests-normfold.log; rm -rf $W/junit-gpu
grep -E "✔|✘|tests (successful|failed)" $W/gpu-tests-normfold.log | sed 's/\x1b\[[0-9;]*m//g' | tail -12
prog "gpu tests"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 16 --prompts short --batch 2x8,1x16 --mix 1x8+8d@512,16d@2048"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base nf16 nf16p; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base nf16 nf16p > $W/ab.txt
grep -h "graphs:\|decode graph" $W/ernie-nf16-1.txt | head -4 > $W/graphs.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for c in base nf16; do
  [ $(left 60) -lt 60 ] && break
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 16 --prompts short --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar $J plan --sizes 16 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt > $W/timeline-$c.txt 2>&1)
  prog "timeline $c"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s26c4out)
cp $W/ab.txt $W/gpu-tests-normfold.log $OUT/ 2>/dev/null
cat $W/graphs.txt; echo; cat $W/ab.txt; for c in base nf16; do grep -E '^span|per layer|^ *(input_norm|qkv|attention|o|post_norm|gate_up|down)\b' $W/timeline-$c.txt 2>/dev/null | head -12; done; tail -1 $W/progress.txt
