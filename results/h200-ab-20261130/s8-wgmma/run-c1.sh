#!/bin/bash
# s8 call 1: the wgmma GEMM harness (checks + timing vs cuBLAS), compute-sanitizer on its quick mode, GPU tests on HEAD 27f0363
cd "$(dirname "$0")/../.."
set -u
root=$PWD; L=$OUT/s8c1; mkdir -p $L
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
xz -dkc .gpu/s8/wgc.xz > /tmp/wgc && xz -dkc .gpu/s8/wgc_san.xz > /tmp/wgc_san && chmod +x /tmp/wgc /tmp/wgc_san
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $L/gpu.txt 2>&1
s=$(date +%s); timeout 240 /tmp/wgc > $L/wgc.log 2>&1; echo "wgc rc=$? $(( $(date +%s)-s )) s"
s=$(date +%s); timeout 120 compute-sanitizer --tool memcheck /tmp/wgc_san quick > $L/wgc-memcheck.log 2>&1; echo "memcheck rc=$? $(( $(date +%s)-s )) s"; tail -3 $L/wgc-memcheck.log
s=$(date +%s); timeout 120 compute-sanitizer --tool racecheck /tmp/wgc_san quick 128x128s5l1 > $L/wgc-racecheck.log 2>&1; echo "racecheck rc=$? $(( $(date +%s)-s )) s"; tail -2 $L/wgc-racecheck.log
(command -v cuobjdump >/dev/null && cuobjdump -sass /tmp/wgc | grep -c -i "HGMMA" > $L/hgmma-count.txt) 2>/dev/null
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
s=$(date +%s); JAR=$root/.gpu/s8/jh/bench.jar TESTS=$root/.gpu/s8/jh/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
grep -E "tests (successful|failed|aborted)" $L/gpu-tests.log | head -4
grep -c FAIL $L/wgc.log; grep -E "^TABLE|ALL OK|SOME CHECKS" $L/wgc.log | sed 's/TABLE //'
(cd $OUT && tar czf s8c1.tgz s8c1 && rm -rf s8c1)
