#!/bin/bash
# Session 12, call 7: launch_cost with its new row links (chain_rows): what a link that moves a row's bytes costs a
# PDL graph chain — one 2 KB row per block in and out, plus a block reduction, 16 planes in (the norm's split-K read,
# 64 KB per block) with and without the reduction, 16 planes in and out. Call 2's table: empty 0.44 us, one dependent
# round trip 0.50. The norm at 16 costs the engine's chain 2.8-3.1 us. Carry .gpu/s12/g.
cd "$(dirname "$0")/../../.."
mkdir -p /tmp/lc && xz -dkc .gpu/s12/g/launch_cost.xz > /tmp/lc/launch_cost && chmod +x /tmp/lc/launch_cost
/tmp/lc/launch_cost 170 51 16 128 > $OUT/launch-cost-rows.txt 2>&1; echo "rc=$?"
/tmp/lc/launch_cost 170 51 128 128 > $OUT/launch-cost-rows-g128.txt 2>&1; echo "rc=$?"
tail -12 $OUT/launch-cost-rows.txt; tail -6 $OUT/launch-cost-rows-g128.txt
