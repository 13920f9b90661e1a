#!/bin/bash
# s22 call 1, one jar: 771e3aa (main). Carry .gpu/jre.tar.xz and cli/target/bench.jar.
# (A) Probes, choices only (written by mkcand.py before the run), ERNIE-4.5-0.3B at 16 against the bundled rows, three
# alternating runs, graph GPU p50: o at 4 splits (o4), down at 4 (d4), both (od4), qkv at 2 (q2), SiLU fused into the
# half-width gate_up at 16 (ns; s15 call 5 measured it with the late and the early 64-row attention forms, never with
# t32). Predictions: o4 / d4 / od4 -1..+1 % (the norms read half the planes, the GEMMs run 128 blocks with twice the
# bytes each); q2 -1..+1 %; ns -1..-3 % (gate_up + SiLU 4.0 vs 3.9 + 1.7 us per layer in s15's timeline; the loss then
# sat in the late attention form after it). Rule: bundled if short drops >= 1 % and no workload rises > 0.5 %.
# (B) Where a small kernel's cycles go in the chain's cache state: ncu, application replay (every pass reruns the
# process, so a profiled kernel finds the caches as the kernels before it left them), layer 5's nine kernels of the
# eager short forward at 16, stall reasons per issued instruction, with caches as left (--cache-control none) and
# flushed (all), at the boost clock. s21 call 5 (kernel alone, flushed): t32 attention 14.3 cycles per issue, 5.3 of
# them imc_miss + no_instruction. Reading to test: instruction and constant fetch on the post-wait path as a fixed cost
# of every link (per-layer code ~130 KB: norm 29 KB, rope 25, t32 39, silu 21, n32 GEMM 14 of SASS).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
S=$(pwd)/results/h200-ab-20261130/s22
W=/tmp/s22c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
stamp=$(date -u +%Y%m%d-%H%M%S)
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
C="base o4 d4 od4 q2 ns"
(cd $(mktemp -d) && for rep in 1 2 3; do for f in $C; do
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --batch 2x8 --mix 1x8+8d@512,16d@2048 --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"
done; echo "rep $rep $(( $(date +%s)-s )) s"; done)
python3 - $C <<'PY' | tee $OUT/ab.txt
import json, glob, collections, statistics, sys
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s22c1out/res/*.json')):
    k = f.split('/')[-1].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g: r[('%s@%d' % (w['name'], w['paddedSize']), k[1])].append(g['gpuNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')])
    print('%-20s base %6.1f ' % (w, b) + '  '.join('%s %6.1f (%+.1f%%)' % (c, med(r[(w, c)]), 100 * (med(r[(w, c)]) / b - 1)) for c in sys.argv[2:] if r[(w, c)]))
PY
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
M='gpu__time_duration.sum,smsp__inst_executed.sum,smsp__cycles_active.avg,sm__cycles_elapsed.max,regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio'
for cc in none all; do
  # matching launches per forward: 18 x 9 layer kernels + the LM head; skip layers 0-4 of the first (eager) forward
  (cd $(mktemp -d) && timeout $(left 130) $NCU --target-processes all --replay-mode application --cache-control $cc --clock-control none \
    -k 'regex:^(add_rmsnorm|gemm_bf16_stream|rope_kv_write|attention_prefill|silu_mul)' --launch-skip 45 --launch-count 9 --metrics "$M" -o $W/l5-$cc \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 0 --iterations 1 --no-graph --no-profile --no-progress > $W/ncu-$cc-run.txt 2>&1; echo "ncu $cc rc=$? $(( $(date +%s)-s )) s")
  [ -f $W/l5-$cc.ncu-rep ] && $NCU --import $W/l5-$cc.ncu-rep --page raw --csv > $W/l5-$cc.csv 2>&1
done
(cd /tmp && tar cJf $OUT/res.tar.xz --exclude='*.ncu-rep' s22c1out)
python3 - <<'PY'
import csv, os
for cc in ('none', 'all'):
    f = '/tmp/s22c1out/l5-%s.csv' % cc
    if not os.path.exists(f): print(cc, 'no ncu data'); continue
    rows = list(csv.reader(open(f)))
    h = rows[0]
    print('== caches %s: kernel, us, warp inst, cycles/issue, of it imc_miss + no_instruction, long_scoreboard, wait, barrier' % cc)
    for r in rows[2:]:
        d = dict(zip(h, r))
        g = lambda k: float((d.get('smsp__average_warps_issue_stalled_%s_per_issue_active.ratio' % k) or '0').replace(',', ''))
        tot = sum(float((v or '0').replace(',', '')) for k, v in d.items() if k.startswith('smsp__average_warps_issue_stalled_') and k.endswith('ratio'))
        print('%-34s %6s %8s %5.1f %5.1f %5.1f %5.1f %5.1f' % (d.get('Kernel Name', '?')[:34], d.get('gpu__time_duration.sum'), d.get('smsp__inst_executed.sum'), tot, g('imc_miss') + g('no_instruction'), g('long_scoreboard'), g('wait'), g('barrier')))
PY
