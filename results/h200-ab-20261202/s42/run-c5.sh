#!/usr/bin/env bash
# s42 call 5 (s43's session): tiny at 16, v1 (cfaa8a7) against v5 (893cf21), two more pairs, and a null (v5 against itself,
# one pair; all the session's device time left allows). Call 4 read v5 +3.6 % graph GPU p50 (+1.9 / +0.7 us), its eager host +26 %, though every kernel in tiny's
# plan has the same PTX in both jars (only the four wg full-path entries differ) and the Java code is the same.
# Prediction (written before the run): v5 against v1 within +-1 us in mixed signs, the null alike: the host per process.
source scripts/gpu/call-setup.sh s42c5 45
G=$R/.gpu/s42
mkdir -p $G/jd && tar -xJf $G/jars.tar.xz -C $G/jd
python3 scripts/gpu/jar_delta.py apply $G/v1.jar $G/jd v5 $G/v5.jar || exit 1
(uptime; nproc) > $W/host-before.txt 2>&1
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v1.jar AB_JAR_A=$G/v5.jar AB_OUT=$W/res
ab_pairs ts 2 --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 | tee -a $W/progress.txt
AB_JAR=$G/v5.jar AB_JAR_A=$G/v5.jar AB_OUT=$W/res0
ab_pairs t0 1 --model tiny --sizes 16 --prompts short --warmup 100 --iterations 1000 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt; python3 $R/scripts/gpu/ab-table.py $W/res0 b >> $W/table.txt
rm -f $W/res*/*.hlog; gzip -9 $W/res*/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s42c5)
cat $W/progress.txt; cat $W/table.txt
