#!/bin/bash
# RAN ONCE, NO RESULT: the call hit its 300 s limit with no output (each ncu run profiled every launch, --launch-count
# 400, past its 100 s limit; the outer `tail` held the partial lines). Kept as run; kernels/NOTES-forward.md says what to change.
# s15 call 6, jar v16 = 50c75c7: why the early attention form loses on decodes over 2048 cached tokens at bucket 16 (call 5:
# 8d@2048 +7.8 %, 16d@2048 +10.5 %) and wins on 1x8+8d@512 (-5 %). Hypothesis (written before this run): its prefix
# prefetch, issued before the PDL wait while rope / qkv still run, brings pages into L2 that are evicted before use and
# read again, so the graph reads more DRAM bytes than the late form's. ncu over whole graph replays (--graph-profiling
# graph, caches not flushed between replays, so the L2 holds what the previous replay left, as in the timed loop): DRAM
# bytes read / written, L2 read sectors and misses, per replay, base (late form at 16) vs e16 (early form at 16), for
# 16d@2048 and 1x8+8d@512. Prediction: e16 reads >= 10 % more DRAM bytes at 16d@2048 and about the same at 1x8+8d@512.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s15/c5; J=/tmp/s15c6; rm -rf $J /tmp/s15c6out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
python3 scripts/gpu/rejar.py $J/x/v16 $J/v16.jar > /dev/null
W=/tmp/s15c6out; mkdir -p $W; s=$(date +%s); R=$PWD/results/h200-ab-20261130/s15
NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
el() { echo $(( $(date +%s)-s )); }
M=dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_op_read.sum,lts__t_sectors_op_read_lookup_miss.sum,gpu__time_duration.sum
(cd $(mktemp -d) && for mix in 16d@2048 1x8+8d@512; do for v in base e16; do
  x=""; [ $v = e16 ] && x="--impl-choices $R/choices-e16.json"
  timeout 100 $NCU --target-processes all --graph-profiling graph --cache-control none --launch-count 400 --metrics $M --csv \
    java --enable-native-access=ALL-UNNAMED -jar $J/v16.jar prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --sizes 16 --mix $mix $x \
    --warmup 20 --iterations 10 --no-eager --no-profile --no-progress > $W/ncu-$v-${mix//[@+]/_}.csv 2> $W/ncu-$v-${mix//[@+]/_}.err
  echo "$mix $v rc=$? $(el) s"; done; done)
(cd /tmp && tar czf $OUT/s15c6.tgz s15c6out)
python3 - <<'PY'
import csv, glob, io, collections, statistics
for f in sorted(glob.glob('/tmp/s15c6out/ncu-*.csv')):
    txt = open(f).read(); i = txt.find('"ID"')
    if i < 0: print(f.split('/')[-1], 'no rows'); continue
    rows = list(csv.DictReader(io.StringIO(txt[i:])))
    m = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        try: m[r.get('Kernel Name', '?')][r['Metric Name']].append(float(r['Metric Value'].replace(',', '')))
        except Exception: pass
    top = sorted(m.items(), key=lambda kv: -statistics.median(kv[1].get('gpu__time_duration.sum', [0])))[:2]
    for name, mm in top:
        print(f.split('/')[-1][4:-4], name[:28], 'n=%d' % len(mm.get('gpu__time_duration.sum', [])),
              '  '.join('%s %.4g' % (k.split('.')[0].replace('lts__t_sectors_', ''), statistics.median(v)) for k, v in sorted(mm.items())))
PY
