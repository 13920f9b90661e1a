#!/bin/bash
# s6 call 11: the final main HEAD: every GPU test
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c11; mkdir -p $L; s=$(date +%s); root=$PWD
JAR=$root/.gpu/s6/jar/bench.jar TESTS=$root/.gpu/s6/jar/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 120 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
grep -E "tests (successful|failed|aborted|skipped)|✘" $L/gpu-tests.log | head -8
(cd $OUT && tar czf s6c11.tgz s6c11 && rm -rf s6c11)
