#!/usr/bin/env bash
# s26 call 3: the 8-stage norm forms, resadd at every split (mixed pairs, each kernel alone, PDL back to back).
set -u
W=$OUT
./.gpu/s26/kc_nf norm_fused > $W/kc-norm-fused.txt 2>&1; echo "kc rc=$?"
grep -E 'PDL back' $W/kc-norm-fused.txt | sed 's/ *OK .*PDL back/: PDL back/'
