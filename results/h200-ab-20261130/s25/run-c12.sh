#!/bin/bash
# s25 call 12: GraphEqualsEagerGpuTest after the review's refactor (its two rope-fusion tests share assertRopeFusedForward;
# no main class changed since abf9e01's bundled forward: the jar's main classes are the set's).
# Carry .gpu/jre.tar.xz, .gpu/s25/v66d.jar, .gpu/s25/td.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/s25c12out; rm -rf $W; mkdir -p $W
JAR=$(pwd)/.gpu/s25/v66d.jar TESTS=.gpu/s25/td/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 300 bash scripts/gpu-tests.sh .gpu/s25/td/junit.jar --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest > $W/gpu-tests-gee.log 2>&1
echo "rc=$?" >> $W/gpu-tests-gee.log; rm -rf $W/junit-gpu
cp $W/gpu-tests-gee.log $OUT/
grep -E "✘|tests (successful|failed)|rc=" $W/gpu-tests-gee.log | sed 's/\x1b\[[0-9;]*m//g' | tail -8
