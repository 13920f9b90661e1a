#!/bin/bash
# s21 call 1, one jar: cb59df8 (main; kernel sources as a259b72, v53's t32 attention form bundled).
# Carry .gpu (jre.tar.xz; t/: the tests jar of cb59df8 and the JUnit console; kc/: kernel_check of a259b72 = the same
# kernel sources, -DNO_CUBLAS, sm_90a, timed and -DPREFILL_CHECK_NO_TIMING) and cli/target/bench.jar.
# Why: s20 validated the t32 kernel in two leases (sanitizers + A/B in call 6, GPU tests in call 7); this call runs the GPU
# tests, the sanitizers and timings in one lease.
# 1. A/B (three alternating runs, graph GPU p50, Llama-3.2-1B at 16): the bundled rows (Llama's prompts at 1..16 on the kh
#    form) vs choices-lt16.json (the t32 form for them; the decode graph keeps its early-form row): short, 2x8,
#    1x8+8d@512, 16d@2048. Prediction: -1..+1 % on short (s20: the early 64-row form lost 1.3 %, 32-row kh tiles 1.1 %;
#    the early t32 form is untried), 16d@2048 unchanged (decode graph). Rule: bundled if short drops >= 1 % and nothing
#    rises > 0.5 %.
# 2. Every GPU test on this jar.
# 3. kernel_check attention (timed), compute-sanitizer memcheck, synccheck and racecheck (to completion if time allows)
#    of the untimed build's attention family; the engine under memcheck with t32 (ERNIE at 16 and 64, Llama at 32).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s21
W=/tmp/s21c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base lt16; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; prog "ab rep $rep"; done)
JAR=$J TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 240) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && timeout $(left 60) /tmp/kernel_check attention > $W/kernel-check-attention.txt 2>&1; prog "kernel_check attention rc=$?")
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,64 --prompts short --prompt-lens 60 --batch 2x8,4x16 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-ernie.txt 2>&1; prog "engine memcheck ernie rc=$?")
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 32 --prompt-lens 30 --batch 4x8 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-llama.txt 2>&1; prog "engine memcheck llama rc=$?")
(cd /tmp && timeout $(left 60) compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention > $W/memcheck-attention.txt 2>&1; prog "memcheck rc=$?")
(cd /tmp && timeout $(left 40) compute-sanitizer --tool synccheck /tmp/kernel_check_nt attention > $W/synccheck-attention.txt 2>&1; prog "synccheck rc=$?")
(cd /tmp && timeout $(left 200) compute-sanitizer --tool racecheck /tmp/kernel_check_nt attention > $W/racecheck-attention.txt 2>&1; prog "racecheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s21c1out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s21c1out/res/*.json')):
    k = f.split('/')[-1].split('-')  # llama-TAG-REP-stamp
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')]); n = med(r[(w, 'lt16')]) if r[(w, 'lt16')] else float('nan')
    print('%-22s base %7.1f  lt16 %7.1f (%+.1f%%)  [%s | %s]' % (w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(w, 'base')]), ' '.join('%.1f' % x for x in r[(w, 'lt16')])))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
grep -E "ALL PASSED|checks failed" $W/kernel-check-attention.txt | tail -2
for f in $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1) | $(grep -c 'OK ' $f) OK lines"; done
cat $W/progress.txt
