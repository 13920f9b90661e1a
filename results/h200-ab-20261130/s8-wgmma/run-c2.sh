#!/bin/bash
# s8 call 2: wgmma GEMM harness with the TMA warp-specialized kernels; memcheck + racecheck on the quick mode
cd "$(dirname "$0")/../.."
set -u
L=$OUT/s8c2; mkdir -p $L
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
xz -dkc .gpu/s8/wgc.xz > /tmp/wgc && xz -dkc .gpu/s8/wgc_san.xz > /tmp/wgc_san && chmod +x /tmp/wgc /tmp/wgc_san
s=$(date +%s); timeout 100 compute-sanitizer --tool memcheck /tmp/wgc_san quick T > $L/wgc-memcheck.log 2>&1; echo "memcheck rc=$? $(( $(date +%s)-s )) s"; tail -2 $L/wgc-memcheck.log
s=$(date +%s); timeout 100 compute-sanitizer --tool racecheck /tmp/wgc_san quick T128x128 > $L/wgc-racecheck.log 2>&1; echo "racecheck rc=$? $(( $(date +%s)-s )) s"; tail -2 $L/wgc-racecheck.log
s=$(date +%s); timeout 100 compute-sanitizer --tool synccheck /tmp/wgc_san quick T64x64s4 > $L/wgc-synccheck.log 2>&1; echo "synccheck rc=$? $(( $(date +%s)-s )) s"; tail -2 $L/wgc-synccheck.log
s=$(date +%s); timeout 300 /tmp/wgc > $L/wgc.log 2>&1; echo "wgc rc=$? $(( $(date +%s)-s )) s"
grep -c FAIL $L/wgc.log; grep -E "^TABLE|ALL OK|SOME CHECKS" $L/wgc.log | sed 's/TABLE //'
(cd $OUT && tar czf s8c2.tgz s8c2 && rm -rf s8c2)
