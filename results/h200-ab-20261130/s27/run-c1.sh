#!/bin/bash
# s27 call 1, jar v72 (main + v69: attention_prefill_wg_early_q4, the early wg form with 4 key parts of 128 threads; an
# option, not bundled). First the kernel alone: kernel_check attention_q4 (the form against the float64 reference, the
# 4-warp form within tolerance, its split-path tiles' bits, surplus blocks, [160] alone == batched, the decode mix of every
# head-dim-64 form, cold timings of every form incl. 1x480), then memcheck / synccheck / racecheck on the no-timing build,
# then the new GPU test (MixedStepGraphEqualsEagerGpuTest quarterKeyPartFormGraphEqualsEager: q4 at every size, ERNIE and
# Llama, graph == eager bit for bit). Then three alternating runs, graph GPU p50: ERNIE base / q4 (129..512) / q4w
# (65..512), Llama base / lq4 (129..512); CUPTI timelines at 512 (long) of ERNIE base and q4.
# Arithmetic: at 480 tokens with group 8 a kv head has 60 tiles of 64 rows; tile t's last row sees ceil((8t + 8) / 64)
# pages, the last 4 tiles 8. The two-part form walks 4 of them per part; its chain increment is 6.89 us per layer (set
# 002206's timeline). Four parts walk 2: prediction attention 6.89 -> ~4.5 us per layer, long -4..-5 %; 4x80 and
# 2x100 (tiles of <= 2 pages: two parts idle, a longer combine) -0.5..+0.5 %; Llama long (group 4: 30 tiles of <= 8
# pages per kv head, 240 blocks, two waves) -1..-3 %.
# Rule (written before the run): bundle a row if long drops >= 2 % on its model, no workload rises > 0.5 %, and the
# checks above all pass.
# Carry .gpu/jre.tar.xz, .gpu/s27 (v72.jar, kc_q4, kc_q4_nt, t/), .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s27
W=/tmp/s27c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
J=$R/.gpu/s27/v72.jar
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > $W/gpu.txt 2>&1
timeout 120 ./.gpu/s27/kc_q4 attention_q4 > $W/kc-attention-q4.txt 2>&1; echo "kc rc=$?" >> $W/summary.txt
prog "kc"
for tool in memcheck synccheck racecheck; do
  timeout 70 compute-sanitizer --tool $tool --error-exitcode 9 ./.gpu/s27/kc_q4_nt attention_q4 > $W/san-$tool.txt 2>&1
  echo "$tool rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/san-$tool.txt | tail -1)" >> $W/summary.txt
  prog "$tool"
done
JAR=$J TESTS=.gpu/s27/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh .gpu/s27/t/junit.jar \
  --select-method 'io.prefillbench.engine.MixedStepGraphEqualsEagerGpuTest#quarterKeyPartFormGraphEqualsEager(java.lang.String)' > $W/gpu-tests-q4.log 2>&1
echo "gpu test rc=$?" >> $W/summary.txt; rm -rf $W/junit-gpu
prog "gpu test"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
EE="--sizes 128,256,512 --prompts long --prompt-lens 100,200 --batch 4x80,8x16 --mix 1x80+15d@2048"
EL="--model llama-3.2-1b --sizes 128,512 --prompts long --batch 4x80"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in base q4 q4w; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EE $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
  done
  for c in base lq4; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $EL $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res base q4 q4w lq4 > $W/ab.txt
export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
for c in base q4; do
  [ $(left 60) -lt 60 ] && break
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$c.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 512 --prompts long --max-num-seqs 16 --max-model-len 4096 $(ch $c) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-$c.txt 2>&1
   java -jar $J plan --sizes 512 --max-num-seqs 16 --max-model-len 4096 $(ch $c) --dump-ops /tmp/pkops-$c.txt > /dev/null 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$c.csv --ops /tmp/pkops-$c.txt > $W/timeline-$c.txt 2>&1)
  prog "timeline $c"
done
(cd /tmp && tar cJf $OUT/res.tar.xz s27c1out)
cp $W/ab.txt $W/summary.txt $W/kc-attention-q4.txt $OUT/ 2>/dev/null
grep -E 'FAIL|PASS|passed|failed' $W/kc-attention-q4.txt | tail -4
grep -E 'q4' $W/kc-attention-q4.txt | grep -E 'perf' | head -12
grep -E "✘|tests (successful|failed)" $W/gpu-tests-q4.log | sed 's/\x1b\[[0-9;]*m//g' | tail -4
cat $W/summary.txt; echo; cat $W/ab.txt
for c in base q4; do grep -E '^span|^\| (attention|qkv|gate_up) ' $W/timeline-$c.txt 2>/dev/null | head -5; done; tail -1 $W/progress.txt
