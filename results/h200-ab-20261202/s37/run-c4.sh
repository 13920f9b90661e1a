#!/usr/bin/env bash
# s37 call 4, jar v1 (b621dc7). ek again, more pairs: call 3's in-graph timeline put ek's span at 395.7 -> 383.4 us (-3.1 %, the
# prediction) where call 2's event-timed A/B read -0.7 % (short) / -1.0 % (2x8). Five pairs of short, four of 2x8, three of a
# 7-token prompt, graph GPU and host p50. Rule (written before): bundle if short and 2x8 are each >= 1 % faster in the median
# of this call's pairs and no workload's median is > +0.3 %.
source scripts/gpu/call-setup.sh s37c4 400
R=$(pwd); G=$R/.gpu/s37
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_OUT=$W/res
CH=choices-ek.json ab_pairs ek 5 --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-ek.json ab_pairs ek28 4 --sizes 16 --batch 2x8 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-ek.json ab_pairs ek7 3 --sizes 16 --prompt-lens 7 --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog $W/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s37c4)
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
