#!/bin/bash
# Prepared in the tenth session for the next one's first call (not run). Main's attention kernels are the ones the tenth
# session tested; the review that makes them share their helpers is on branch s10-attn-helpers (PTX instruction
# multisets unchanged, never on a GPU). Run this script on that branch's build to check it, then merge it. Here first:
#   on branch s10-attn-helpers (rebased on main), build the jars (mvn -B -ntp -o -q package -DskipTests -Dkernels.required=true), copy bench.jar (xz -9) and the tests
#   jar into .gpu/s11/j, junit (xz -9) too; build the harness twice (kernels/check/run-check.sh's flags, sm_90a; and
#   -DPREFILL_CHECK_NO_TIMING -DNO_CUBLAS -diag-suppress 128) into .gpu/s11/j/kc.xz and kc-san.xz, and a third time with
#   -DPK_ATTN_WG_MIN_BLOCKS=1 (the wg form at 168 registers instead of 128) into .gpu/s11/j/kc-minb1.xz.
# The harness's cold decode rows now time every form (4-warp, kh, wg) on 31x(1@2048), 64x(1@1024), 32x(1@4000): v31's
# decode regression (+9..29 % in the forward) alone, and whether the register cap is its cause (kc-minb1).
# Carry .gpu/jre.tar.xz and .gpu/s11 (the working tree is ~39 MB: watch the 64 MiB limit; archive every output under
# $OUT: files left loose there are capped at a few and the rest are lost).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s11; mkdir -p $W; s=$(date +%s); J=/tmp/s11j; mkdir -p $J
for f in bench.jar junit.jar kc kc-san kc-minb1; do xz -dkc .gpu/s11/j/$f.xz > $J/$f; done; chmod +x $J/kc $J/kc-san $J/kc-minb1
cp .gpu/s11/j/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
timeout 120 $J/kc attention > $W/kc-attention.log 2>&1; echo "kc attention rc=$? $(( $(date +%s)-s )) s"
timeout 120 $J/kc-minb1 attention > $W/kc-minb1-attention.log 2>&1; echo "kc-minb1 attention rc=$? $(( $(date +%s)-s )) s"
for t in memcheck racecheck; do timeout 150 compute-sanitizer --tool $t $J/kc-san attention > $W/kc-san-$t.log 2>&1; echo "$t rc=$?"; done
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 150 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $W/junit-gpu; (cd /tmp && tar czf $OUT/s11.tgz s11)
grep -E "FAIL|ALL OK|SOME" $W/kc-attention.log $W/kc-minb1-attention.log | head -10
grep -E "perf .* cold" $W/kc-attention.log | head -30; grep -E "wg perf .* cold" $W/kc-minb1-attention.log
for t in memcheck racecheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/kc-san-$t.log | tail -1)"; done
grep -E "tests (successful|failed|aborted)" $W/gpu-tests.log
