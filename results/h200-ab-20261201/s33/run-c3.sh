#!/bin/bash
# s33 call 3, jar 429d5e5 (attention_into_o lowered, no bundled row). Candidate choices: the bundled file + one
# attention_into_o row (ERNIE's o, n 1024 k 1024, producer gemm_bf16_stream_m16_n32, fresh plans at 1..16).
# 1. GPU tests: AttentionIntoOGpuTest (new), FreshGraphGpuTest, EngineVsCpuReferenceGpuTest.
# 2. ERNIE at --sizes 16: short, 2x8, 4x4, 16x1, bundled vs candidate, three pairs alternating; the core command
#    (--sizes 16,64,128,512, short / long / 4x80 / 8x16), two pairs.
# Prediction (before the run; harness call 2: the bucket-16 chain 415-421 -> 401-408 us): graph GPU p50 at 16 -12..-15 us
# (-3 %) on every 16-token workload; core short the same; long / 4x80 / 8x16 +-0.5 % (their plans do not change).
# Rule: bundle the row if the tests pass, short at 16 is >= 1.5 % faster (median of pairs) and no workload > +0.5 %.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s33
W=/tmp/s33c3out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 580 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v1.jar TESTS=$G/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 240) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.AttentionIntoOGpuTest --select-class io.prefillbench.engine.FreshGraphGpuTest \
  --select-class io.prefillbench.engine.EngineVsCpuReferenceGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
one() {  # $1 variant (b: bundled, a: candidate), $2 out name, rest: prefill options
  local v=$1 out=$W/res/$2.json; shift 2
  local extra=(); [ $v = a ] && extra=(--impl-choices $G/choices-ao.json)
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress "${extra[@]}" "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
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
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    what, v, rep = os.path.basename(f)[:-5].rsplit('-', 2)
    for w in json.load(open(f))['workloads']:
        d[(what, w['name'], v)].append((w['graph']['gpuNs']['p50'] / 1e3, w['graph']['hostNs']['p50'] / 1e3))
print('graph GPU p50 / host p50 (us), bundled (b) -> attention_into_o (a), median of the runs')
for (what, name, v) in sorted(d):
    if v != 'b' or (what, name, 'a') not in d: continue
    a, b = d[(what, name, 'b')], d[(what, name, 'a')]
    ga, gb = st.median(x[0] for x in a), st.median(x[0] for x in b)
    ha, hb = st.median(x[1] for x in a), st.median(x[1] for x in b)
    print('%-5s %-11s gpu %8.2f -> %8.2f (%+.2f %%)  host %8.2f -> %8.2f (%+.2f %%)  runs %s' % (what, name, ga, gb, 100 * (gb / ga - 1), ha, hb,
          100 * (hb / ha - 1), ' '.join('%.1f/%.1f' % (x[0], y[0]) for x, y in zip(a, b))))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s33c3out)
grep -E "tests (successful|failed|skipped)" $W/gpu-tests.log
cat $W/table.txt
