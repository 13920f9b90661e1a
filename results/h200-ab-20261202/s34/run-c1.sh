#!/bin/bash
# s34 call 1, jar 6df98b6 (v75: gemm_bf16_stream_m16_n16 / _n16_rope1, no bundled row). Candidate choices: the bundled file +
# ERNIE's qkv (n 1280 k 1024) at 1..16 for prompt batches on gemm_bf16_stream_m16_n16 unsplit with rope_into_qkv fused
# (choices-n16.json); choices-n16l.json also moves Llama-3.2-1B's qkv (n 3072 k 2048, its split-2 n32 row replaced).
# 1. kernel_check rope_fused, the pair form only (PK_ROPE_N16_ONLY): bits vs _n16 + rope_kv_write, tolerance vs the n32
#    chain, the pair form timed (PDL back to back) vs _n16 + rope_kv_write and vs the n32 split form the engine bundles.
# 2. compute-sanitizer memcheck + racecheck on the same (no-timing build).
# 3. GPU tests: GraphEqualsEagerGpuTest#pairTileRopeFusionEqualsTheUnfusedTilesBitForBit (ERNIE, Llama, tiny-bias),
#    EngineVsCpuReferenceGpuTest, FreshGraphGpuTest.
# 4. ERNIE at --sizes 16 (short, 2x8, 4x4, 16x1), bundled vs n16, three pairs alternating; the core command, two pairs;
#    Llama-3.2-1B short at --sizes 16, bundled vs n16l, two pairs.
# Prediction (before the run): alone, ERNIE's qkv + rope 4.9 us (n32 split 4, s25) -> ~3.0 us; in the engine the qkv link
# 3.9 -> ~2.6 us a layer, graph GPU p50 at 16 -20..-25 us (-5..-6 %) on every 16-token workload and core short; long / 4x80
# / 8x16 +-0.5 % (their plans do not change); Llama short -15..-25 us (-2..-3 %).
# Rule: bundle ERNIE's rows if the bits, the sanitizers and the tests pass, short at 16 >= 1.5 % faster (median of pairs) and
# no workload > +0.5 %; Llama's the same on its short.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s34
W=/tmp/s34c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
nvidia-smi > $W/smi.txt 2>&1
PK_ROPE_N16_ONLY=1 timeout $(left 60) $R/.gpu/kernel_check rope_fused > $W/kc-rope.txt 2>&1; prog "kernel_check rc=$?"
for tool in memcheck racecheck; do
  PK_ROPE_N16_ONLY=1 timeout $(left 90) compute-sanitizer --tool $tool $R/.gpu/kernel_check_nt rope_fused > $W/san-$tool.txt 2>&1
  prog "$tool rc=$?"
done
JAR=$G/v1.jar TESTS=$G/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-method 'io.prefillbench.engine.GraphEqualsEagerGpuTest#pairTileRopeFusionEqualsTheUnfusedTilesBitForBit(java.lang.String)' \
  --select-class io.prefillbench.engine.EngineVsCpuReferenceGpuTest --select-class io.prefillbench.engine.FreshGraphGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
one() {  # $1 variant (b: bundled, a: candidate file $CH), $2 out name, rest: prefill options
  local v=$1 out=$W/res/$2.json; shift 2
  local extra=(); [ $v = a ] && extra=(--impl-choices $G/$CH)
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress "${extra[@]}" "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
CH=choices-n16.json
for rep in 1 2 3; do
  vs="b a"; [ $rep = 2 ] && vs="a b"
  for v in $vs; do one $v s16-$v-$rep --sizes 16 --prompts short --batch 2x8,4x4,16x1 --warmup 100 --iterations 300; done
  prog "s16 pair $rep"
done
for rep in 1 2; do
  vs="a b"; [ $rep = 2 ] && vs="b a"
  for v in $vs; do one $v core-$v-$rep --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300; done
  prog "core pair $rep"
done
CH=choices-n16l.json
for rep in 1 2; do
  vs="b a"; [ $rep = 2 ] && vs="a b"
  for v in $vs; do one $v llama-$v-$rep --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300; done
  prog "llama pair $rep"
done
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    what, v, rep = os.path.basename(f)[:-5].rsplit('-', 2)
    for w in json.load(open(f))['workloads']:
        d[(what, w['name'], v)].append((w['graph']['gpuNs']['p50'] / 1e3, w['graph']['hostNs']['p50'] / 1e3))
print('graph GPU p50 / host p50 (us), bundled (b) -> v75 pair rope (a), median of the runs')
for (what, name, v) in sorted(d):
    if v != 'b' or (what, name, 'a') not in d: continue
    a, b = d[(what, name, 'b')], d[(what, name, 'a')]
    ga, gb = st.median(x[0] for x in a), st.median(x[0] for x in b)
    ha, hb = st.median(x[1] for x in a), st.median(x[1] for x in b)
    print('%-5s %-11s gpu %8.2f -> %8.2f (%+.2f %%)  host %8.2f -> %8.2f (%+.2f %%)  runs %s' % (what, name, ga, gb, 100 * (gb / ga - 1), ha, hb,
          100 * (hb / ha - 1), ' '.join('%.1f/%.1f' % (x[0], y[0]) for x, y in zip(a, b))))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s34c1out)
grep -E "n16_rope1" $W/kc-rope.txt | head -8
grep -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
grep -E "tests (successful|failed|skipped)" $W/gpu-tests.log
cat $W/table.txt
