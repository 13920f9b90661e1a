#!/bin/bash
# s22 call 2: where the t32 attention's post-wait instructions go. Call 1's ncu (layer 5 of the eager short forward,
# caches as left): ~25 k warp instructions, 6.8 cycles per issue, the link 3.2 us in the chain: the split path's
# instruction count, not its loads, is the cost. SASS of attention_prefill_wg_early_t32 (sm_90a cubin of 771e3aa built
# here with -lineinfo, carried as .gpu/s22/pk90a.cubin) with line info, and ncu source counters (executed instructions
# and stall samples per SASS instruction) of that kernel on kernel_check's short 1x10 launch (kc2 = current sources).
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s22c2out; rm -rf $W; mkdir -p $W; s=$(date +%s)
left() { local l=$(( 240 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
CB=.gpu/s22/pk90a.cubin
PATH=$PATH:/usr/local/cuda/bin
cuobjdump -sass -fun attention_prefill_wg_early_t32 $CB > $W/t32.sass 2>&1; echo "sass rc=$? $(wc -l < $W/t32.sass) lines"
cuobjdump -sass -fun rope_kv_write $CB > $W/rope.sass 2>&1
cuobjdump -sass -fun add_rmsnorm $CB > $W/norm.sass 2>&1
nvdisasm -g -c $CB > $W/all-lineinfo.sass 2>&1; echo "nvdisasm rc=$?"
xz -dc .gpu/kc2/kernel_check_nt.xz > /tmp/kernel_check_nt && chmod +x /tmp/kernel_check_nt
(cd /tmp && timeout $(left 90) $NCU --kernel-name attention_prefill_wg_early_t32 --launch-skip 2 --launch-count 1 --cache-control none \
  --section SourceCounters --section WarpStateStats --section LaunchStats --import-source yes -o $W/t32src /tmp/kernel_check_nt attention_rope > $W/ncu-run.txt 2>&1; echo "ncu rc=$?")
if [ -f $W/t32src.ncu-rep ]; then
  $NCU --import $W/t32src.ncu-rep --page source --csv --print-source sass > $W/t32-source-sass.csv 2>&1; echo "source sass rc=$?"
  $NCU --import $W/t32src.ncu-rep --page source --csv --print-source cuda > $W/t32-source-cuda.csv 2>&1; echo "source cuda rc=$?"
  $NCU --import $W/t32src.ncu-rep --page details > $W/t32-details.txt 2>&1
fi
(cd /tmp && tar cJf $OUT/res.tar.xz --exclude='*.ncu-rep' s22c2out)
ls -la $W; head -3 $W/t32-source-sass.csv 2>/dev/null | cut -c1-400
