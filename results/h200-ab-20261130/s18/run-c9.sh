#!/bin/bash
# s18 call 9: the review's harness change (kernel_check's two L2 probes, prefetch and streaml2, time through one helper,
# l2_probe_us, instead of two copies of the same event loop). Carry .gpu/s18/c9 (kernel_check, sm_90a). Both probes must
# still run and pass; their times are diagnostics (calls 2 and s1 have the earlier readings).
cd "$(dirname "$0")/../../.."
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
xz -dc .gpu/s18/c9/kernel_check.xz > /tmp/kc && chmod +x /tmp/kc
mkdir -p /tmp/s18c9out
for f in prefetch streaml2; do timeout 120 /tmp/kc $f > /tmp/s18c9out/kernel-check-$f.txt 2>&1; echo "$f rc=$?"; done
(cd /tmp && tar cJf $OUT/res.tar.xz s18c9out)
grep -hE "layer GEMMs m=|^(qkv|o|gate_up|down) |ALL PASSED|checks failed" /tmp/s18c9out/*.txt
