#!/bin/bash
# s34 call 5, jar v5 (main + AttentionIntoOGpuTest's Llama case). Llama-3.2-1B candidates against the bundled rows:
#   lao  attention into Llama's o in the fresh-prompt graph at 1..16 (its o there on the half-width tile at k / 128 = 16 splits,
#        the fold's tile; choices-lao.json), short and 2x8 at --sizes 16, three pairs;
#   ldec Llama's pair rows in its decode graph too (choices-ldec.json), --mix 16d@2048,8d@512 at --sizes 16, two pairs.
# Checks: AttentionIntoOGpuTest (ERNIE, Llama: folded within tolerance of unfolded, graph == eager; tiny, tiny-bias vs the CPU
# reference); compute-sanitizer memcheck on the engine running tiny's bundled rows (the 16-column kernels), eager and graph.
# Predictions (before the run): lao short -10..-15 us (-1.2..-1.8 %: the attention link, 2.7 us a layer, out; o with attention
# ~+2 us over o alone, as ERNIE's), 2x8 the same; ldec 16d@2048 and 8d@512 -2..-3 % (ERNIE's were -2.7 / -3.5 %).
# Rule: bundle a candidate if its tests pass, its target workloads are >= 1.5 % faster (median of pairs) and nothing > +0.5 %.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s34
W=/tmp/s34c5out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
JAR=$G/v5.jar TESTS=$G/tests5.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $R/.gpu/junit.jar --select-class io.prefillbench.engine.AttentionIntoOGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
cd $(mktemp -d)
timeout $(left 110) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $G/v5.jar prefill --no-progress --model tiny --sizes 16 --prompts short --batch 2x8,4x4 --warmup 3 --iterations 10 --warmup-ms 0 --prime-ms 0 > $W/memcheck-tiny.txt 2>&1
prog "memcheck tiny rc=$?"
one() {  # $1 variant (b: bundled, a: candidate file $CH), $2 out name, rest: prefill options
  local v=$1 out=$W/res/$2.json; shift 2
  local extra=(); [ $v = a ] && extra=(--impl-choices $G/$CH)
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $G/v5.jar prefill --no-progress "${extra[@]}" "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
pairs() {  # $1 tag, $2 reps, rest: options
  local tag=$1 n=$2; shift 2
  for rep in $(seq 1 $n); do
    vs="b a"; [ $((rep % 2)) = 0 ] && vs="a b"
    for v in $vs; do one $v $tag-$v-$rep "$@"; done
    prog "$tag pair $rep"
  done
}
CH=choices-lao.json pairs lao 3 --model llama-3.2-1b --sizes 16 --prompts short --batch 2x8 --warmup 100 --iterations 300
CH=choices-ldec.json pairs ldec 2 --model llama-3.2-1b --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    what, v, rep = os.path.basename(f)[:-5].rsplit('-', 2)
    for w in json.load(open(f))['workloads']:
        d[(what, w['name'], v)].append((w['graph']['gpuNs']['p50'] / 1e3, w['graph']['hostNs']['p50'] / 1e3))
print('graph GPU p50 / host p50 (us), bundled (b) -> candidate (a), median of the runs')
for (what, name, v) in sorted(d):
    if v != 'b' or (what, name, 'a') not in d: continue
    a, b = d[(what, name, 'b')], d[(what, name, 'a')]
    ga, gb = st.median(x[0] for x in a), st.median(x[0] for x in b)
    ha, hb = st.median(x[1] for x in a), st.median(x[1] for x in b)
    print('%-5s %-18s gpu %8.2f -> %8.2f (%+.2f %%)  host %8.2f -> %8.2f (%+.2f %%)  runs %s' % (what, name, ga, gb, 100 * (gb / ga - 1), ha, hb,
          100 * (hb / ha - 1), ' '.join('%.1f/%.1f' % (x[0], y[0]) for x, y in zip(a, b))))
PY
gzip -9 $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s34c5out)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
grep -E "ERROR SUMMARY|wrote" $W/memcheck-tiny.txt | tail -3
cat $W/table.txt
cat $W/progress.txt
