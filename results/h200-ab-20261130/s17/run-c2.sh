#!/bin/bash
# s17 call 2, one jar: v20 = 41cb27c (call 1's rows bundled: tiny unsplit + fused at 16, Llama-3.2-1B fused at 16 and
# half-width at 32; fusion rows naming GEMM shapes). Carry .gpu/jre-s.tar.xz and .gpu/s17/c2 (jars.tar.xz = v20 and the
# JUnit console unpacked; the tests jar; libcupti / libpktrace for the in-graph timeline).
# 1. Every GPU test on v20 (the new one: the shape-scoped fusions == the unfused forward bit for bit, tiny-bias and Llama).
# 2. In-graph timelines (CUPTI) of tiny and Llama-3.2-1B at 16: where tiny's ~50 us and Llama's ~955 us go, per op.
# 3. Candidates, three alternating runs, graph GPU p50:
#    tiny base / twg (its attention at 1..16 on attention_prefill_wg, ERNIE's form there, instead of the 8-warp kh form)
#    Llama short@16 base / lsn (gate_up on the half-width kernel unsplit, 512 blocks, SiLU fused in its epilogue: the
#    v40 form, no fixup, instead of the plain kernel's fixup form on 256 blocks)
#    Predictions: twg within +-1 us (tiny's attention is a short tile either way); lsn -1..-2 % (v40 on ERNIE at 32: -4 %).
#    Rule (written before this run): bundled if graph GPU p50 drops >= 1 % and no measured workload rises > 0.5 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c2; J=/tmp/s17c2; rm -rf $J /tmp/s17c2out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v20 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
S=$(pwd)/results/h200-ab-20261130/s17
W=/tmp/s17c2out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v20.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
# 3. candidates first (the decision), then the timelines, then the tests
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base twg; do timeout $(left 30) $B prefill --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/tiny-$f-$rep-$stamp.json > $W/tiny-$f-$rep.txt 2>&1 || echo "tiny $f $rep failed"; done
  for f in base lsn; do timeout $(left 30) $B prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16 --prompts short --batch 2x8 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"; done
  prog "ab rep $rep"; done)
# 2. timelines
for m in tiny llama-3.2-1b; do
  (cd $(mktemp -d) && LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$m.csv \
    timeout $(left 60) $B prefill --model $m --max-num-seqs 16 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-progress > $W/timeline-run-$m.txt 2>&1; prog "traced $m rc=$?")
  $B plan --model $m --max-num-seqs 16 --sizes 16 --dump-ops /tmp/pkops-$m.txt > /dev/null 2>&1
  python3 kernels/check/graph_timeline.py /tmp/pktrace-$m.csv --ops /tmp/pkops-$m.txt --nodes $W/timeline-nodes-$m.csv > $W/timeline-$m.txt 2>&1 || echo "timeline $m failed"
  gzip -9f $W/timeline-nodes-$m.csv
done
# 1. GPU tests
JAR=$J/v20.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 250) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c2out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
for m in tiny llama-3.2-1b; do sed -n '/op of a layer/,/^$/p' $W/timeline-$m.txt | head -14; grep -E '^\| \*\*all' $W/timeline-$m.txt; done
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s17c2out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g:
            for t in ('gpu', 'host'):
                r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), t, k[1])].append(g[t + 'Ns']['p50'] / 1e3)
for (a, w, t) in sorted({k[:3] for k in r}):
    for c in sorted({k[3] for k in r if k[:3] == (a, w, t)}):
        v = r[(a, w, t, c)]
        print('%-6s %-14s %-4s %-5s %8.1f   %s' % (a, w, t, c, statistics.median(v), ' '.join('%.1f' % x for x in v)))
PY
tail -4 $W/progress.txt
