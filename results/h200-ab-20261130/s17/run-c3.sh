#!/bin/bash
# s17 call 3, two jars: v20 = 41cb27c (call 1's rows), v21 = 435744d (v20 + add_rmsnorm_256: rows wider than 1024 at 256
# threads in buckets whose rows fit one wave at two blocks per SM: Llama-3.2-1B at 16..256; no other preset has such rows).
# Carry .gpu/jre-s.tar.xz and .gpu/s17/c3 (jars.tar.xz = v20, v21 and the JUnit console unpacked; the tests jar of
# 435744d; kc-t.xz / kc-ns.xz = kernel_check of 435744d with and without timing loops, -DNO_CUBLAS).
# 1. kernel_check norm + fused (add_rmsnorm_256 against the float64 reference; fused partials == reduce + unfused) and
#    the no-timing build under memcheck / racecheck / synccheck.
# 2. Norm A/B (v20 vs v21, three alternating runs, graph GPU p50), Llama-3.2-1B at 16 / 32 / 64 / 128 / 256.
#    Prediction (call 2's timeline: Llama's two norms per layer 3.9-4.0 us per link at 16 rows, ERNIE's 1024-wide ones
#    2.1-2.6): each norm ~1 us cheaper, short -32 us (-3.3 %), every bucket to 256 -2..-3 %.
#    Rule (written before this run): kept if every Llama workload's GPU p50 is at or below v20 + 0.5 % and short drops
#    >= 1 %; otherwise reverted.
# 3. Attention candidates on v21 (three alternating runs): Llama-3.2-1B at 1..16 base (the 8-warp kh form) / lwg
#    (attention_prefill_wg) / lwe (attention_prefill_wg_early), on short, 2x8 and the decode mixes 16d@2048 and 8d@512
#    (ERNIE's early form lost on decodes over 2048 cached tokens at 16); tiny base / twe (wg_early).
#    Predictions: call 2's timeline has Llama's attention at 8.4 us per link at 16 (ERNIE's wg form 5.3): lwg -2..-3 us per
#    layer (-4 %), lwe another -1 us on prompts, maybe a loss on 16d@2048; twe -1..-2 us on tiny.
#    Rule: a candidate is bundled if no measured workload of its model rises > 0.5 % and one drops >= 1 %.
# 4. Every GPU test on v21; the engine under memcheck with v21 (Llama at 16 and 128: the wide norm).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c3; J=/tmp/s17c3; rm -rf $J /tmp/s17c3out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v20 v21 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
for k in kc-t kc-ns; do xz -dc $C/$k.xz > $J/$k; chmod +x $J/$k; done
S=$(pwd)/results/h200-ab-20261130/s17
W=/tmp/s17c3out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
# 2. norm A/B
(cd $(mktemp -d) && for rep in 1 2 3; do for v in v20 v21; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16,32,64,128,256 --prompts short --batch 4x8,4x16,8x16,2x100 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/norm-$v-$rep-$stamp.json > $W/norm-$v-$rep.txt 2>&1 || echo "norm $v $rep failed"
done; prog "norm rep $rep"; done)
# 3. attention candidates (v21)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v21.jar"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base lwg lwe; do timeout $(left 40) $B prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 16d@2048,8d@512 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/attn-$f-$rep-$stamp.json > $W/attn-$f-$rep.txt 2>&1 || echo "attn $f $rep failed"; done
  for f in base twe; do timeout $(left 30) $B prefill --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/tiny-$f-$rep-$stamp.json > $W/tiny-$f-$rep.txt 2>&1 || echo "tiny $f $rep failed"; done
  prog "attn rep $rep"; done)
# 1. kernel checks
timeout $(left 60) $J/kc-t norm > $W/kc-norm.log 2>&1; prog "kc norm rc=$?"
timeout $(left 60) $J/kc-t fused > $W/kc-fused.log 2>&1; prog "kc fused rc=$?"
for t in memcheck racecheck synccheck; do timeout $(left 80) compute-sanitizer --tool $t $J/kc-ns norm > $W/san-norm-$t.log 2>&1; prog "kc norm $t rc=$?"; done
# 4. tests, engine memcheck
JAR=$J/v21.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 90) compute-sanitizer --tool memcheck --target-processes all $B prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16,128 --prompts short --batch 8x16 --warmup 1 --iterations 2 --no-progress > $W/memcheck-llama.txt 2>&1; prog "llama memcheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c3out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
grep -hE 'rmsnorm' $W/kc-norm.log $W/kc-fused.log | grep -v '^ ' | tail -30 | grep -E '_256|FAIL' ; grep -hE 'FAILURES|checks (passed|failed)|all .* passed' $W/kc-norm.log $W/kc-fused.log | tail -2
for f in $W/san-*.log $W/memcheck-*.txt; do [ -f $f ] && echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s17c3out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g:
            for t in ('gpu', 'host'):
                r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), t, k[1])].append(g[t + 'Ns']['p50'] / 1e3)
for (a, w, t) in sorted({k[:3] for k in r}):
    cs = sorted({k[3] for k in r if k[:3] == (a, w, t)})
    print('%-6s %-16s %-4s ' % (a, w, t) + '  '.join('%s %.1f' % (c, statistics.median(r[(a, w, t, c)])) for c in cs))
PY
tail -3 $W/progress.txt
