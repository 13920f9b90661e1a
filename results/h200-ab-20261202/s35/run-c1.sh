#!/bin/bash
# s35 call 1, jar v1 (464995f: main + the pair tile's preload shared with the split forms, pk_rope_rows_preload — the
# pair kernel's machine code rescheduled, same size).
# 1. Every GPU test on v1 (prediction: 98/98, as s34 call 6).
# 2. kernel_check rope_fused, the pair form (bits == unsplit _n16 + rope_kv_write, timing: ~3.4 us as s34's 3.39), then
#    compute-sanitizer memcheck and racecheck on it (the gap s34 left: no lease had sanitizers and timing on v75 together),
#    and memcheck on the engine running ERNIE's bundled 16-row plans (the pair tiles) and tiny's tfo candidate (the fold).
# 3. Candidates against the bundled rows (graph GPU p50, pairs alternating), rule written before: a candidate joins the
#    bundled rows if its model's short is >= 1.5 % faster and nothing it touches is > +0.5 % slower.
#    tfo  tiny's attention folded into its o in the fresh graph (o on the n32 tile at 2 splits, 16 blocks): the attention
#         link (2.6 us a layer) and o (1.6) for o + the prologue (~2.2 over o alone, ERNIE's): -0.5..-1 us a layer,
#         tiny short -1..-2 us (-2.5..-5 %); 2x8 the same;
#    tgu  tiny's gate_up + SiLU on 32 half-width blocks instead of 16 plain ones: -0.2..-0.4 us a layer, short -1..-2 %;
#    tfg  both: the sum;
#    d4   ERNIE's down at 1..16 on the n32 tile at split 4 (128 blocks of 48 KB, all in flight; input_norm reads 4 planes,
#         256 KB less): -0.3..-0.5 us a layer, short -5..-9 us (-1.3..-2.3 %), 2x8 / 4x4 the same, decodes -1 %;
#    d6   split 6 (192 blocks of 32 KB, 6 planes): -2..-5 us (-0.5..-1.3 %), below d4 (uneven blocks per SM).
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s35
W=/tmp/s35c1out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v1.jar TESTS=$G/tests1.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
PK_ROPE_N16_ONLY=1 timeout $(left 30) $R/.gpu/kernel_check rope_fused > $W/kc-rope.txt 2>&1; prog "kernel_check rc=$?"
for tool in memcheck racecheck; do
  PK_ROPE_N16_ONLY=1 timeout $(left 90) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt rope_fused > $W/san-$tool-rope.txt 2>&1
  prog "$tool kernel_check_nt rope_fused rc=$?"
done
cd $(mktemp -d)
timeout $(left 90) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress \
  --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 3 --json $W/san-engine-ernie.json > $W/san-memcheck-engine-ernie.txt 2>&1
prog "memcheck engine ernie rc=$?"
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress \
  --impl-choices $G/choices-tfo.json --model tiny --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 3 --json $W/san-engine-tfo.json > $W/san-memcheck-engine-tfo.txt 2>&1
prog "memcheck engine tiny tfo rc=$?"
one() {  # $1 variant (b: bundled, a: candidate file $CH), $2 out name, rest: prefill options
  local v=$1 out=$W/res/$2.json; shift 2
  local extra=(); [ $v = a ] && extra=(--impl-choices $G/$CH)
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress "${extra[@]}" "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
pairs() {  # $1 tag, $2 reps, rest: options
  local tag=$1 n=$2; shift 2
  for rep in $(seq 1 $n); do
    vs="b a"; [ $((rep % 2)) = 0 ] && vs="a b"
    for v in $vs; do one $v $tag-$v-$rep "$@"; done
    prog "$tag pair $rep"
  done
}
for c in tfo tgu tfg; do CH=choices-$c.json pairs $c 3 --model tiny --sizes 16 --prompts short --batch 2x8 --warmup 100 --iterations 1000; done
for c in d4 d6; do CH=choices-$c.json pairs $c 3 --sizes 16 --prompts short --batch 2x8,4x4 --warmup 100 --iterations 300; done
for c in d4 d6; do CH=choices-$c.json pairs ${c}m 2 --sizes 16 --mix 16d@2048,8d@512 --warmup 50 --iterations 300; done
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
(cd /tmp && tar cJf $OUT/res.tar.xz s35c1out)
grep -E "m_dev16 ==" $W/kc-rope.txt | head -4 | cut -c1-60,95-250; tail -1 $W/kc-rope.txt
grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -10
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
