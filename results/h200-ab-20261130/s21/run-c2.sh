#!/bin/bash
# s21 call 2: the rope-fused t32 attention kernel (attention_prefill_wg_early_t32_rope, branch s21-rope) alone, before its
# Java side: kernel_check attention_rope (the fused kernel == rope_kv_write + attention_prefill_wg_early_t32 bit for bit,
# output and both caches, over bf16 and split-K input, with and without bias, groups 8 / 5 / 4 / 2, prompts, prefixes,
# decodes, surplus grids, twice; and the pair's time vs the fused kernel's), then compute-sanitizer memcheck, racecheck
# and synccheck of the untimed build's same checks. Carry .gpu (kc2/: kernel_check of the working tree, -DNO_CUBLAS,
# sm_90a, timed and -DPREFILL_CHECK_NO_TIMING).
# Prediction (kernel alone, launches back to back without PDL): fused <= the pair minus ~2 us on the short prompt.
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s21c2out; rm -rf $W; mkdir -p $W; s=$(date +%s)
left() { local l=$(( 280 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc2/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(cd /tmp && timeout $(left 60) /tmp/kernel_check attention_rope > $W/kernel-check-attention-rope.txt 2>&1; prog "kernel_check attention_rope rc=$?")
(cd /tmp && timeout $(left 60) compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention_rope > $W/memcheck-attention-rope.txt 2>&1; prog "memcheck rc=$?")
(cd /tmp && timeout $(left 120) compute-sanitizer --tool racecheck /tmp/kernel_check_nt attention_rope > $W/racecheck-attention-rope.txt 2>&1; prog "racecheck rc=$?")
(cd /tmp && timeout $(left 40) compute-sanitizer --tool synccheck /tmp/kernel_check_nt attention_rope > $W/synccheck-attention-rope.txt 2>&1; prog "synccheck rc=$?")
(cd /tmp && tar cJf $OUT/res.tar.xz s21c2out)
grep -E "attention rope|PASSED|FAILED|checks failed" $W/kernel-check-attention-rope.txt | cut -c1-170
for f in $W/memcheck-*.txt $W/racecheck-*.txt $W/synccheck-*.txt; do echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1) | $(grep -c ' OK ' $f) OK"; done
cat $W/progress.txt
