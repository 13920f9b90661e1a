#!/bin/bash
# s21 call 10: kernel_check after the review moved run_attention's and test_attention_rope's paged-batch setup (query
# starts, page permutation, block tables, caches, tile map) into one attn_batch helper (harness only; kernels as call 9).
# Carry .gpu/kc2 (kernel_check of the working tree, timed and untimed). kernel_check attention: every check must pass
# with the same max_err / fails as call 9 (the same inputs: the helper draws the same random pages); memcheck of the
# untimed build's attention_rope checks.
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s21c10out; rm -rf $W; mkdir -p $W
for b in kernel_check kernel_check_nt; do xz -dc .gpu/kc2/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
(cd /tmp && timeout 60 /tmp/kernel_check attention > $W/kernel-check-attention.txt 2>&1; echo "kernel_check attention rc=$?")
(cd /tmp && timeout 40 compute-sanitizer --tool memcheck /tmp/kernel_check_nt attention_rope > $W/memcheck-attention-rope.txt 2>&1; echo "memcheck rc=$?")
(cd /tmp && tar cJf $OUT/res.tar.xz s21c10out)
grep -E "ALL PASSED|checks failed" $W/kernel-check-attention.txt
grep -h "ERROR SUMMARY" $W/memcheck-attention-rope.txt
