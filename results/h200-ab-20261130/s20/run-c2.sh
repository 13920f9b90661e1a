#!/bin/bash
# s20 call 2, one jar: de9fbff (the bundled rows). Carry .gpu (jre.tar.xz, trace/libpktrace.so, ops/) and cli/target/bench.jar.
# Why: call 1's candidates did not move Llama-3.2-1B's short prompt. Its attention at 16 is captured for the worst case of
# 16 one-token sequences: 16 tiles x 8 kv heads = 128 blocks of the one-block-per-SM wg forms (99 KB smem, 168 registers
# x 256) or kh, of which a 10-token prompt uses 8; ERNIE-4.5-0.3B's grid there is 16 x 2 = 32. Hypothesis: the 120 idle
# blocks, resident and waiting, hold SMs that the next GEMM's early blocks (and their weight prefetch) need, and delay its
# launch (PDL launches o only once every attention block has started). Test without code: --max-num-seqs 1 captures
# single-sequence graphs (Llama 1 x 8 attention blocks at 16, ERNIE 2 x 2; at 512 Llama 32 x 8 vs 62 x 8).
# Configs, three alternating runs each, graph GPU p50 (and host p50): Llama bundled rows at --max-num-seqs 32 (the
# default) and 1, short + long; Llama with the early form for prompts (choices-le.json) at 1; ERNIE at 32 and 1, short + long.
# Then CUPTI timelines of Llama's short at 32 and at 1 (per-op chain cost).
# Prediction: if the idle blocks cost the chain, Llama short -4..-8 % at 1 seq (attention 8.4 -> ~4-5 us per layer),
# ERNIE short -0..-2 % (32 -> 4 blocks); long +-1 % both. If nothing moves, the grid is not what Llama's attention pays.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
R=$(pwd)
S=$(pwd)/results/h200-ab-20261130/s20
W=/tmp/s20c2out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
P="--warmup 20 --iterations 200 --no-eager --no-profile --no-progress"
run1() { # tag model seqs extra...
  local tag=$1 model=$2 seqs=$3; shift 3
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $model --max-num-seqs $seqs --max-model-len 4096 --sizes 16,512 --prompts short,long $P "$@" --json $W/res/$model-$tag-$rep-$stamp.json > $W/$model-$tag-$rep.txt 2>&1 || echo "$model $tag $rep failed"
}
(cd $(mktemp -d) && for rep in 1 2 3; do
  run1 s32 llama-3.2-1b 32; run1 s1 llama-3.2-1b 1; run1 le1 llama-3.2-1b 1 --impl-choices $S/choices-le.json
  run1 s32 ernie-4.5-0.3b 32; run1 s1 ernie-4.5-0.3b 1
  prog "ab rep $rep"; done)
for seqs in 32 1; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-s$seqs.csv timeout $(left 60) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs $seqs --max-model-len 4096 --sizes 16 --prompts short --warmup 10 --iterations 60 --no-eager --no-profile --no-progress > $W/timeline-run-llama-s$seqs.txt 2>&1) || echo "trace $seqs failed"
  python3 kernels/check/graph_timeline.py /tmp/pktrace-s$seqs.csv --ops .gpu/ops/llama-s$seqs.txt --nodes $W/timeline-nodes-llama-s$seqs.csv > $W/timeline-llama-s$seqs.txt 2>&1 || echo "timeline $seqs failed"
  gzip -9f $W/timeline-nodes-llama-s$seqs.csv
  prog "trace $seqs"
done
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-after.txt 2>&1
cp $W/timeline-llama-*.txt $W/timeline-nodes-*.gz $OUT/ 2>/dev/null
(cd /tmp && tar cJf $OUT/res.tar.xz s20c2out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list); h = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s20c2out/res/*.json')):
    k = f.split('/')[-1].rsplit('-', 4)  # model, tag, rep, date, time
    d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g:
            key = (k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])
            r[key].append(g['gpuNs']['p50'] / 1e3); h[key].append(g['hostNs']['p50'] / 1e3 if 'hostNs' in g else float('nan'))
med = statistics.median
for (m, w) in sorted({k[:2] for k in r}):
    b = med(r[(m, w, 's32')])
    print('%-15s %-9s s32 %7.1f' % (m, w, b) + ''.join('  %s %7.1f (%+.1f%%)' % (c, med(r[(m, w, c)]), 100 * (med(r[(m, w, c)]) / b - 1)) for c in ('s1', 'le1') if r[(m, w, c)])
          + '   host: ' + ' '.join('%s %.1f' % (c, med(h[(m, w, c)])) for c in ('s32', 's1', 'le1') if h[(m, w, c)]))
PY
for seqs in 32 1; do echo "== timeline s$seqs"; grep -A12 'op of a layer' $W/timeline-llama-s$seqs.txt | head -14; done
tail -1 $W/progress.txt
