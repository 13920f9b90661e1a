#!/bin/bash
# s18 call 2, one jar: v27 = 172489b (v26 + l2_prefetch_lines / _lines_early: one prefetch.global.L2::evict_last per
# 128-byte line instead of bulk requests; kernel_check streaml2). Carry .gpu/jre-s.tar.xz and .gpu/s18/c2 (jars.tar.xz =
# v27 and the JUnit console unpacked; the tests jar; kernel_check built here for sm_90a; libcupti / libpktrace).
# Call 1 (bulk prefetch ops) lost everywhere: each op cost the chain ~5 us, and gate_up with half of every row in L2 was
# only 0.8 us faster per layer. Two questions:
# 1. kernel_check streaml2: are the streaming GEMMs at m = 16 DRAM-bound? Llama's qkv / o / gate_up / down shapes cold,
#    after a line prefetch of the whole weight, and hot. Prediction: gate_up (67 MB, 17 us in the chain: 3.9 TB/s) is
#    DRAM-bound, hot ~2x faster on its 33.5 MB half (which fits L2); qkv and o within 20 % (their time is fixed cost).
# 2. Line prefetches are plain memory instructions nothing waits on: the op's chain cost should fall to an empty link's
#    (~0.5 us). Candidates, three alternating runs, graph GPU p50 (rows at 1..64), Llama short@16, 4x8@32, 16d@2048@16:
#      ll5e gate_up's first half of every row before attention, lines issued at entry; ll5 the same after the wait;
#      ll5qe ll5e + qkv whole before the input norm (lines at entry); ll8e ll5e with 0.8 of every row.
#    Prediction: if (1) shows gate_up hot ~2x faster, ll5e -3..-6 % on short; if not, +0.5..+1 % (the link).
#    Rule: bundled for Llama if its short drops >= 2 % and no workload rises > 0.5 %.
# 3. The GPU test on the line kernels (ERNIE's case runs them). 4. Timeline of Llama at 16 with ll5e.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c2; J=/tmp/s18c2; rm -rf $J /tmp/s18c2out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v27 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
xz -dc $C/kernel_check.xz > $J/kernel_check && chmod +x $J/kernel_check
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
S=$(pwd)/results/h200-ab-20261130/s18
W=/tmp/s18c2out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v27.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
# 1. streaml2
timeout $(left 60) $J/kernel_check streaml2 > $W/kernel-check-streaml2.txt 2>&1; prog "streaml2 rc=$?"
# 3. GPU test
JAR=$J/v27.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 90) bash scripts/gpu-tests.sh $J/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --include-methodname '.*prefetchRowsChangeNoBit.*' > $W/gpu-test-prefetch.log 2>&1
prog "gpu test rc=$?"; rm -rf $W/junit-gpu
# 2. candidates
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base ll5e ll5 ll5qe ll8e; do timeout $(left 30) $B prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16,32 --prompts short --batch 4x8 --mix 16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"; done
  prog "ab rep $rep"; done)
# 4. timeline
m=llama-3.2-1b
(cd $(mktemp -d) && LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$m.csv \
  timeout $(left 60) $B prefill --model $m --max-num-seqs 16 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-progress $(ch ll5e) > $W/timeline-run-$m.txt 2>&1; prog "traced $m rc=$?")
$B plan --model $m --max-num-seqs 16 --sizes 16 $(ch ll5e) --dump-ops /tmp/pkops-$m.txt > /dev/null 2>&1
python3 kernels/check/graph_timeline.py /tmp/pktrace-$m.csv --ops /tmp/pkops-$m.txt --nodes $W/timeline-nodes-$m.csv > $W/timeline-$m-ll5e.txt 2>&1 || echo "timeline $m failed"
gzip -9f $W/timeline-nodes-$m.csv
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s18c2out)
grep -E "^(qkv|o|gate_up|down)" $W/kernel-check-streaml2.txt
grep -E "tests (successful|failed)|✘" $W/gpu-test-prefetch.log | head -4
sed -n '/op of a layer/,/^$/p' $W/timeline-$m-ll5e.txt | head -14; grep -E '^\| \*\*all' $W/timeline-$m-ll5e.txt
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s18c2out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
for (a, w) in sorted({k[:2] for k in r}):
    cs = sorted({k[2] for k in r if k[:2] == (a, w)}, key=lambda c: (c != 'base', c))
    b = statistics.median(r[(a, w, 'base')]) if (a, w, 'base') in r else None
    print('%-6s %-16s ' % (a, w) + '  '.join('%s %.1f%s' % (c, statistics.median(r[(a, w, c)]),
          '' if c == 'base' or b is None else ' (%+.1f%%)' % (100 * (statistics.median(r[(a, w, c)]) / b - 1))) for c in cs))
PY
tail -1 $W/progress.txt
