#!/bin/bash
# s21 call 6, one jar: e5e1a2c (main: v54 bundled — Llama-3.2-1B's prompts at 1..16 on the t32 form; v55's fused form as an
# option). Carry .gpu (jre; t/: tests jar of e5e1a2c + JUnit console; kc/launch_cost.xz; trace/libpktrace.so) and
# cli/target/bench.jar.
# 1. Every GPU test on this jar (its kernels are af64fba's: call 4 ran the two classes that reach v55, call 3 all of them
#    on f7d68c6 with one test's setup wrong).
# 2. The results set's core (scripts/gpu-results.sh core, SKIP_TABLE=1: no GEMM changed), then run A gated against run B
#    (CI's direction); kept only if both gate directions pass.
# 3. Probe, three alternating runs, graph GPU p50: Llama at 128, bundled vs choices-l128.json (t32 at 65..128): 8x16,
#    100-token prompt, 1x80+31d@2048. Prediction: 8x16 -1..-2 % (16-token sequences: 64 rows, two split-path tiles instead
#    of one full-path tile), the 100-token prompt +-0.5 %. Rule: bundled if one workload drops >= 1 % and none rises > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s21
W=/tmp/s21c6out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
xz -dc .gpu/kc/launch_cost.xz > /tmp/launch_cost && chmod +x /tmp/launch_cost
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J SKIP_TABLE=1 LAUNCH_COST_BIN=/tmp/launch_cost PK_TRACE_LIB=$(pwd)/.gpu/trace/libpktrace.so timeout $(left 320) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
A=$(ls $W/core/prefill-ernie-4.5-0.3b-*-a.json); Bf=$(ls $W/core/prefill-ernie-4.5-0.3b-*-b.json)
java -jar $J gate --baseline "$Bf" --current "$A" --fail-on graph > $W/gate-a-vs-b.txt 2>&1; prog "gate A vs B rc=$?"
JAR=$J TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh .gpu/t/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base l128; do
  timeout $(left 25) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 32 --max-model-len 4096 --sizes 128 --prompt-lens 100 --batch 8x16 --mix 1x80+31d@2048 --warmup 20 --iterations 100 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; prog "probe rep $rep"; done)
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/core.log
(cd /tmp && tar cJf $OUT/res.tar.xz s21c6out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s21c6out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s %s@%d' % (k[0], w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')])
    print('%-30s base %7.1f' % (w, b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, med(r[(w, c)]), 100 * (med(r[(w, c)]) / b - 1)) for c in ('l128',) if r[(w, c)]))
PY
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
zcat $W/core.log.gz | grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" | head -12; zcat $W/core.log.gz | grep -E "gate B vs A exit|gate planted exit"
tail -3 $W/gate-a-vs-b.txt
cat $W/progress.txt
