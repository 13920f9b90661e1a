#!/bin/bash
# s21 call 3, one jar: f7d68c6 (branch s21-rope: attention_prefill_wg_early_t32_rope, rope_kv_write folded into the t32
# attention form; the bundled rows unchanged). Carry .gpu (jre; t/: the tests jar of f7d68c6 + JUnit console; kc2/:
# kernel_check of the same kernel sources, -DNO_CUBLAS, sm_90a, timed and untimed; trace/libpktrace.so; ops/: the
# dump-ops of ERNIE at 16, bundled and ra16) and cli/target/bench.jar.
# 1. kernel_check attention_rope (the fused kernel == rope_kv_write + t32 bit for bit; the first chunks' prefix copies
#    now go before the prologue, call 2 ran the version before) and compute-sanitizer memcheck / racecheck / synccheck.
# 2. A/B, three alternating runs, graph GPU p50 (choices files written by mkcand2.py before the run):
#    ERNIE at 16 / 32 / 64: bundled vs ra16 (the fused form at 1..16) vs ra64 (also 17..64): short, 2x8, 1x8+8d@512,
#    8d@2048, 16d@2048 (decode graph: unchanged), prompts of 30 / 60 tokens, 4x8, 4x16. tiny: bundled (rope fused into
#    tiny's qkv GEMM, early 64-row attention) vs rat16 (rope in the t32 attention instead): short, 2x8.
#    Prediction: ERNIE short -2..-6 % (rope_kv_write's link, 2.7 us per layer in set 171033's timeline, goes; the fused
#    attention pays one more L2 round trip for rope's input before its products: the kernel alone, without PDL, ran
#    1.2 us longer than the pair in call 2); 17..64 smaller or a loss (a tile recomputes every earlier new token's K / V:
#    up to 64 tokens per block); tiny +-2 %.
#    Rules: ra16 bundled if ERNIE short drops >= 2 % and no workload at 16 rises > 0.5 %; ra64's 17..64 row bundled if a
#    workload at 32 / 64 drops >= 1 % and none rises > 0.5 %; rat16 if tiny short drops >= 2 % and 2x8 rises <= 0.5 %.
# 3. Every GPU test (new: RopeIntoAttentionGpuTest, the fused engine == the unfused one bit for bit, ERNIE 16 / 64 and
#    tiny-bias 16, eager and graph, prompts and mixed steps; graph == eager).
# 4. The engine under memcheck with ra64 (ERNIE at 16 and 64) and rat16 (tiny-bias at 16).
# 5. CUPTI timelines of ERNIE's short prompt at 16, bundled and ra16 (per-op chain cost).
cd "$(dirname "$0")/../../.."
set -u
R=$(pwd)
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$R/cli/target/bench.jar
S=$R/results/h200-ab-20261130/s21
W=/tmp/s21c3out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc2/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
(cd /tmp && timeout $(left 40) /tmp/kernel_check attention_rope > $W/kernel-check-attention-rope.txt 2>&1; prog "kernel_check attention_rope rc=$?")
(cd /tmp && timeout $(left 30) compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention_rope > $W/memcheck-attention-rope.txt 2>&1; prog "memcheck rc=$?")
(cd /tmp && timeout $(left 60) compute-sanitizer --tool racecheck /tmp/kernel_check_nt attention_rope > $W/racecheck-attention-rope.txt 2>&1; prog "racecheck rc=$?")
(cd /tmp && timeout $(left 30) compute-sanitizer --tool synccheck /tmp/kernel_check_nt attention_rope > $W/synccheck-attention-rope.txt 2>&1; prog "synccheck rc=$?")
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base ra16 ra64; do
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,32,64 --prompts short --prompt-lens 30,60 --batch 2x8,4x8,4x16 --mix 1x8+8d@512,8d@2048,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"
  done
  for f in base rat16; do
    timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --warmup 50 --iterations 300 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/tiny-$f-$rep-$stamp.json > $W/tiny-$f-$rep.txt 2>&1 || echo "tiny $f $rep failed"
  done
  prog "ab rep $rep"; done)
JAR=$J TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,64 --prompts short --prompt-lens 60 --batch 2x8 --mix 1x8+8d@512 --warmup 1 --iterations 2 --no-progress --impl-choices $S/choices-ra64.json > $W/memcheck-engine-ernie-ra64.txt 2>&1; prog "engine memcheck ernie rc=$?")
(cd $(mktemp -d) && timeout $(left 40) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny-bias --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 --no-progress --impl-choices $S/choices-rat16.json > $W/memcheck-engine-tiny-rat16.txt 2>&1; prog "engine memcheck tiny rc=$?")
for f in base ra16; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$f.csv timeout $(left 50) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-profile --no-progress $(ch $f) > $W/timeline-run-$f.txt 2>&1) || echo "trace $f failed"
  python3 kernels/check/graph_timeline.py /tmp/pktrace-$f.csv --ops .gpu/ops/ernie-$f.txt --nodes $W/timeline-nodes-$f.csv > $W/timeline-$f.txt 2>&1 || echo "timeline $f failed"
  gzip -9f $W/timeline-nodes-$f.csv
done
prog "timelines"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s21c3out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s21c3out/res/*.json')):
    k = f.split('/')[-1].split('-')  # MODEL-TAG-REP-stamp
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s %s@%d' % (k[0], w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}, key=lambda x: (x.split()[0], int(x.split('@')[-1]), x)):
    b = med(r[(w, 'base')])
    print('%-26s base %7.1f' % (w, b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, med(r[(w, c)]), 100 * (med(r[(w, c)]) / b - 1)) for c in ('ra16', 'ra64', 'rat16') if r[(w, c)]))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
grep -E "ALL PASSED|checks failed|perf" $W/kernel-check-attention-rope.txt | grep -v '^attention rope.*OK  ' | tail -9 | cut -c1-150
for f in $W/memcheck-*.txt $W/racecheck-*.txt $W/synccheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1)"; done
for f in base ra16; do echo "== timeline $f"; grep -A12 'op of a layer' $W/timeline-$f.txt | head -14; grep -i 'span' $W/timeline-$f.txt | head -2; done
cat $W/progress.txt
