#!/bin/bash
# s23 call 1: v58 (branch s23-v58, jar 41af848: add_rmsnorm / final_norm_gather find their row's and chunks' addresses
# and load their weight chunks before the PDL wait; the split-K partial sums step each plane's address) against main
# (v57.jar = 24a4b17, machine code as b4d85df), its validation in the same lease, and the next audit's inputs.
# s22 call 6's source counters (layer 5, eager short at 16): add_rmsnorm ~430 warp instructions per warp after its
# wait, ~60 the partial planes' 64-bit multiply-adds, ~50 the row's addresses and flags before its first load, ~10
# the weight chunk. Prediction: ~100 fewer per warp at ~8 cycles each: each norm link -0.3 us (2.19 / 2.93 us now),
# -0.6 us per layer, ERNIE short -2..-2.5 %, 2x8 the same, 64 / 512 -0.5..-1 % (norms there read 4-8 planes too),
# Llama short -1..-2 % (add_rmsnorm_256), tiny -1 %. Rule: kept if ERNIE short drops >= 1 % and nothing rises > 0.5 %.
# 1. A/B, three alternating runs, graph GPU p50: ERNIE 16 / 64 / 512, tiny 16, Llama-3.2-1B 16.
# 2. kernel_check norm / small / act / rope / spread / fused / silu / n32, main's and v58's builds.
# 3. Every GPU test on v58.jar; memcheck / synccheck / racecheck of norm, small, act, rope, silu (untimed build); the
#    engine under memcheck (ERNIE, tiny, Llama).
# 4. ncu source counters (application replay, caches as left) of v58's add_rmsnorm / rope_kv_write / silu_mul and of
#    the four streaming GEMMs of layer 5 (the next audit), with nvdisasm -g of v58's sm_90a cubin.
# Carry .gpu/jre.tar.xz, .gpu/t, .gpu/s22/v57.jar, .gpu/s22/kc57, .gpu/s23.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s23c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
xz -dc .gpu/s22/kc57/kernel_check.xz > /tmp/kc_main && xz -dc .gpu/s23/kc58/kernel_check.xz > /tmp/kc_v58 && xz -dc .gpu/s23/kc58/kernel_check_nt.xz > /tmp/kc_v58_nt && chmod +x /tmp/kc_*
declare -A JAR=([main]=$(pwd)/.gpu/s22/v57.jar [v58]=$(pwd)/.gpu/s23/v58.jar)
stamp=$(date -u +%Y%m%d-%H%M%S)
P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096"
(cd $(mktemp -d) && for rep in 1 2 3; do for j in main v58; do
  J=${JAR[$j]}
  timeout $(left 50) java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --sizes 16,64,512 --prompts short,long --batch 2x8,4x16,4x80 --mix 1x8+8d@512,16d@2048 $P --json $W/res/ernie-$j-$rep-$stamp.json > $W/ernie-$j-$rep.txt 2>&1 || echo "ernie $j $rep failed"
  timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --sizes 16 --prompts short --batch 2x8 $P --json $W/res/tiny-$j-$rep-$stamp.json > $W/tiny-$j-$rep.txt 2>&1 || echo "tiny $j $rep failed"
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16 --prompts short --batch 2x8 $P --json $W/res/llama-$j-$rep-$stamp.json > $W/llama-$j-$rep.txt 2>&1 || echo "llama $j $rep failed"
done; prog "ab rep $rep"; done)
for f in norm small act rope spread fused silu n32; do for k in main v58; do
  (cd /tmp && timeout $(left 40) /tmp/kc_$k $f > $W/kernel-check-$f-$k.txt 2>&1; prog "kernel_check $f $k rc=$?")
done; done
JAR=${JAR[v58]} TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
J=${JAR[v58]}
(cd $(mktemp -d) && timeout $(left 50) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,64,512 --prompts short --prompt-lens 60,300 --batch 2x8 --mix 1x8+8d@512 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-ernie.txt 2>&1; prog "engine memcheck ernie rc=$?")
(cd $(mktemp -d) && timeout $(left 30) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-tiny.txt 2>&1; prog "engine memcheck tiny rc=$?")
(cd $(mktemp -d) && timeout $(left 40) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16,32 --prompts short --prompt-lens 30 --batch 4x8 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-llama.txt 2>&1; prog "engine memcheck llama rc=$?")
for f in norm small act rope silu; do for tool in memcheck synccheck racecheck; do
  (cd /tmp && timeout $(left 25) compute-sanitizer --tool $tool /tmp/kc_v58_nt $f > $W/$tool-$f.txt 2>&1; prog "$tool $f rc=$?")
done; done
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
xz -dc .gpu/s23/v58.cubin.xz > /tmp/pk.cubin && nvdisasm -g -c /tmp/pk.cubin > $W/all-lineinfo.sass 2>&1; prog "nvdisasm rc=$?"
# matching launches per forward: 4 per layer in each filter; layer 5 of the first (eager) forward
for grp in small gemm; do
  [ $grp = small ] && K='regex:^(add_rmsnorm|rope_kv_write|silu_mul)$' || K='regex:^gemm_bf16_stream'
  (cd $(mktemp -d) && timeout $(left 100) $NCU --target-processes all --replay-mode application --cache-control none --clock-control none \
    -k "$K" --launch-skip 20 --launch-count 4 --section SourceCounters --import-source yes -o $W/src-$grp \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 0 --iterations 1 --no-graph --no-profile --no-progress > $W/ncu-$grp-run.txt 2>&1; prog "ncu $grp rc=$?")
  if [ -f $W/src-$grp.ncu-rep ]; then
    for i in 0 1 2 3; do $NCU --import $W/src-$grp.ncu-rep --launch-skip $i --launch-count 1 --page source --csv --print-source sass > $W/src-$grp-$i.csv 2>&1; done
  fi
done
(cd /tmp && tar cJf $OUT/res.tar.xz --exclude='*.ncu-rep' s23c1out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s23c1out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s %s@%d' % (k[0], w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'main')]); n = med(r[(w, 'v58')]) if r[(w, 'v58')] else float('nan')
    print('%-28s main %7.1f  v58 %7.1f (%+.1f%%)  [%s | %s]' % (w, b, n, 100 * (n / b - 1), ' '.join('%.1f' % x for x in r[(w, 'main')]), ' '.join('%.1f' % x for x in r[(w, 'v58')])))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
for f in $W/kernel-check-*.txt; do echo "$(basename $f): $(grep -E 'ALL PASSED|checks failed' $f | tail -1)"; done
for f in $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1)"; done
tail -3 $W/progress.txt
