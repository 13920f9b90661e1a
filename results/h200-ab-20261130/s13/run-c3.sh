#!/bin/bash
# s13 call 3 (branch s13-n32, the jar that bundles the half-width rows): call 2 measured gemm_bf16_stream_mXX_n32 at
# 16 / 32 / 64 against the plain kernels: short 0.555 -> 0.510 ms graph GPU time (-8 %), 4x8 (32) -12.5 %, 4x16 (64)
# -7.4 %, decode steps -6..-9 %; the in-graph span at 16 533 -> 490 us (predicted -25 us: the consumers gained more than
# the pairs said, the GEMMs lost less than the sweep said). This jar bundles the rows as ranges (1..16, 17..32, 33..64)
# and adds Llama-3.2-1B's qkv, o and down at 1..16 (gate_up is unsplit there).
# Rules written before this run: (a) the ranges stay if ERNIE at 8 / 24 / 48 (and their decode steps) is faster or within
# 0.5 % against the s12 bundled file (choices-s12-bundled.json) in all three runs; else the rows narrow to the measured
# capacities. (b) Llama's rows stay if Llama short and 2x8 at 16 gain >= 1 % in all three runs against the same jar
# without them (choices-ernie-n32.json) and its 16-decode step loses nothing > 0.5 %; else they go.
# (1) every GPU test on this jar (ERNIE's default forward is now n32 at <= 64; new: the half-width test on ERNIE, tiny,
# tiny-bias against the CPU reference), (2) the A/Bs, three runs each, alternating, graph GPU time.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s13/c3; J=/tmp/c3; mkdir -p $J/x && tar -xJf $C/jar.tar.xz -C $J/x && python3 scripts/gpu/rejar.py $J/x/n32 $J/bench.jar
xz -dkc $C/junit.jar.xz > $J/junit.jar; cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/c3out; mkdir -p $W/res; s=$(date +%s); root=$PWD; R=$root/results/h200-ab-20261130/s13
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
BJ="java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar"
nvidia-smi -q -d CLOCK,POWER,PERFORMANCE > $W/nvidia-smi.txt 2>&1
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in old new; do
  c=""; [ $v = old ] && c="--impl-choices $R/choices-s12-bundled.json"
  timeout $(left 40) $BJ prefill --sizes 8,16,24,32,48,64 --prompts short --batch 2x4,2x8,4x6,4x12,4x16 --warmup 20 --iterations 300 --no-progress $c --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 8d@2048,24d@1024,48d@1024 --warmup 20 --iterations 200 --no-progress $c --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
  c=""; [ $v = old ] && c="--impl-choices $R/choices-ernie-n32.json"
  timeout $(left 40) $BJ prefill --model llama-3.2-1b --sizes 16 --prompts short --batch 2x8 --warmup 20 --iterations 200 --no-progress $c --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"
  timeout $(left 40) $BJ prefill --model llama-3.2-1b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048 --warmup 20 --iterations 200 --no-progress $c --json $W/res/llmix-$v-$rep-$stamp.json > $W/llmix-$v-$rep.txt 2>&1 || echo "llmix $v $rep failed"; done; done)
echo "a/b $(el) s"
python3 - > $W/decision.txt <<'PY'
import json, glob, collections
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for f in sorted(glob.glob('/tmp/c3out/res/*.json')):
    n = f.split('/')[-1].split('-'); fam, v = n[0], n[1]
    for w in json.load(open(f))['workloads']:
        runs['%s %s@%d' % (fam, w['name'], w['paddedSize'])][v].append(w['graph']['gpuNs']['p50'] / 1e6)
ranges, llama = True, True
for k in sorted(runs):
    o, n = runs[k]['old'], runs[k]['new']
    print('%-30s old %s new %s' % (k, ' '.join('%.3f' % x for x in o), ' '.join('%.3f' % x for x in n)))
    if k.startswith('llama'):
        if any(b > 0.99 * a for a, b in zip(sorted(o), sorted(n))): llama = False
    elif k.startswith('llmix'):
        if max(n) > 1.005 * max(o): llama = False
    elif any(b > 1.005 * a for a, b in zip(sorted(o), sorted(n))): ranges = False
print('ranges', 'KEEP' if ranges else 'NARROW', '| llama rows', 'KEEP' if llama else 'DROP')
PY
(cd /tmp && tar czf $OUT/c3.tgz c3out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
cat $W/decision.txt
