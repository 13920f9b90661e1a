#!/bin/bash
# s15 call 1. Jars: main = 000dd4a (the fourteenth session's A/B reference), v15 = e6166c5 (main's head 44ed640, the
# merged v39.6 build never GPU-run, plus the v40 candidate kernels gemm_bf16_stream_m{16,32,64}_n32_silu, which the bundled
# file does not select); v15s = v15 with --impl-choices results/h200-ab-20261130/s15/choices-n32silu.json (the bundled rows
# plus silu_into_gate_up at 1..64 naming the _n32 producers).
# Predictions (written before the run): v15 vs main as s14 call 7 (short, 2x8, 16d within +-0.5 %; 4x16 / 8x16 -2 %,
# 32d / 64d -6 %, long / 4x80 -1 %). v15s vs v15: silu_mul's chain cost (1.7 us per layer at 16) goes, gate_up's stays
# (same 192 blocks, half the bytes stored): -1.5 us per layer, short -27 us (-5 %), 2x8 / 4x8 likewise, 4x16 (64) -5 %,
# decodes at 16..64 -3 %.
# Rules: v15 is kept as main if short, 2x8 and 16d are within +0.5 % of main and every GPU test passes (else the bundled
# attention rows go back to attention_prefill_wg at 1..512). The n32 SiLU rows are bundled if short, 2x8, 4x16 and the
# decodes all gain (median of three alternating runs, graph GPU time) and its checks pass (kernel_check silu bits,
# the GPU test: fused forward == bundled forward bit for bit; the sanitizers and a timeline in a later call: the carry
# limit left no room for their binaries here).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s15/c1; J=/tmp/s15c1; rm -rf $J /tmp/s15c1out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in main v15 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
for b in kc; do xz -dkc $C/$b.xz > $J/$b; chmod +x $J/$b; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s15c1out; mkdir -p $W/res; s=$(date +%s); root=$PWD
SIL="--impl-choices $root/results/h200-ab-20261130/s15/choices-n32silu.json"
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
MIX="--model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096"
stamp=$(date -u +%Y%m%d-%H%M%S)
run() {  # label jar extra...
  local v=$1 jar=$2; shift 2
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$jar.jar"
  timeout $(left 30) $BJ prefill $MIX --mix 16d@2048,32d@1024,64d@1024 "$@" --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
  timeout $(left 40) $BJ prefill --sizes 16,32,64,128,512 --prompts short,long --batch 2x8,4x8,4x16,8x16,4x80 "$@" --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
}
(cd $(mktemp -d) && for rep in 1 2 3; do run main main; run v15 v15; run v15s v15 $SIL; done
 for v in main v15; do BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"; timeout $(left 40) $BJ prefill --model llama-3.2-1b --sizes 16,128 --prompts short --batch 8x16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/llama-$v-1-$stamp.json > $W/llama-$v-1.txt 2>&1 || echo "llama $v failed"; done)
echo "a/b $(el) s"
timeout 90 $J/kc silu > $W/kc-silu.log 2>&1; echo "kc silu rc=$? $(el) s"
PK_OPS=$C/ops16-silu.txt timeout 60 $J/kc pdl > $W/pdl-silu.log 2>&1; echo "pdl rc=$? $(el) s"
JAR=$J/v15.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v15.jar prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 $SIL --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
(cd /tmp && tar czf $OUT/s15c1.tgz s15c1out)
grep -E "ALL PASSED|FAILURES|checks failed" $W/kc-silu.log $W/pdl-silu.log | sed 's|.*/||'; grep -E "n32_silu.*m_dev(16|64) " $W/kc-silu.log | head -4
for f in $W/san-*.log; do echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s15c1out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']: r[(k[0], k[1], '%s@%d' % (w['name'], w['paddedSize']))].append(w['graph']['gpuNs']['p50'] / 1e6)
ws = sorted({(a, w) for a, v, w in r}, key=lambda x: x)
print('%-6s %-22s %s' % ('file', 'workload', '  '.join('%-8s' % v for v in ('main', 'v15', 'v15s'))))
for a, w in ws:
    row = [statistics.median(r[(a, v, w)]) if r.get((a, v, w)) else None for v in ('main', 'v15', 'v15s')]
    print('%-6s %-22s %s' % (a, w, '  '.join('%.4f  ' % x if x else '   -    ' for x in row)))
PY
