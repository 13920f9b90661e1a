#!/bin/bash
# PREPARED, NOT RUN (the fifteenth session's device time was spent): call 6's question done so that it ends inside its
# call. Carry .gpu/jre-s.tar.xz and .gpu/s15/c5 (jars.tar.xz = the jar of 50c75c7 unpacked as v16/: `mvn package` at
# 50c75c7, `unzip` into v16/, `tar -cf - v16 | xz -9e`). Run with timeout_s 600 and read $OUT/s15c7.tgz, not the tail.
# Question (kernels/NOTES-forward.md, s15 call 5): the early attention form at bucket 16 makes decode steps over 2048
# cached tokens 7-10 % slower and 8 decodes over 512 + a prompt 5 % faster. Hypothesis: its prefix prefetch, issued before
# the PDL wait while qkv and rope still run, brings pages into L2 that are evicted before use and read again, so a replay
# reads more DRAM bytes than the late form's. Prediction: e16 >= 10 % more DRAM bytes per replay at 16d@2048, about the
# same at 1x8+8d@512.
# How: ncu over whole graph replays (--graph-profiling graph), --replay-mode application (a replay of the graph writes the
# KV cache; kernel replay would save and restore it per pass, which made call 6's runs exceed their limit), caches not
# flushed (the timed loop's steady state), --launch-skip 400 with 420 warm-up replays, so the profiled launches are graph
# replays whatever the eager warm-up before capture launched (167 kernels at 16), --launch-count 3.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s15/c5; J=/tmp/s15c7; rm -rf $J /tmp/s15c7out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
python3 scripts/gpu/rejar.py $J/x/v16 $J/v16.jar > /dev/null
W=/tmp/s15c7out; mkdir -p $W; s=$(date +%s); R=$PWD/results/h200-ab-20261130/s15
NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 540 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
M=dram__bytes_read.sum,lts__t_sectors_op_read_lookup_miss.sum,gpu__time_duration.sum
(cd $(mktemp -d) && for mix in 16d@2048 1x8+8d@512; do for v in base e16; do
  x=""; [ $v = e16 ] && x="--impl-choices $R/choices-e16.json"
  t=$(left 120); [ $t -lt 30 ] && { echo "$mix $v skipped (time)"; continue; }
  o=$W/ncu-$v-${mix//[@+]/_}
  timeout $t $NCU --target-processes all --graph-profiling graph --replay-mode application --cache-control none --launch-skip 400 \
    --launch-count 3 --metrics $M --csv java --enable-native-access=ALL-UNNAMED -jar $J/v16.jar prefill --model ernie-4.5-0.3b \
    --max-num-seqs 64 --max-model-len 4096 --sizes 16 --mix $mix $x --warmup 420 --iterations 5 --no-eager --no-profile --no-progress \
    > $o.csv 2> $o.err
  echo "$mix $v rc=$? $(el) s" | tee -a $W/progress.txt; done; done)
(cd /tmp && tar czf $OUT/s15c7.tgz s15c7out)
python3 - <<'PY'
import csv, glob, io, collections, statistics
for f in sorted(glob.glob('/tmp/s15c7out/ncu-*.csv')):
    txt = open(f).read(); i = txt.find('"ID"')
    if i < 0: print(f.split('/')[-1], 'no rows'); continue
    m = collections.defaultdict(list)
    for r in csv.DictReader(io.StringIO(txt[i:])):
        try: m[r['Metric Name']].append(float(r['Metric Value'].replace(',', '')))
        except Exception: pass
    print(f.split('/')[-1][4:-4], '  '.join('%s %.4g' % (k.split('.')[0], statistics.median(v)) for k, v in sorted(m.items())))
PY
