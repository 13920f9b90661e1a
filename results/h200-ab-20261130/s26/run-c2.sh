#!/usr/bin/env bash
# s26 call 2: kernel_check norm_fused again with the halves separated (mixed pairs, each kernel alone, PDL back to back).
set -u
W=$OUT
./.gpu/s26/kc_nf norm_fused > $W/kc-norm-fused.txt 2>&1; echo "kc rc=$?"
grep -E 'PDL back' $W/kc-norm-fused.txt | head -3 | sed 's/.*PDL back/PDL back/'
