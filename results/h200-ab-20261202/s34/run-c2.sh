#!/bin/bash
# s34 call 2, jar v2 (v75's rows bundled: ERNIE's and Llama's qkv at 1..16 for prompt batches on the pair tiles).
# 1. Every GPU test on v2.
# 2. kernel_check rope_fused, the pair form only: timing vs the n32 split form and the 64-column unsplit _rope1 (tiny's).
# 3. Candidates against the bundled rows (graph GPU p50, pairs alternating):
#    tq   tiny's qkv at 1..16 on the pair tiles (its 8 blocks of 64 columns -> 32 of 16), tiny short, three pairs;
#    tqod tq + tiny's o and down on the 16-column kernel (4 blocks -> 16 each), same;
#    dec  ERNIE's pair rows unscoped (decode graphs too: qkv + rope fused on the pair tiles instead of n32 split 4 +
#         rope_kv_write), --mix 16d@2048,8d@512,1x8+8d@512 at --sizes 16, two pairs;
#    dn   ERNIE's down at 1..16 on the 16-column kernel at split 4 (n32 split 8: the same 256 blocks of 24 KB, half the
#         fp32 planes its norm reads), short / 2x8 at --sizes 16, three pairs.
# Predictions (before the run): tq tiny -1.0 us (qkv + rope 2.9 -> ~2.4 us a layer, 2 layers; alone 2.43 vs the rope1 form
# measured here); tqod a further -1.5..-2 us (o 1.6 -> ~1.3, down 2.3 -> ~1.7 a layer); dec: 16d@2048 and 8d@512 -2..-3 %
# (v65's fixup gave decode attention a later start; the pair form has no fixup tail), 1x8+8d@512 the same; dn short -4..-6 us
# (-1..-1.5 %: ~0.8 us per MB of partials before a link, 256 KB less, and the norm's 8 -> 4 partial loads).
# Rule: a candidate joins the bundled rows if short (tiny: short; dec: every mix) is >= 1.5 % faster and nothing > +0.5 %.
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); G=$R/.gpu/s34
W=/tmp/s34c2out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
nvidia-smi > $W/smi.txt 2>&1
JAR=$G/v2.jar TESTS=$G/tests2.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
PK_ROPE_N16_ONLY=1 timeout $(left 30) $R/.gpu/kernel_check rope_fused > $W/kc-rope.txt 2>&1; prog "kernel_check rc=$?"
cd $(mktemp -d)
one() {  # $1 variant (b: bundled, a: candidate file $CH), $2 out name, rest: prefill options
  local v=$1 out=$W/res/$2.json; shift 2
  local extra=(); [ $v = a ] && extra=(--impl-choices $G/$CH)
  timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $G/v2.jar prefill --no-progress "${extra[@]}" "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$out failed"
}
pairs() {  # $1 tag, $2 reps, rest: options
  local tag=$1 n=$2; shift 2
  for rep in $(seq 1 $n); do
    vs="b a"; [ $((rep % 2)) = 0 ] && vs="a b"
    for v in $vs; do one $v $tag-$v-$rep "$@"; done
    prog "$tag pair $rep"
  done
}
CH=choices-tq.json pairs tq 3 --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000
CH=choices-tqod.json pairs tqod 3 --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000
CH=choices-dn.json pairs dn 3 --sizes 16 --prompts short --batch 2x8 --warmup 100 --iterations 300
CH=choices-dec.json pairs dec 2 --sizes 16 --mix 16d@2048,8d@512,1x8+8d@512 --warmup 50 --iterations 300
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
(cd /tmp && tar cJf $OUT/res.tar.xz s34c2out)
grep -E "m_dev16 ==" $W/kc-rope.txt | head -4 | cut -c1-60,150-330
grep -E "tests (successful|failed|skipped)" $W/gpu-tests.log
grep -E "✘|MethodSource" $W/gpu-tests.log | head -20
cat $W/table.txt
