#!/usr/bin/env bash
# s37 call 8, jar v4 (9c3039a, the session's last code: the review's streamAttnFold builder for the two attention-into-o forms).
# The GPU tests that reach the changed registry rows and the session's options: AttentionIntoOGpuTest (ERNIE / Llama half-width
# folds, Llama k256, tiny / tiny-bias), RingDepthGpuTest (nine- and five-stage rows bit for bit), FreshGraphGpuTest and
# LastRowsGpuTest (the bundled fold at 16). Prediction: all pass (the lowering dumps the same ops before and after).
source scripts/gpu/call-setup.sh s37c8 300
R=$(pwd); G=$R/.gpu/s37
JAR=$G/v4.jar TESTS=$G/tests4.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.AttentionIntoOGpuTest --select-class io.prefillbench.engine.RingDepthGpuTest \
  --select-class io.prefillbench.engine.FreshGraphGpuTest --select-class io.prefillbench.engine.LastRowsGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s37c8)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -8
cat $W/progress.txt
