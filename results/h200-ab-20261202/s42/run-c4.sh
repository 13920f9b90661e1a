#!/usr/bin/env bash
# s42 call 4 (s43's session, 2026-12-03), jar v5 (893cf21, main with v90 + v92: the set 073257's jar). The study (sweep 8:512:8,
# the serving study) for the report — attention's wg forms changed, so every size from 129 tokens on runs a new kernel; and
# the two rows set 073257 read slower than 135438 though no kernel of theirs changed (Llama short +2.6 %, tiny +5.4 % host),
# against v1 (cfaa8a7) in this lease.
# Prediction (written before the run): the sweep's graph GPU p50 at 8..128 within +-1.5 % of 064846's, 136..512 -1.5..-3 %
# (attention's increment 9.25 -> 7.65 us a layer at 512 in 073257's timeline); graphs buy the same or a little less from 136 on
# (the eager forward gains the same microseconds); Llama short and tiny v5 against v1 +-0.5 % (their kernels are the same
# bytes: the forms that changed are not in their plans), so 073257's readings are the lease.
source scripts/gpu/call-setup.sh s42c4 585
G=$R/.gpu/s42
mkdir -p $G/jd && tar -xJf $G/jars.tar.xz -C $G/jd
python3 scripts/gpu/jar_delta.py apply $G/v1.jar $G/jd v5 $G/v5.jar || exit 1
JAR=$G/v5.jar timeout $(left 400) bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_JAR_A=$G/v5.jar AB_OUT=$W/res
ab_pairs ls 2 --model llama-3.2-1b --sizes 16 --prompts short --warmup 100 --iterations 300 | tee -a $W/progress.txt
ab_pairs ts 2 --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog; gzip -9 $W/res/*.txt $W/study.log
(cd /tmp && tar cJf $OUT/res.tar.xz s42c4)
grep -h WARNING $W/log-study.txt | cut -c1-300 | head -5
cat $W/progress.txt; cat $W/table.txt
