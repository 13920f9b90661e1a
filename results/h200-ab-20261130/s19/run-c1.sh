#!/bin/bash
# s19 call 1, one jar: v33 = b64a928 (HEAD's forward; the bundled rows). Carry .gpu/jre-s.tar.xz and .gpu/s19/c1
# (jars.tar.xz = v33 and the JUnit console unpacked; libcupti / libpktrace for the in-graph timeline).
# Why: the seventeenth session's timeline of ERNIE-4.5-0.3B at 16 (set 131019): per layer qkv 1.79 us + rope_kv 2.62 in
# the chain; v49's unsplit rope form (gemm_bf16_stream_mXX_rope1: rope on the block's own accumulators, no partial
# round trip) took 1.0 us off tiny's qkv + rope alone and ERNIE's shape ran 5.49 vs 6.43 us alone (s18 call 5), but
# ERNIE's qkv runs the half-width n32 kernel at four splits (160 blocks), which has no rope form (rope needs whole heads).
# Candidates (rows written before the run, choices-*.json here), three alternating runs, graph GPU p50:
#   er1  qkv at 1..16 on the plain m16 kernel, one split, rope fused: gemm_bf16_stream_m16_rope1, 20 blocks
#   er2  qkv at 1..16 on the plain m16 kernel, two splits, rope fused: the fixup form _rope, 40 blocks
#   er1w er1, and the m32 / m64 _rope1 forms at 17..32 / 33..64
#   eq1  qkv at 81..128 on the 64 x 64 TMA tile unsplit (rope then reads bf16): a probe of what a rope epilogue on the
#        TMA tile would start from
# Workloads: short, 2x8, 16d@2048 (bucket 16), 4x8 (32), 4x16 (64), 8x16 (128).
# Predictions: er1 qkv + rope 4.4 -> ~3.2 us per layer: short and 2x8 -4 %, 16d@2048 -2.5 %; er2 -1..-2 % (v10.1's
# fixup won 15 us in the harness chain, nothing measurable end to end); er1w at 32 / 64: 20 blocks hold 64-row tiles,
# -1..+3 %; eq1 8x16 +1..+2 % (qkv at 40 blocks instead of 80).
# Rule: a candidate is bundled if its own buckets' prompts (short / 2x8; 4x8 / 4x16 for er1w) drop >= 1 % and no
# workload rises > 0.5 %; eq1 is a probe and is not bundled by itself.
# Then: the in-graph timeline (CUPTI) of ERNIE at 16 with er1 (where the time moved, per op).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s19/c1; J=/tmp/s19c1; rm -rf $J /tmp/s19c1out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v33; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
S=$(pwd)/results/h200-ab-20261130/s19
W=/tmp/s19c1out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v33.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base er1 er2 er1w eq1; do timeout $(left 40) $B prefill --model ernie-4.5-0.3b --max-num-seqs 16 --max-model-len 4096 --sizes 16,32,64,128 --prompts short --batch 2x8,4x8,4x16,8x16 --mix 16d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"; done
  prog "ab rep $rep"; done)
m=ernie-4.5-0.3b
(cd $(mktemp -d) && LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$m.csv \
  timeout $(left 60) $B prefill --model $m --max-num-seqs 16 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-progress $(ch er1) > $W/timeline-run-$m.txt 2>&1; prog "traced $m rc=$?")
$B plan --model $m --max-num-seqs 16 --sizes 16 $(ch er1) --dump-ops /tmp/pkops-$m.txt > /dev/null 2>&1
python3 kernels/check/graph_timeline.py /tmp/pktrace-$m.csv --ops /tmp/pkops-$m.txt --nodes $W/timeline-nodes-$m.csv > $W/timeline-$m-er1.txt 2>&1 || echo "timeline $m failed"
gzip -9f $W/timeline-nodes-$m.csv
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s19c1out)
sed -n '/op of a layer/,/^$/p' $W/timeline-$m-er1.txt | head -14; grep -E '^\| \*\*all' $W/timeline-$m-er1.txt
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s19c1out/res/*.json')):
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
