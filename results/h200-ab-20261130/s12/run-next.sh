#!/bin/bash
# Prepared in the twelfth session for the next one's first call (not run). Call 7's row links put a PDL chain link that
# writes 512 KB at 2.5 us against 1.0 for one that writes 32 KB. The split-K GEMMs at 16 rows write 0.65-1 MB of fp32
# partials each (o and down at 16 splits, qkv 8, gate_up 2). Here: launch_cost's split-K-shaped pairs (a 256-block
# writer of 64 KB / 256 KB / 1 MB, then a 16-block reader of all of it) — if the pair's cost grows ~1.5 us from 64 KB to
# 1 MB, the partials' stores are what the "small" kernels after each GEMM pay, and the next candidate is a split-K
# reduced inside a thread-block cluster (one bf16 or fp32 row written instead of S planes; NOTES-forward, "After the
# twelfth session"). Here first: nvcc -O3 -std=c++17 -arch=sm_90 -I kernels/include kernels/check/launch_cost.cu -o X;
# xz it into .gpu/s13/launch_cost.xz; carry .gpu/s13.
cd "$(dirname "$0")/../../.."
mkdir -p /tmp/lc && xz -dkc .gpu/s13/launch_cost.xz > /tmp/lc/launch_cost && chmod +x /tmp/lc/launch_cost
/tmp/lc/launch_cost 170 51 16 128 > $OUT/launch-cost-pairs.txt 2>&1; echo "rc=$?"
tail -12 $OUT/launch-cost-pairs.txt
