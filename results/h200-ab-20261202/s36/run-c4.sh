#!/bin/bash
# s36 call 4, jar v5 (1a08e73, set 063905's jar). The study (sweep 8:512:8, the serving study) for the report; the GPU test
# whose count call 3 found stale (tests6.jar, 1 test: 69 library calls at 256, 52 at 512 after v78); then one candidate:
# choices-lr33 (the last layer on the last rows from 33, so at 64 too: 64 rows -> 32), two pairs at 64.
# Prediction (written before the run): the sweep at 8..64 within +-1.5 % of 043214's graph GPU p50, 72..512 -1..-2 %
# (the last rows); the test passes; lr33: 4x16@64 -0.5..+0.5 % (the gather's ~1 us link against the m64 -> m32 GEMMs,
# both streaming-bound at those rows): bundle 33..64 only if >= 0.5 % faster.
source scripts/gpu/call-setup.sh s36c4 585
R=$(pwd); J=$R/.gpu/s36/v5.jar
JAR=$J timeout $(left 400) bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
JAR=$J TESTS=$R/.gpu/s36/tests6.jar OUT=$W timeout $(left 60) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-method io.prefillbench.engine.GraphEqualsEagerGpuTest#bundledLibraryRowsLeaveOneLibraryEdgePerCall > $W/gpu-test-edges.log 2>&1
prog "edges test rc=$?"; rm -rf $W/junit-gpu
source scripts/gpu/ab-pairs.sh
AB_JAR=$J AB_OUT=$W/res AB_CHOICES_DIR=$R/.gpu/s36
CH=choices-lr33.json ab_pairs lr33 2 --sizes 64 --batch 4x16 --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog; gzip -9 $W/res/*.txt $W/study.log
(cd /tmp && tar cJf $OUT/res.tar.xz s36c4)
grep -h WARNING $W/log-study.txt | cut -c1-300 | head -5
zcat $W/study.log.gz | tail -8
grep -E "tests (successful|failed)" $W/gpu-test-edges.log; grep "✘" $W/gpu-test-edges.log | head -3
cat $W/progress.txt
cat $W/table.txt
