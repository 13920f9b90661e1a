#!/usr/bin/env bash
# v74.1 call 2: attention folded into o (kernel + chain checks, timings), sanitizers on the new kernel, the pdl chain.
set -u
export PATH=/usr/local/cuda/bin:$PATH
cd "$(dirname "$0")"
export PK_OPS=$PWD/ops16.txt
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv > $OUT/smi.txt 2>&1
./kernel_check attn_o > $OUT/attn_o.log 2>&1; echo "attn_o rc $?"
PK_ATTN_O_QUICK=1 timeout 200 compute-sanitizer --tool memcheck --error-exitcode 9 ./kernel_check attn_o > $OUT/memcheck.log 2>&1; echo "memcheck rc $?"
env -u PK_OPS PK_ATTN_O_QUICK=1 timeout 150 compute-sanitizer --tool racecheck --error-exitcode 9 ./kernel_check attn_o > $OUT/racecheck.log 2>&1; echo "racecheck rc $?"
./kernel_check attn_o > $OUT/attn_o2.log 2>&1; echo "attn_o (again) rc $?"
tail -n 3 $OUT/memcheck.log; tail -n 3 $OUT/racecheck.log
grep -E "FAIL|graph PDL replay|attn_o \[10\]" $OUT/attn_o.log $OUT/attn_o2.log | cut -c1-220
