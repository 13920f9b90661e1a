#!/bin/bash
# Session 10, call 3 (v31.1: a ring of 3 pages per key half, its own named barrier; harness only, as call 2): kernel_check attention (every form against the
# float64 reference, the bitwise checks, timings 1x480 / 4x80 / 8x512 against v0), then memcheck and racecheck of the
# no-timing build's attention family. Carry .gpu/s10/attn.
cd "$(dirname "$0")/../../.."
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/c3; mkdir -p $L; s=$(date +%s)
xz -dkc .gpu/s10/attn/kc.xz > /tmp/kc && xz -dkc .gpu/s10/attn/kc-san.xz > /tmp/kc-san && chmod +x /tmp/kc /tmp/kc-san
timeout 200 /tmp/kc attention > $L/kc-attention.log 2>&1; echo "kc attention rc=$? $(( $(date +%s)-s )) s"
for t in memcheck racecheck; do timeout 170 compute-sanitizer --tool $t /tmp/kc-san attention > $L/kc-san-$t.log 2>&1; echo "$t rc=$? $(( $(date +%s)-s )) s"; done
grep -E "FAIL|ALL OK|SOME" $L/kc-attention.log | head -20
grep -E "perf" $L/kc-attention.log | grep -v "^ " | head -30
grep -E "wg" $L/kc-attention.log | head -30
for t in memcheck racecheck; do echo "$t: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $L/kc-san-$t.log | tail -1) $(grep -cE 'FAIL' $L/kc-san-$t.log) fails"; done
