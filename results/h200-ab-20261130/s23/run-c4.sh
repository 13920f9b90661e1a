#!/bin/bash
# s23 call 4, measurements only (jar 01893b1 = main, v59): the next audit's inputs.
# 1. ncu of Llama-3.2-1B's first (eager) forward at 16, the short prompt, the forward's kernels only (call 3's filter
#    counted the weight-init kernels): time, warp instructions, stall reasons per issue, grid, block.
# 2. Source counters (SASS, executed instructions and stall samples) of the fixed-cost kernels in tiny's and ERNIE's eager
#    short forward: build_tile_map (5.2 us per forward in set 204124's timeline, one block, barrier stalls 40-45 cycles per
#    issue in call 3), argmax_rows (6.2 us per forward on ERNIE), final_norm_gather, embed_gather; nvdisasm -g of v59's
#    sm_90a cubin for post_wait_lines.py.
# Carry .gpu/jre.tar.xz, .gpu/s23/v59.jar, .gpu/s23/v59.cubin.xz.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s23/v59.jar
W=/tmp/s23c4out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
xz -dc .gpu/s23/v59.cubin.xz > /tmp/v59.cubin && nvdisasm -g -c /tmp/v59.cubin > $W/v59-lineinfo.sass 2>&1
F='regex:^(build_tile_map|embed_gather|add_rmsnorm|gemm_|attention_|rope_kv|silu_mul|final_norm|argmax|nvjet|cutlass|l2_prefetch)'
M='gpu__time_duration.sum,smsp__inst_executed.sum,smsp__cycles_active.avg,regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio'
(cd $(mktemp -d) && timeout $(left 120) $NCU --target-processes all --replay-mode application --cache-control none --clock-control none \
  -k "$F" --launch-count 140 --metrics "$M" -o $W/ncu-llama \
  java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 0 --iterations 1 --no-graph --no-profile --no-progress > $W/ncu-llama-run.txt 2>&1; prog "ncu llama rc=$?")
[ -f $W/ncu-llama.ncu-rep ] && $NCU --import $W/ncu-llama.ncu-rep --page raw --csv > $W/ncu-llama.csv 2>&1
for m in tiny ernie-4.5-0.3b; do
  (cd $(mktemp -d) && timeout $(left 80) $NCU --target-processes all --replay-mode application --cache-control none --clock-control none \
    -k 'regex:^(build_tile_map|embed_gather|final_norm_gather|argmax_rows)$' --launch-count 4 --section SourceCounters --import-source yes -o $W/src-$m \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $m --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 0 --iterations 1 --no-graph --no-profile --no-progress > $W/ncu-src-$m-run.txt 2>&1; prog "ncu src $m rc=$?")
  if [ -f $W/src-$m.ncu-rep ]; then
    for i in 0 1 2 3; do $NCU --import $W/src-$m.ncu-rep --launch-skip $i --launch-count 1 --page source --csv --print-source sass > $W/src-$m-$i.csv 2>&1; done
  fi
done
(cd /tmp && tar cJf $OUT/res.tar.xz --exclude='*.ncu-rep' s23c4out)
python3 - <<'PY'
import csv, os
f = '/tmp/s23c4out/ncu-llama.csv'
if os.path.exists(f):
    rows = list(csv.reader(open(f))); h = rows[0]; tot = 0
    for r in rows[2:]:
        d = dict(zip(h, r)); us = float(d.get('gpu__time_duration.sum', '0').replace(',', '')); tot += us
    print('llama kernels', len(rows) - 2, 'sum us', round(tot, 1))
PY
cat $W/progress.txt
