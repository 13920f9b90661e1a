#!/bin/bash
# s22 call 4: v56 as it would land (branch s22-attn at fc60d05: the other paths keep pk_attn_store_rows as main has it,
# only the early split path ends with the places it found before the wait), its validation in one lease with its timings.
# Carry .gpu/jre.tar.xz, .gpu/t (the tests jar of 771e3aa: no test changed), .gpu/kc2 (kernel_check of main's attention
# code), .gpu/s22 (base.jar = 771e3aa, v56.jar = fc60d05, kc/ = kernel_check of fc60d05 timed and untimed, the sm_90a
# cubins of both for SASS).
# 1. A/B, three alternating runs, graph GPU p50: ERNIE 16 / 64 / 512 (short, 2x8, 4x16, long, 4x80, 1x8+8d@512,
#    16d@2048), tiny and Llama-3.2-1B at 16. Rule as call 3 (kept if nothing rises > 0.5 % and ERNIE short drops >= 1 %).
# 2. kernel_check attention, main's build and v56's alternately, two rounds each: the same checks, max_err and fails
#    (same bits), and the timings of every form side by side in one lease (call 3 timed the wg form's full path 6-10 %
#    slower than s21 call 10's lease did; whether that is the code or the lease).
# 3. Every GPU test on v56.jar; the engine under memcheck (ERNIE 16 / 64, tiny 16, Llama 32); memcheck, synccheck and
#    racecheck of the untimed kernel_check attention (v56).
# 4. SASS of attention_prefill_wg / _wg_early / _t32 from both cubins.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s22c4out; rm -rf $W; mkdir -p $W/res $W/sass; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
xz -dc .gpu/kc2/kernel_check.xz > /tmp/kc_main && xz -dc .gpu/s22/kc/kernel_check.xz > /tmp/kc_v56 && xz -dc .gpu/s22/kc/kernel_check_nt.xz > /tmp/kc_v56_nt && chmod +x /tmp/kc_*
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096"
(cd $(mktemp -d) && for rep in 1 2 3; do for j in base v56; do
  J=$OLDPWD/.gpu/s22/$j.jar
  timeout $(left 50) java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --sizes 16,64,512 --prompts short,long --batch 2x8,4x16,4x80 --mix 1x8+8d@512,16d@2048 $P --json $W/res/ernie-$j-$rep-$stamp.json > $W/ernie-$j-$rep.txt 2>&1 || echo "ernie $j $rep failed"
  timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --sizes 16 --prompts short --batch 2x8 $P --json $W/res/tiny-$j-$rep-$stamp.json > $W/tiny-$j-$rep.txt 2>&1 || echo "tiny $j $rep failed"
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16 --prompts short --batch 2x8 $P --json $W/res/llama-$j-$rep-$stamp.json > $W/llama-$j-$rep.txt 2>&1 || echo "llama $j $rep failed"
done; prog "ab rep $rep"; done)
for rep in 1 2; do for k in main v56; do
  (cd /tmp && timeout $(left 40) /tmp/kc_$k attention > $W/kernel-check-attention-$k-$rep.txt 2>&1; prog "kernel_check attention $k $rep rc=$?")
done; done
JAR=$(pwd)/.gpu/s22/v56.jar TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
J=$(pwd)/.gpu/s22/v56.jar
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,64 --prompts short --prompt-lens 60 --batch 2x8,4x16 --mix 1x8+8d@512 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-ernie.txt 2>&1; prog "engine memcheck ernie rc=$?")
(cd $(mktemp -d) && timeout $(left 40) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-tiny.txt 2>&1; prog "engine memcheck tiny rc=$?")
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 32 --prompt-lens 30 --batch 4x8 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-llama.txt 2>&1; prog "engine memcheck llama rc=$?")
(cd /tmp && timeout $(left 60) compute-sanitizer --tool memcheck /tmp/kc_v56_nt attention > $W/memcheck-attention.txt 2>&1; prog "memcheck rc=$?")
(cd /tmp && timeout $(left 40) compute-sanitizer --tool synccheck /tmp/kc_v56_nt attention > $W/synccheck-attention.txt 2>&1; prog "synccheck rc=$?")
for c in pk90a v56; do xz -dc .gpu/s22/$c.cubin.xz > /tmp/$c.cubin; done
for c in pk90a v56; do for k in attention_prefill_wg attention_prefill_wg_early attention_prefill_wg_early_t32; do
  cuobjdump -sass -fun $k /tmp/$c.cubin > $W/sass/$k-$c.sass 2>&1; done; done
(cd /tmp && timeout $(left 200) compute-sanitizer --tool racecheck /tmp/kc_v56_nt attention > $W/racecheck-attention.txt 2>&1; prog "racecheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s22c4out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s22c4out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s %s@%d' % (k[0], w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')]); n = med(r[(w, 'v56')]) if r[(w, 'v56')] else float('nan')
    print('%-28s base %7.1f  v56 %7.1f (%+.1f%%)  [%s | %s]' % (w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(w, 'base')]), ' '.join('%.1f' % x for x in r[(w, 'v56')])))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
for f in $W/kernel-check-attention-*.txt; do echo "$(basename $f): $(grep -E 'ALL PASSED|checks failed' $f | tail -1)"; done
for f in $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1)"; done
cat $W/progress.txt
