#!/usr/bin/env bash
# s40 call 3, jar v3 (the session's last code: v87.1 as an option, not bundled; the review's test helper
# EngineTestSupport.eagerRuns). Every GPU test on it. Prediction (written before): 113/113 (111 of s39 + ArgmaxFoldGpuTest's two
# cases); no bundled row changed, so the results set 135438 is not re-run.
source scripts/gpu/call-setup.sh s40c3 585
R=$(pwd); G=$R/.gpu/s40
JAR=$G/v3.jar TESTS=$G/tests3.jar OUT=$W timeout $(left 400) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s40c3)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
cat $W/progress.txt
