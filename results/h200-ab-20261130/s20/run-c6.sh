#!/bin/bash
# s20 call 6, one jar: v36 = a259b72 (v53: attention_prefill_wg_early_t32 bundled for ERNIE-4.5-0.3B's prompts at 1..16).
# Carry .gpu (jre.tar.xz; t/: the tests jar of a259b72 and the JUnit console; kc/: kernel_check of a259b72, -DNO_CUBLAS,
# sm_90a, timed and -DPREFILL_CHECK_NO_TIMING) and cli/target/bench.jar.
# 1. A/B, three alternating runs, graph GPU p50, on this jar: choices-pre.json (the rows before: the early form over
#    64-row tiles at 1..16) vs the bundled rows (t32 at 1..16) vs t64 / t128 (t32 at 17..64 / 17..128 too), ERNIE at
#    sizes 16, 32, 64, 128: short, 2x8, 1x8+8d@512, 8d@2048, 16d@2048 (16); prompts of 30 / 60 / 100 tokens; 4x8, 4x16, 8x16.
#    Predictions: bundled vs pre: short -2..-3 %, 2x8 -2 %, 1x8+8d@512 -1 %, decode steps +-0.5 % (their graph keeps wg);
#    t64 / t128: single prompts at 32 / 64 -1..-2 % (call 3's single-sequence captures hinted at it), batches +-1 %.
#    Rules: t32 at 1..16 stays if short drops >= 1.5 % and nothing rises > 0.5 %; t64 / t128 bundled if every workload they
#    reach drops or stays (<= +0.5 %) and one drops >= 1 %.
# 2. Every GPU test on this jar (new: AttentionWgGpuTest.t32MatchesTheCpuReferenceAndGraphEqualsEager, t32 at every size
#    on tiny against the CPU reference and on tiny and ERNIE graph == eager; the bundled rows put t32 in every ERNIE test at 16).
# 3. kernel_check attention (the t32 form against the float64 reference: varlen, varlen + prefix, decode mix; bitwise:
#    batched == alone, surplus grid, one-tile sequences == the 4-warp form, twice; timings), then compute-sanitizer
#    memcheck, synccheck and racecheck of the untimed build's attention family, and memcheck of the engine with t32 at 16.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s20
W=/tmp/s20c6out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = bundled ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in pre bundled t64 t128; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,32,64,128 --prompts short --prompt-lens 30,60,100 --batch 2x8,4x8,4x16,8x16 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"
done; prog "ab rep $rep"; done)
JAR=$J TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 230) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd /tmp && timeout $(left 100) /tmp/kernel_check attention > $W/kernel-check-attention.txt 2>&1; prog "kernel_check attention rc=$?")
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-t32.txt 2>&1; prog "engine memcheck rc=$?")
(cd /tmp && timeout $(left 90) compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention > $W/memcheck-attention.txt 2>&1; prog "memcheck rc=$?")
(cd /tmp && timeout $(left 45) compute-sanitizer --tool synccheck /tmp/kernel_check_nt attention > $W/synccheck-attention.txt 2>&1; prog "synccheck rc=$?")
(cd /tmp && timeout $(left 60) compute-sanitizer --tool racecheck /tmp/kernel_check_nt attention > $W/racecheck-attention.txt 2>&1; prog "racecheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s20c6out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s20c6out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}, key=lambda x: (int(x.split('@')[-1]), x)):
    b = med(r[(w, 'pre')])
    print('%-20s pre %7.1f' % (w, b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, med(r[(w, c)]), 100 * (med(r[(w, c)]) / b - 1)) for c in ('bundled', 't64', 't128') if r[(w, c)]))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
grep -E "t32|passed|failed|FAIL" $W/kernel-check-attention.txt | grep -i -E 't32|summary|checks|fail' | head -14
grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt
tail -1 $W/progress.txt
