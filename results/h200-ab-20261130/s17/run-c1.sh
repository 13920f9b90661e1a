#!/bin/bash
# s17 call 1, two jars: v19 = 4dc09fb (HEAD: the bundled forward of 39c6c74 plus the harness's copy-in check), v17 =
# fc49bab (the forward with its two copy nodes, before v42). Carry .gpu/jre-s.tar.xz and .gpu/s17/c1 (jars.tar.xz = both
# jars unpacked; kc-san.xz / kc-plant.xz = kernel_check of 4dc09fb built -DPREFILL_CHECK_NO_TIMING -DNO_CUBLAS, the second
# with -DPK_PLANT_COPY_IN).
#
# 1. Candidates (choices files in this folder, v19 jar; three alternating runs, graph GPU p50):
#    tiny  base / t1 (its five GEMM shapes unsplit at 1..16: no partials, no LM-head reduce kernel: 24 -> 23 kernels) /
#          t1f (t1 + SiLU in gate_up's and rope_kv_write in qkv's epilogue, the v10 streaming forms: 19 kernels)
#    Llama-3.2-1B short@16, 4x8@32, 4x16@64: base / t1f (= the two fusions at 16 on its plain m16 GEMMs) / l32h (its layer
#          GEMMs at 1..64 on the half-width n32 kernels at half the splits, as ERNIE's since s13; the bundled SiLU fusion
#          then reaches gate_up at 17..64) / l32s (n32 at the plain splits)
#    Predictions: tiny t1 -1..-3 us GPU (one kernel fewer, partial reductions gone), t1f -8..-10 us (five kernels fewer at
#    ~2 us each; tiny is latency only). Llama: l32h -5..-8 % at 16 (ERNIE's short went -8 % with the same change),
#    32 / 64 as much or more with the fusion; l32s between base and l32h; t1f at 16 within +-2 % (v9 / v10 on ERNIE:
#    the fused forms lost or tied where they changed the block count; Llama's gate_up stays unsplit at 256 blocks).
#    Rule (written before this run): a candidate's rows are bundled for the model they touch if its graph GPU p50 drops
#    >= 1 % on that model's workloads and none rises > 0.5 % (median of three).
# 2. build_tile_map's copy-in (v42.1, never sanitized): kernel_check tilemap (passes), the planted build (must fail),
#    memcheck / racecheck / synccheck of the harness; the engine (v19) under memcheck (ERNIE 16 / 64 with a mix; tiny) and
#    racecheck / synccheck (tiny at 16), and tiny with t1f, Llama with l32h under memcheck.
# 3. Host time of wide decode steps (the sixteenth session's open question): ERNIE 64d@1024 and 32d@1024 at 64, v17 vs v19,
#    four alternating runs: host - GPU p50 per step.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c1; J=/tmp/s17c1; rm -rf $J /tmp/s17c1out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v17 v19; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
for k in kc-san kc-plant; do xz -dc $C/$k.xz > $J/$k; chmod +x $J/$k; done
S=$(pwd)/results/h200-ab-20261130/s17
W=/tmp/s17c1out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v19.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
tiny() {  # file rep
  timeout $(left 30) $B prefill --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 --no-eager --no-profile --no-progress $(ch $1) --json $W/res/tiny-$1-$2-$stamp.json > $W/tiny-$1-$2.txt 2>&1 || echo "tiny $1 $2 failed"
}
llama() {
  timeout $(left 40) $B prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16,32,64 --prompts short --batch 4x8,4x16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $1) --json $W/res/llama-$1-$2-$stamp.json > $W/llama-$1-$2.txt 2>&1 || echo "llama $1 $2 failed"
}
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base t1 t1f; do tiny $f $rep; done; for f in base t1f l32h l32s; do llama $f $rep; done; prog "ab rep $rep"; done)
# 2. the copy-in under the sanitizers
timeout $(left 60) $J/kc-san tilemap > $W/kc-tilemap.log 2>&1; prog "kc tilemap rc=$?"
timeout $(left 60) $J/kc-plant tilemap > $W/kc-tilemap-planted.log 2>&1; prog "kc tilemap planted rc=$? (must fail)"
for t in memcheck racecheck synccheck; do timeout $(left 90) compute-sanitizer --tool $t $J/kc-san tilemap > $W/san-tilemap-$t.log 2>&1; prog "kc tilemap $t rc=$?"; done
(cd $(mktemp -d) && timeout $(left 90) compute-sanitizer --tool memcheck --target-processes all $B prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; prog "engine memcheck rc=$?")
for t in memcheck racecheck synccheck; do (cd $(mktemp -d) && timeout $(left 90) compute-sanitizer --tool $t --target-processes all $B prefill --model tiny --sizes 16 --prompts short --batch 3x4 --warmup 1 --iterations 2 --no-progress > $W/$t-engine-tiny.txt 2>&1; prog "engine tiny $t rc=$?"); done
# 3. host time of wide decode steps, v17 vs v19
mix() {  # jar rep
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J/$1.jar prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --sizes 64 --mix 64d@1024,32d@1024 --warmup 20 --iterations 300 --no-eager --no-profile --no-progress --json $W/res/wide-$1-$2-$stamp.json > $W/wide-$1-$2.txt 2>&1 || echo "wide $1 $2 failed"
}
(cd $(mktemp -d) && for rep in 1 2 3 4; do mix v17 $rep; mix v19 $rep; done; prog "wide done")
(cd $(mktemp -d) && timeout $(left 90) compute-sanitizer --tool memcheck --target-processes all $B prefill --model tiny --sizes 16 --prompts short --batch 3x4 $(ch t1f) --warmup 1 --iterations 2 --no-progress > $W/memcheck-tiny-t1f.txt 2>&1; prog "tiny t1f memcheck rc=$?")
(cd $(mktemp -d) && timeout $(left 120) compute-sanitizer --tool memcheck --target-processes all $B prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16,32 --prompts short --batch 4x8 $(ch l32h) --warmup 1 --iterations 2 --no-progress > $W/memcheck-llama-l32h.txt 2>&1; prog "llama l32h memcheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c1out)
for f in $W/kc-tilemap.log $W/kc-tilemap-planted.log; do echo "$(basename $f): $(grep -E 'copy-in|tilemap copy-in case' $f | head -2 | tr '\n' ' ')"; done
for f in $W/san-*.log $W/memcheck-*.txt $W/racecheck-*.txt $W/synccheck-*.txt; do [ -f $f ] && echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s17c1out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g:
            for t in ('gpu', 'host'):
                r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), t, k[1])].append(g[t + 'Ns']['p50'] / 1e3)
cands = sorted({k[3] for k in r})
rows = sorted({k[:3] for k in r})
print('%-6s %-16s %-4s' % ('', 'workload', '') + ''.join('%10s' % c for c in cands))
for a, w, t in rows:
    print('%-6s %-16s %-4s' % (a, w, t) + ''.join('%10s' % ('%.1f' % statistics.median(r[(a, w, t, c)]) if r[(a, w, t, c)] else '-') for c in cands))
PY
cat $W/progress.txt | tail -3
