#!/bin/bash
# s7 call 8: every GPU test on the final HEAD
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c8; mkdir -p $L; s=$(date +%s); root=$PWD
JAR=$root/.gpu/s7/jf/bench.jar TESTS=$root/.gpu/s7/jf/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
grep -E "tests (successful|failed|aborted)|✘" $L/gpu-tests.log | head -8
(cd $OUT && tar czf s7c8.tgz s7c8 && rm -rf s7c8)
