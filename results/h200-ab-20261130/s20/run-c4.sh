#!/bin/bash
# s20 call 4, one jar: de9fbff (the bundled rows). Carry .gpu (jre.tar.xz, trace/libpktrace.so, ops/) and cli/target/bench.jar.
# Why: attention is the largest link at 16 in every preset (ERNIE-4.5-0.3B 4.2 us per layer, Llama-3.2-1B 8.4, tiny
# ~4.5) while its work for a 10-token prompt is one page of keys. A tile holds 64 rows (token x q head of the group);
# rows past the last full tile form a tile of < 32 rows, which runs the split path (attention.cu's decode path),
# the others the full path. ERNIE's short prompt (group 8: 80 rows) is one full tile + one 16-row split tile, Llama's
# (group 4: 40 rows) one full tile, tiny's (group 2: 20 rows) one split tile. Which path sets the link's cost?
# Runs (no choices; three alternating runs, graph GPU p50 at size 16): single prompts of 2, 4, 7, 8, 9, 10, 12, 16
# tokens. ERNIE: 8 tokens = exactly one full tile, 9-11 add a split tile (8-24 rows), 12+ a second full tile
# (+ split). Llama: 7 tokens = 28 rows (split), 8-16 full. Tiny: 2-15 split, 16 full.
# Then CUPTI timelines of ERNIE's 8- and 10-token prompts (attention's increment per layer).
# Prediction: if the split-path tile is the slow one, ERNIE 8 tokens ~1.5-2 us per layer cheaper than 9-10 (-5 %);
# otherwise within 1 %.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
R=$(pwd)
W=/tmp/s20c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
P="--max-num-seqs 32 --max-model-len 4096 --sizes 16 --prompt-lens 2,4,7,8,9,10,12,16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress"
(cd $(mktemp -d) && for rep in 1 2 3; do for model in ernie-4.5-0.3b llama-3.2-1b tiny; do
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $model $P --json $W/res/$model-lens-$rep-$stamp.json > $W/$model-lens-$rep.txt 2>&1 || echo "$model $rep failed"
done; prog "rep $rep"; done)
for len in 8 10; do
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-l$len.csv timeout $(left 60) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model ernie-4.5-0.3b --max-num-seqs 32 --max-model-len 4096 --sizes 16 --prompt-lens $len --warmup 10 --iterations 60 --no-eager --no-profile --no-progress > $W/timeline-run-ernie-l$len.txt 2>&1) || echo "trace $len failed"
  python3 kernels/check/graph_timeline.py /tmp/pktrace-l$len.csv --ops .gpu/ops/ernie-4.5-0.3b-s32.txt --nodes $W/timeline-nodes-ernie-l$len.csv > $W/timeline-ernie-l$len.txt 2>&1 || echo "timeline $len failed"
  gzip -9f $W/timeline-nodes-ernie-l$len.csv
  prog "trace $len"
done
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > $W/host-after.txt 2>&1
cp $W/timeline-ernie-*.txt $W/timeline-nodes-*.gz $OUT/ 2>/dev/null
(cd /tmp && tar cJf $OUT/res.tar.xz s20c4out)
python3 - <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s20c4out/res/*.json')):
    m = f.split('/')[-1].rsplit('-', 4)[0]
    for w in json.load(open(f))['workloads']:
        if w.get('graph'): r[(m, w['tokens'])].append(w['graph']['gpuNs']['p50'] / 1e3)
for m in ('ernie-4.5-0.3b', 'llama-3.2-1b', 'tiny'):
    print('%-15s ' % m + '  '.join('%d: %.1f' % (t, statistics.median(r[(m, t)])) for t in sorted(t for (mm, t) in r if mm == m)))
PY
for len in 8 10; do echo "== timeline l$len"; grep -A14 'op of a layer' $W/timeline-ernie-l$len.txt | grep -E 'attention|rope|^\| o ' ; done
tail -1 $W/progress.txt
