#!/bin/bash
# s28 call 5: launch_cost's fixed-cost table with a fifth form — the batch metadata as the first link's kernel parameters
# (14.6 KB, written into the instantiated graph's node before each launch with cudaGraphExecKernelNodeSetParams, inside the
# timed interval), the last link's completion word as in form 4 (call 1: -1.19 us at 26 links against cudaStreamSynchronize).
# Why: call 1's table puts the mapped copy-in at ~3.6 us of GPU time over the bare links (17.22 vs 13.57 at 26 links): an
# SM's reads of pinned host memory over PCIe, then link 2's launch without PDL; parameters reach the constant bank with
# the launch. Prediction: params + word 26 links 16.5-18 us host (word alone 18.97), if the node update costs <= 1 us on
# the host. Rule (written before the run): the engine gets the params path and the word (one option) only if together they
# take >= 2.5 us off the 26-link forward against the mapped form's 20.16 — otherwise recorded, not built.
# Carry .gpu/s28/launch_cost.
cd "$(dirname "$0")/../../.."
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
for round in 1 2 3; do timeout 100 .gpu/s28/launch_cost 169 51 16 128 > $OUT/launch-cost-$round.txt 2>&1; echo "round $round rc=$?"; done
grep -h "^| fixed cost | [a-z]" $OUT/launch-cost-*.txt | sort -t'|' -k3,3 -k4,4n
