#!/bin/bash
# s18 call 3, one jar: v27 = 172489b (the bundled rows). Carry .gpu/jre-s.tar.xz and .gpu/s18/c2 (call 2's carry).
# Call 2's streaml2: Llama's gate_up at m = 16 on the streaming kernel runs 28.5 us alone cold and 24.3 hot (2.4 / 2.8
# TB/s): from L2 it is not much faster, so its limit is the kernel's own rate (NOTES-gemm-stream: cp.async from 128
# threads caps a block at ~17-41 GB/s by stage size; TMA boxes of 16 KB reach 59-69). In the chain it costs 17.2 us per
# layer because half its streaming overlaps the kernels before it. Candidates (rows at 16 only), three alternating runs,
# graph GPU p50, Llama short@16, 2x8@16, 16d@2048@16:
#   tg  gate_up on the TMA tile gemm_bf16_tma_64x128s9 with SiLU fused (128 blocks, one wave, 16 KB weight boxes)
#   td  down on gemm_bf16_tma_64x128s9 split 8 (128 blocks) into the next norm;  tgd both
# Prediction (written before the run): gate_up's chain cost 17 -> ~12 us, but the TMA kernel triggers its dependents
# after its main loop (down loses its pre-wait prefetch under gate_up, ~2-3 us) and its 222 KB blocks wait for the SM's
# other blocks to leave: tg -3..-5 % on short, td +-2 %, tgd -3..-6 %. Rule: bundled (after a graph == eager GPU test at
# 16) if short drops >= 2 % and no workload rises > 0.5 %. Then the in-graph timeline of tgd at 16.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c2; J=/tmp/s18c3; rm -rf $J /tmp/s18c3out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v27; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
S=$(pwd)/results/h200-ab-20261130/s18
W=/tmp/s18c3out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v27.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do
  for f in base tg td tgd; do timeout $(left 30) $B prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"; done
  prog "ab rep $rep"; done)
m=llama-3.2-1b
(cd $(mktemp -d) && LD_LIBRARY_PATH=/tmp/tr:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$m.csv \
  timeout $(left 60) $B prefill --model $m --max-num-seqs 16 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-progress $(ch tgd) > $W/timeline-run-$m.txt 2>&1; prog "traced $m rc=$?")
$B plan --model $m --max-num-seqs 16 --sizes 16 $(ch tgd) --dump-ops /tmp/pkops-$m.txt > /dev/null 2>&1
python3 kernels/check/graph_timeline.py /tmp/pktrace-$m.csv --ops /tmp/pkops-$m.txt --nodes $W/timeline-nodes-$m.csv > $W/timeline-$m-tgd.txt 2>&1 || echo "timeline $m failed"
gzip -9f $W/timeline-nodes-$m.csv
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s18c3out)
sed -n '/op of a layer/,/^$/p' $W/timeline-$m-tgd.txt | head -14; grep -E '^\| \*\*all' $W/timeline-$m-tgd.txt
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s18c3out/res/*.json')):
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
