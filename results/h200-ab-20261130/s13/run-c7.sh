#!/bin/bash
# s13 call 7 (what was left of the session's device time): ncu of the small kernels of the short chain as the engine
# launches them — eager, bucket 16, 10 tokens, jar b4e9fea — the attention kernel (5.3 us per layer in the chain, 19 %
# of the span), rope_kv_write, add_rmsnorm and silu_mul: their own time and what they wait on (ncu serialises, so
# these are the kernels alone, not their chain cost).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/c4; J=/tmp/c7; rm -rf $J; mkdir -p $J/x && tar -xJf $C/jar.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/n32 $J/bench.jar
W=/tmp/c7out; rm -rf $W; mkdir -p $W; s=$(date +%s)
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
# one forward = 18 x (input_norm, rope, attention, post_norm, silu) + the final norm = 91 matching launches: skip the
# warm-up forward and layer 0 of the second, profile layers 1-2 of the second forward
(cd $(mktemp -d) && timeout 220 $NCU --target-processes all -k "regex:attention_prefill_wg|rope_kv_write|add_rmsnorm|silu_mul" \
  --launch-skip 96 --launch-count 10 --set full -o $W/short16 \
  java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar prefill --sizes 16 --prompts short --warmup 1 --iterations 1 --no-progress > $W/ncu-run.txt 2>&1; echo "ncu rc=$? $(( $(date +%s)-s )) s")
[ -f $W/short16.ncu-rep ] && $NCU --import $W/short16.ncu-rep --page details --csv > $W/ncu-short16-details.csv 2>&1
[ -f $W/short16.ncu-rep ] && $NCU --import $W/short16.ncu-rep --page raw --csv --metrics gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__block_size,smsp__average_warp_latency_issue_stalled_long_scoreboard,smsp__average_warp_latency_issue_stalled_barrier > $W/ncu-short16-raw.csv 2>&1
(cd /tmp && tar czf $OUT/c7.tgz --exclude="*.ncu-rep" c7out)  # (as run: the --exclude came after the folder and had no effect; the report came back, 19 MB, not committed)
tail -3 $W/ncu-run.txt
python3 - <<'PY'
import csv
rows = list(csv.reader(open('/tmp/c7out/ncu-short16-raw.csv')))
if len(rows) > 2:
    h = rows[0]
    for r in rows[2:]:
        d = dict(zip(h, r))
        print(d.get('Kernel Name', '?')[:28], d.get('gpu__time_duration.sum'), 'grid', d.get('launch__grid_size'), 'sm%', d.get('sm__throughput.avg.pct_of_peak_sustained_elapsed'), 'dram%', d.get('dram__throughput.avg.pct_of_peak_sustained_elapsed'))
PY
