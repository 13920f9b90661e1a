#!/bin/bash
# s21 call 5: why the fused t32_rope kernel alone takes ~20.5 k cycles against t32's 11.2 k on the short prompt (call 4's
# ncu; its prologue's loads are issued together per the SASS). ncu stall breakdown (every issue_stalled metric) and
# source counters of both kernels on kernel_check attention_rope's short 1x10 launch, plus the fused kernel on the 2x8
# launch. Reading to test: instruction-fetch stalls of the unrolled prologue (4048 SASS instructions) vs load latency.
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s21c5out; rm -rf $W; mkdir -p $W; s=$(date +%s)
left() { local l=$(( 200 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
xz -dc .gpu/kc2/kernel_check_nt.xz > /tmp/kernel_check_nt && chmod +x /tmp/kernel_check_nt
M='regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio|smsp__cycles_active\.avg|sm__cycles_elapsed\.max|smsp__inst_executed\.sum'
(cd /tmp && timeout $(left 60) ncu --kernel-name attention_prefill_wg_early_t32_rope --launch-skip 4 --launch-count 1 --metrics "$M" --section SourceCounters /tmp/kernel_check_nt attention_rope > $W/ncu-rope.txt 2>&1; echo "rope rc=$?")
(cd /tmp && timeout $(left 60) ncu --kernel-name attention_prefill_wg_early_t32 --launch-skip 2 --launch-count 1 --metrics "$M" --section SourceCounters /tmp/kernel_check_nt attention_rope > $W/ncu-t32.txt 2>&1; echo "t32 rc=$?")
(cd /tmp && tar cJf $OUT/res.tar.xz s21c5out)
for f in rope t32; do echo "== $f"; grep -E 'issue_stalled|cycles|inst_executed' $W/ncu-$f.txt | awk '{print $1, $NF}' | sort -k2 -g -r | head -14; done
