#!/usr/bin/env bash
# s37 call 2, jar v1 (b621dc7, as call 1). Candidate ek (choices-ek.json): ERNIE-4.5-0.3B's o in the fresh-prompt graph at 1..16
# on the plain 16-row tile at k / 256 = 4 splits with the k256 fold (64 blocks, a kv head's four q heads per block) instead of
# the bundled half-width fold at 8 splits (256 blocks).
# Prediction (call 1's kernel_check attn_o, PDL back to back: k256 s4 3.94 us against the half-width fold's 4.37; post_norm then
# reads 4 fp32 planes instead of 8, ~256 KB less written before its link): ~-0.6 us a layer x 18 = -11 us, ERNIE short -2.8 %,
# 2x8 -2..-3 %. Rule written before the run: bundle if ERNIE short >= 1 % faster in the median of pairs and 2x8 >= 0.5 %, no pair
# > +0.3 %. Also: memcheck of the engine on ek (short and 2x8 at 16).
source scripts/gpu/call-setup.sh s37c2 400
R=$(pwd); G=$R/.gpu/s37
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_OUT=$W/res
CH=choices-ek.json ab_pairs ek 3 --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-ek.json ab_pairs ek28 3 --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --no-progress \
  --impl-choices $G/choices-ek.json --sizes 16 --prompts short --batch 2x8 --warmup 1 --iterations 2 \
  --warmup-ms 0 --prime-ms 0 --json $W/san-engine-ek.json > $W/san-memcheck-engine-ek.txt 2>&1
prog "memcheck engine ek rc=$?"
cd $R
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s37c2)
grep -h -E "ERROR SUMMARY" $W/san-*.txt
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
