#!/bin/bash
# s29 call 1, jar v80 (0fd5bf4). s28 calls 10-17: ERNIE 8x16 at 128 reads ~595 us of GPU time as its process's first
# workload, ~574 after a 480-token prompt, 4x80 or a mixed step over 2048 cached tokens, not after a 129-token prompt at
# 512 (the same graph, kernels and grids as the 480-token one: only the rows' data and the attention tiles that run differ).
# Prefill workloads use fixed cache slots, so no page placement differs. Hypothesis: a GPU-wide state set by sustained
# heavy work (power / clock governor), not a per-process one. Tests, nvidia-smi sampling every 20 ms throughout:
# (a) --mix 8x16 (the same batch first), a 480-token prompt, then --batch 8x16, one process: slow, switch, fast?
# (b) the threshold: a prompt of N = 192, 256, 320, 416 tokens at 512, then 8x16;
# (c) another process's matrix products: 8x16 alone while heat.py runs a product every 50 ms (~3 % duty), and 8x16 alone
#     started right after 4 s of back-to-back products;
# (d) decay: a 480-token prompt, then 8x16 for 5000 iterations (~3 s; host samples in order);
# (e) --warmup-ms (landed s28, never run on a GPU): 8x16 alone, --warmup 30 vs --warmup 30 --warmup-ms 2000, two each.
# Prediction: if it is the GPU's state, (c)'s heated runs read ~574 and smi shows a clock or power difference between the
# slow and fast phases of (a); if per process, (c) reads ~595 and smi shows nothing. (e): host p50 -15..-40 us.
# Carry .gpu/jre.tar.xz, .gpu/s29.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s29/v80.jar; H=$R/results/h200-ab-20261201/s29/heat.py
W=/tmp/s29c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 480 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER,TEMPERATURE > $W/smi-q-before.txt 2>&1
nvidia-smi --query-gpu=timestamp,pstate,clocks.sm,clocks.mem,clocks.gr,power.draw,temperature.gpu,temperature.memory,clocks_event_reasons.active,utilization.gpu --format=csv -lms 20 > $W/smi.csv 2>&1 &
SMI=$!
mark() { echo "$(date +%Y/%m/%d\ %H:%M:%S.%N) $*" >> $W/marks.txt; }
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager --sizes 128,512"
run() { local name=$1; shift; mark "start $name"; timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill "$@" $P --json $W/res/$name.json > $W/$name.txt 2>&1 || echo "$name failed"; mark "end $name"; }
cd $(mktemp -d)
for rep in 1 2; do
  run a-mix-long-batch-$rep --mix 8x16 --prompt-lens 480 --batch 8x16 --warmup 300 --iterations 600
  run alone-$rep --batch 8x16 --warmup 300 --iterations 600
done
for n in 192 256 320 416; do run thr-$n --prompt-lens $n --batch 8x16 --warmup 300 --iterations 600; done
python3 $H 60 50 > $W/heat-duty.txt 2>&1 & HP=$!
while ! grep -q ready $W/heat-duty.txt 2>/dev/null; do sleep 0.2; done
mark "heat duty ready"
run c-duty-1 --batch 8x16 --warmup 300 --iterations 600
run c-duty-2 --batch 8x16 --warmup 300 --iterations 600
kill $HP; wait $HP 2>/dev/null; mark "heat duty stopped"
for rep in 1 2; do
  mark "heat 4s start"; python3 $H 4 0 > $W/heat-b2b-$rep.txt 2>&1; mark "heat 4s end"
  run c-after-heat-$rep --batch 8x16 --warmup 300 --iterations 600
done
run d-decay --prompt-lens 480 --batch 8x16 --warmup 300 --iterations 5000
for rep in 1 2; do
  run e-w30-$rep --batch 8x16 --warmup 30 --iterations 600
  run e-w30ms2000-$rep --batch 8x16 --warmup 30 --warmup-ms 2000 --iterations 600
done
kill $SMI
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER,TEMPERATURE > $W/smi-q-after.txt 2>&1
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, statistics as st
print('graph host p50 / GPU p50 (us) per workload in run order; d: host p50 over each 1000-sample stretch')
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    ws = json.load(open(f))['workloads']
    cells = ['%s %6.1f/%6.1f' % (w['name'], w['graph']['hostNs']['p50'] / 1e3, w['graph']['gpuNs']['p50'] / 1e3) for w in ws]
    print('%-22s %s' % (os.path.basename(f)[:-5], ', '.join(cells)))
    if 'decay' in f:
        s = ws[-1]['graph']['samplesHostNs']
        print('   ', ' '.join('%.1f' % (st.median(s[i:i + 1000]) / 1e3) for i in range(0, len(s), 1000)))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s29c1out)
cp $W/table.txt $W/marks.txt $OUT/
echo "total $(( $(date +%s)-s )) s"
cat $W/table.txt
