#!/bin/bash
# s27 call 2, jar v73 (main b4a1a9d: v69's q4 form with its combine fixed; bundled rows unchanged since the set 002206
# but for v68's fresh-prompt graph and tiny's attention rows). First the fixed q4 form alone: kernel_check attention_q4
# (the float64 reference, the 4-warp form within tolerance, split-path bits, decode mix of every head-dim-64 form) and
# memcheck / synccheck on the no-timing build; then every GPU test (new: quarterKeyPartFormGraphEqualsEager); then q4
# against the bundled rows once more on the fixed kernel (two alternating runs: call 1's numbers came from the kernel with
# the combine bug, same control flow) and CUPTI timelines of 4x80 at 512 (base, q4: which op pays call 1's +2.6 %); then
# the results set's core (SKIP_TABLE=1: no GEMM kernel changed; the table's harness links cuBLAS) and run A gated
# against run B. Prediction for the set: every figure of 002206 within the lease's spread but 8x16 (v68: -3 %) and tiny
# (its attention rows: -2 %).
# Carry .gpu/jre.tar.xz, .gpu/s27 (v73.jar, kc_q4, kc_q4_nt, t/), .gpu/s26/launch_cost, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s27
J=$R/.gpu/s27/v73.jar
W=/tmp/s27c2out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
timeout 60 ./.gpu/s27/kc_q4 attention_q4 > $W/kc-attention-q4.txt 2>&1; echo "kc rc=$?" >> $W/summary.txt
for tool in memcheck synccheck; do
  timeout 40 compute-sanitizer --tool $tool --error-exitcode 9 ./.gpu/s27/kc_q4_nt attention_q4 > $W/san-$tool.txt 2>&1
  echo "$tool rc=$? $(grep -E 'ERROR SUMMARY' $W/san-$tool.txt | tail -1)" >> $W/summary.txt
done
prog "kc + sanitizers"
JAR=$J TESTS=.gpu/s27/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh .gpu/s27/t/junit.jar > $W/gpu-tests-b4a1a9d.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
(cd $(mktemp -d) && for rep in 1 2; do for c in base q4; do
  timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 512 --prompts long --batch 4x80 $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
done; done)
python3 scripts/gpu/ab-table.py $W/res base q4 > $W/ab.txt
prog "q4 ab"
for c in base q4; do
  (cd $(mktemp -d) && LD_LIBRARY_PATH=$R/.gpu/trace:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 30) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 512 --batch 4x80 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar $J plan --sizes 512 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt > $W/timeline-4x80-$c.txt 2>&1)
done
prog "timelines"
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=$R/.gpu/s26/launch_cost PK_TRACE_LIB=$R/.gpu/trace/libpktrace.so timeout $(left 330) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s27c2out)
grep -E 'FAILURES|checks passed|ALL' $W/kc-attention-q4.txt | tail -2; grep -c FAIL $W/kc-attention-q4.txt
cat $W/summary.txt
grep -E 'tests (successful|failed)' $W/gpu-tests-b4a1a9d.log | tr -s ' '
cat $W/ab.txt
for c in base q4; do grep -E '^graph|^\| (attention|o|rope_kv|qkv) ' $W/timeline-4x80-$c.txt 2>/dev/null | head -5; done
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
