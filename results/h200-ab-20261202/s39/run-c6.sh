#!/usr/bin/env bash
# s39 call 6, jar v5 (the review commits: RingDepthTest's gateUpRows helper, soloNorms' simplification; no kernel changed since
# call 4's 111/111). The final code's kernel checks in one lease: kernel_check ring256 (bits + PDL timings), memcheck and
# racecheck on kernel_check_nt ring256, and the GPU tests the review touched or that guard graph == eager and the CPU
# reference: RingDepthGpuTest, SoloNormsGpuTest, GraphEqualsEagerGpuTest, EngineVsCpuReferenceGpuTest.
source scripts/gpu/call-setup.sh s39c6 300
R=$(pwd); G=$R/.gpu/s39
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
timeout $(left 20) $R/.gpu/kernel_check ring256 > $W/kc-ring256.txt 2>&1; prog "kernel_check ring256 rc=$?"
for tool in memcheck racecheck; do
  timeout $(left 60) $CS --tool $tool --error-exitcode 99 $R/.gpu/kernel_check_nt ring256 > $W/san-$tool-ring256.txt 2>&1
  prog "$tool kernel_check_nt ring256 rc=$?"
done
JAR=$G/v5.jar TESTS=$G/tests5.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.RingDepthGpuTest --select-class io.prefillbench.engine.SoloNormsGpuTest \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --select-class io.prefillbench.engine.EngineVsCpuReferenceGpuTest > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu; gzip -9 $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s39c6)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
tail -1 $W/kc-ring256.txt; grep -h -E "ERROR SUMMARY|RACECHECK SUMMARY" $W/san-*.txt
cat $W/progress.txt
