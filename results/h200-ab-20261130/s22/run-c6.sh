#!/bin/bash
# s22 call 6: the instruction audit of v56 on the other small kernels at 16. ncu source counters (executed instructions
# per SASS instruction) of add_rmsnorm (both norms), rope_kv_write and silu_mul of layer 5 in the engine's eager short
# forward at 16, application replay with caches as the chain leaves them; SASS with line info from the sm_90a cubin of
# 771e3aa (these kernels unchanged since). Call 1 put them at 271 (norm), 78 (rope) and 163 (silu) warp instructions per
# warp, 8-12 cycles per issue. Carry .gpu/jre.tar.xz, .gpu/s22/pk90a.cubin.xz and cli/target/bench.jar (fc60d05).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/cli/target/bench.jar
W=/tmp/s22c6out; rm -rf $W; mkdir -p $W; s=$(date +%s)
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null)
xz -dc .gpu/s22/pk90a.cubin.xz > /tmp/pk.cubin && nvdisasm -g -c /tmp/pk.cubin > /tmp/all-lineinfo.sass 2>&1
for k in add_rmsnorm rope_kv_write silu_mul; do
  awk -v k=".text.$k:" '$0 == k {f=1; print; next} f && /^\.text\./ {exit} f' /tmp/all-lineinfo.sass > $W/$k-lineinfo.sass
done
# matching launches per forward: 4 per layer (input_norm, rope, post_norm, silu); layer 5 of the first (eager) forward
(cd $(mktemp -d) && timeout $(left 200) $NCU --target-processes all --replay-mode application --cache-control none --clock-control none \
  -k 'regex:^(add_rmsnorm|rope_kv_write|silu_mul)$' --launch-skip 20 --launch-count 4 --section SourceCounters --import-source yes -o $W/l5src \
  java --enable-native-access=ALL-UNNAMED -jar $J prefill --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short --warmup 0 --iterations 1 --no-graph --no-profile --no-progress > $W/ncu-run.txt 2>&1; echo "ncu rc=$? $(( $(date +%s)-s )) s")
if [ -f $W/l5src.ncu-rep ]; then
  for i in 0 1 2 3; do
    $NCU --import $W/l5src.ncu-rep --launch-skip $i --launch-count 1 --page source --csv --print-source sass > $W/src-$i.csv 2>&1; echo "src $i rc=$? $(head -c 200 $W/src-$i.csv | tr '\n' ' ' | cut -c1-120)"
  done
fi
(cd /tmp && tar cJf $OUT/res.tar.xz --exclude='*.ncu-rep' s22c6out)
ls -la $W
