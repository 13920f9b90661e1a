#!/bin/bash
# s31 call 4, jar v90 (as call 3). Call 3 found ERNIE short's GPU p50 5.3-5.6 us lower with --max-model-len 64 than with
# the default 4096 (414.7 -> 409.2 us, two pairs), tiny's unchanged (+-0.3 us): not the metadata copy-in (same kernel,
# same copy in both presets), so something else that scales with max-model-len: the KV cache (ERNIE: 18 layers x K/V x
# 32 seqs x 4096 tokens x 2 heads x 64 x 2 B = 1.2 GB, each layer's K or V 33.5 MB apart; 19 MB at 64) or the RoPE table.
# This call asks where (the in-graph timeline of both) and how it scales:
# 1. traced ERNIE short at --sizes 16, --max-model-len 4096 and 64: per-op increments of each.
# 2. untraced ERNIE short at --sizes 16: --max-model-len 4096, 1024, 256, 64, two rounds in alternating order.
# 3. Llama-3.2-1B short at --sizes 16 (KV 4.3 GB at 4096): 4096 vs 64, two pairs; ERNIE long at --sizes 512: 4096 vs
#    512, two pairs.
# Prediction (written before the run): the difference sits in the ops that touch the KV cache — rope_kv_write (writes
# K/V) and attention (reads them) — ~0.3 us a layer, from address translation: each layer's pages live in their own
# 2 MB regions 33.5 MB apart, so every layer's first K/V access misses the SM's TLB; GEMMs and norms within +-0.1 us.
# ERNIE short GPU p50 ordered 4096 > 1024 > 256 ~ 64 (the span of a layer's caches against TLB reach); Llama short
# -5..-10 us at 64; ERNIE long -3..-6 us at 512. If instead the GEMMs move, it is the weights' placement (alignment
# after the cache), not translation.
# Carry .gpu/jre.tar.xz, .gpu/s31/v90.jar, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s31/v90.jar; TL=$R/.gpu/trace/libpktrace.so
W=/tmp/s31c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
cd $(mktemp -d)
P="java --enable-native-access=ALL-UNNAMED -jar $J"
$P plan --sizes 16 --dump-ops $W/ops16.txt > /dev/null
for len in 4096 64; do
  LD_LIBRARY_PATH="$(dirname $TL):$LD_LIBRARY_PATH" CUDA_INJECTION64_PATH=$TL PK_TRACE_OUT=/tmp/trace-$len.csv timeout $(left 60) \
    $P prefill --sizes 16 --prompts short --max-model-len $len --warmup 10 --iterations 60 --no-progress > $W/traced-$len.txt 2>&1 || echo "traced $len failed"
  python3 $R/kernels/check/graph_timeline.py /tmp/trace-$len.csv --ops $W/ops16.txt --nodes $W/res/nodes-$len.csv > $W/timeline-$len.txt 2>&1 || echo "timeline $len failed"
  prog "traced $len"
done
run1() {  # $1 out json, rest: prefill options
  local out=$1; shift
  timeout $(left 40) $P prefill --prompts short --warmup 100 --iterations 300 --no-progress "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
for rep in 1 2; do
  lens="4096 1024 256 64"; [ $rep = 2 ] && lens="64 256 1024 4096"
  for len in $lens; do run1 $W/res/ernie-short-$len-$rep.json --sizes 16 --max-model-len $len; done
  prog "ernie short round $rep"
done
for rep in 1 2; do
  lens="4096 64"; [ $rep = 2 ] && lens="64 4096"
  for len in $lens; do run1 $W/res/llama-short-$len-$rep.json --model llama-3.2-1b --sizes 16 --max-model-len $len; done
  lens="4096 512"; [ $rep = 2 ] && lens="512 4096"
  for len in $lens; do
    timeout $(left 40) $P prefill --prompts long --warmup 30 --iterations 300 --no-progress --sizes 512 --max-model-len $len \
      --json $W/res/ernie-long-$len-$rep.json > $W/res/ernie-long-$len-$rep.txt 2>&1 || echo "long $len failed"
  done
  prog "llama / long pair $rep"
done
python3 - $W > $W/table.txt <<'PY'
import csv, glob, json, os, sys, statistics as st, collections
w = sys.argv[1]
print('GPU p50 / graph host p50 (us) by --max-model-len')
for f in sorted(glob.glob(os.path.join(w, 'res', '*.json'))):
    j = json.load(open(f)); x = j['workloads'][0]
    print('%-22s graph gpu %8.2f host %8.2f | eager gpu %8.2f' % (os.path.basename(f)[:-5], x['graph']['gpuNs']['p50'] / 1e3,
          x['graph']['hostNs']['p50'] / 1e3, x['eager']['gpuNs']['p50'] / 1e3))
print('per-op increments, ERNIE short at 16 (us, summed over the graph\'s nodes of that op name, median replay): 4096 -> 64')
def per_op(path):
    rows = list(csv.DictReader(open(path)))
    g0 = rows[0]['graph']  # the first graph (the prompt's); others (if any) are other batch kinds
    d = collections.defaultdict(float)
    for r in rows:
        if r['graph'] == g0: d[r['op'].split('.')[-1] if r['op'] else r['name']] += float(r['inc_us'])
    return d, 'inc_us'
try:
    a, inc = per_op(os.path.join(w, 'res', 'nodes-4096.csv')); b, _ = per_op(os.path.join(w, 'res', 'nodes-64.csv'))
    for k in sorted(a, key=lambda k: a[k] - b.get(k, 0), reverse=True):
        print('%-28s %9.2f %9.2f %+8.2f' % (k, a[k], b.get(k, 0), b.get(k, 0) - a[k]))
except Exception as e:
    print('per-op table failed:', e)
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s31c4out)
cat $W/table.txt
cat $W/progress.txt
