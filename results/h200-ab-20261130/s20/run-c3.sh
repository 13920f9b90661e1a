#!/bin/bash
# s20 call 3, one jar: de9fbff (the bundled rows). Carry .gpu (jre.tar.xz, trace/libpktrace.so, ops/) and cli/target/bench.jar.
# Why: call 2 put ERNIE-4.5-0.3B's short prompt 2.2 % faster (GPU; host 3.3 %) when captured for one sequence
# (--max-num-seqs 1) than for 32, and Llama-3.2-1B's 5.2 % slower. At 16 a one-sequence plan differs in two places: the
# attention grid (ERNIE 2 x 2 blocks instead of 16 x 2) and the head ops (final norm, LM head, argmax on 1 row instead
# of 16). Which one is the gain, and does it reach sizes 32 / 64 and tiny?
# Runs, three alternating each, graph GPU p50: ERNIE short + 2x8 at --max-num-seqs 32 and 2 (attention 3 x 2, head on 2
# rows), short at 1; tiny short at 32 and 1; ERNIE single prompts of 30 and 60 tokens (sizes 32, 64) at 32 and 1.
# Then CUPTI timelines of ERNIE's short at 32 and at 1 (per-op chain cost, the head ops included).
# Prediction: the attention grid is most of it (~0.4 us per layer, ~8 us) and the head ~2 us; s2 within 0.5 % of s1.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
R=$(pwd)
W=/tmp/s20c3out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
P="--max-model-len 4096 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress"
run1() { # tag model seqs args...
  local tag=$1 model=$2 seqs=$3; shift 3
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $model --max-num-seqs $seqs $P "$@" --json $W/res/$model-$tag-$rep-$stamp.json > $W/$model-$tag-$rep.txt 2>&1 || echo "$model $tag $rep failed"
}
(cd $(mktemp -d) && for rep in 1 2 3; do
  run1 s32 ernie-4.5-0.3b 32 --sizes 16 --prompts short --batch 2x8
  run1 s2 ernie-4.5-0.3b 2 --sizes 16 --prompts short --batch 2x8
  run1 s1 ernie-4.5-0.3b 1 --sizes 16 --prompts short
  run1 s32 tiny 32 --sizes 16 --prompts short
  run1 s1 tiny 1 --sizes 16 --prompts short
  run1 p32 ernie-4.5-0.3b 32 --sizes 32,64 --prompt-lens 30,60
  run1 p1 ernie-4.5-0.3b 1 --sizes 32,64 --prompt-lens 30,60
  prog "ab rep $rep"; done)
for seqs in 32 1; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-e$seqs.csv timeout $(left 60) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs $seqs --max-model-len 4096 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-profile --no-progress > $W/timeline-run-ernie-s$seqs.txt 2>&1) || echo "trace $seqs failed"
  python3 kernels/check/graph_timeline.py /tmp/pktrace-e$seqs.csv --ops .gpu/ops/ernie-4.5-0.3b-s$seqs.txt --nodes $W/timeline-nodes-ernie-s$seqs.csv > $W/timeline-ernie-s$seqs.txt 2>&1 || echo "timeline $seqs failed"
  gzip -9f $W/timeline-nodes-ernie-s$seqs.csv
  prog "trace $seqs"
done
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-after.txt 2>&1
cp $W/timeline-ernie-*.txt $W/timeline-nodes-*.gz $OUT/ 2>/dev/null
(cd /tmp && tar cJf $OUT/res.tar.xz s20c3out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list); h = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s20c3out/res/*.json')):
    k = f.split('/')[-1].rsplit('-', 4)
    d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g:
            key = (k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])
            r[key].append(g['gpuNs']['p50'] / 1e3); h[key].append(g['hostNs']['p50'] / 1e3)
med = statistics.median
for (m, w) in sorted({k[:2] for k in r}):
    tags = sorted({k[2] for k in r if k[:2] == (m, w)}, key=lambda t: -int(t[1:]))
    b = med(r[(m, w, tags[0])])
    print('%-15s %-12s %s %7.1f' % (m, w, tags[0], b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, med(r[(m, w, c)]), 100 * (med(r[(m, w, c)]) / b - 1)) for c in tags[1:])
          + '   host: ' + ' '.join('%s %.1f' % (c, med(h[(m, w, c)])) for c in tags) + '   [' + ' | '.join(' '.join('%.1f' % x for x in r[(m, w, c)]) for c in tags) + ']')
PY
for seqs in 32 1; do echo "== timeline s$seqs"; grep -B1 -A14 'op of a layer' $W/timeline-ernie-s$seqs.txt | head -16; grep -E '^\| (tile map|embed|final norm|argmax|gemm \(ours, stream\)) ' $W/timeline-ernie-s$seqs.txt; done
tail -1 $W/progress.txt
