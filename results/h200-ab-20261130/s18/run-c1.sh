#!/bin/bash
# s18 call 1, one jar: v26 = 78478cd (the bundled rows of 291de0a; new: l2_prefetch_rows / _early, an L2 prefetch op in
# the main PDL chain, reached by prefetchAhead rows). Carry .gpu/jre-s.tar.xz and .gpu/s18/c1 (jars.tar.xz = v26 and the
# JUnit console unpacked; the tests jar; libcupti / libpktrace for the in-graph timeline).
# Why: s17 call 2's timeline of Llama-3.2-1B at 16: gate_up + SiLU 17.2 us per layer for 67 MB (3.9 TB/s), qkv + rope 6.2
# for 12.6 MB (2.0 TB/s), while attention (8.4), o (2.1) and the norms (~3 each) leave DRAM nearly idle: ~14 us per layer
# in which DRAM could move ~60 MB. Pull the next GEMM's weights into L2 there.
# 1. The new GPU test (prefetch rows change no bit, graph == eager; Llama and ERNIE at 16 and 32).
# 2. Candidates, three alternating runs, graph GPU p50 (rows at 1..64; ERNIE's at 1..128):
#    Llama short@16, 4x8@32, 4x16@64, 16d@2048@16:
#      lg5  gate_up's first half of every row before attention (issued once qkv completed)
#      lg5e as lg5 issued at entry (while qkv streams)
#      lg5q lg5 + qkv whole before the input norm (issued once down completed)
#      lg8q lg5q with 0.8 of each gate_up row;  lg5o lg5q with the gate_up prefetch before o (after attention)
#    ERNIE short@16, 4x16@64, 8x16@128, 16d@2048@16: eq (gate_up and qkv whole, before attention / the input norm)
#    Predictions (written before the run): Llama short lg5 -5..-8 % (gate_up 17.2 -> ~11 us per layer), lg5q another
#    -1..-2 % (qkv 6.2 -> ~4.5), lg8q within 1 % of lg5q (L2 holds 60 MB, the stream evicts what it read), lg5e worse
#    than lg5 (it competes with qkv, on the critical path), lg5o between lg5 and none; 32 / 64 about as 16; 16d@2048:
#    attention reads ~64 MB of KV per layer there, so the prefetch competes: 0..+5 %. ERNIE eq: +-1 % at 16 / 64 (the
#    streaming GEMMs hold their whole slices in shared memory before the wait already), 8x16 -1..-2 %.
#    Rule: a candidate is bundled for a model if its short (or 8x16 for ERNIE) drops >= 2 % and no workload rises > 0.5 %.
# 3. In-graph timeline (CUPTI) of Llama-3.2-1B at 16 with lg5q: where the time moved, per op.
# 4. memcheck of the engine with lg5e and lg5q rows (ERNIE eq at 16: the same kernels, a faster model).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c1; J=/tmp/s18c1; rm -rf $J /tmp/s18c1out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v26 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
S=$(pwd)/results/h200-ab-20261130/s18
W=/tmp/s18c1out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v26.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
# 1. the new GPU test
JAR=$J/v26.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 90) bash scripts/gpu-tests.sh $J/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --include-methodname '.*prefetchRowsChangeNoBit.*' > $W/gpu-test-prefetch.log 2>&1
prog "gpu test rc=$?"; rm -rf $W/junit-gpu
# 2. candidates
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base lg5 lg5e lg5q lg8q lg5o; do timeout $(left 30) $B prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16,32,64 --prompts short --batch 4x8,4x16 --mix 16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"; done
  for f in base eq; do timeout $(left 30) $B prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,64,128 --prompts short --batch 4x16,8x16 --mix 16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"; done
  prog "ab rep $rep"; done)
# 3. timeline
m=llama-3.2-1b
(cd $(mktemp -d) && LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$m.csv \
  timeout $(left 60) $B prefill --model $m --max-num-seqs 16 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-progress $(ch lg5q) > $W/timeline-run-$m.txt 2>&1; prog "traced $m rc=$?")
$B plan --model $m --max-num-seqs 16 --sizes 16 $(ch lg5q) --dump-ops /tmp/pkops-$m.txt > /dev/null 2>&1
python3 kernels/check/graph_timeline.py /tmp/pktrace-$m.csv --ops /tmp/pkops-$m.txt --nodes $W/timeline-nodes-$m.csv > $W/timeline-$m-lg5q.txt 2>&1 || echo "timeline $m failed"
gzip -9f $W/timeline-nodes-$m.csv
# 4. memcheck
for f in lg5e lg5q; do (cd $(mktemp -d) && timeout $(left 100) compute-sanitizer --tool memcheck --target-processes all $B prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16 --prompts short --batch 2x8 $(ch $f) --warmup 1 --iterations 2 --no-progress > $W/memcheck-llama-$f.txt 2>&1; prog "memcheck $f rc=$?"); done
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s18c1out)
grep -E "tests (successful|failed)|✘" $W/gpu-test-prefetch.log | head -4
grep -h 'ERROR SUMMARY' $W/memcheck-*.txt
sed -n '/op of a layer/,/^$/p' $W/timeline-$m-lg5q.txt | head -14; grep -E '^\| \*\*all' $W/timeline-$m-lg5q.txt
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s18c1out/res/*.json')):
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
