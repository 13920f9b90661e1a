#!/usr/bin/env bash
# s39 call 2, jar v1 (42eee40) and kernel_check with PK_NORM_SMEM (this session).
# 1. kernel_check ring256 again (its time-only lines printed the bundled tile and planes wrong in call 1: fmt takes a double).
# 2. The norm link's cost (harness chain, ERNIE-4.5-0.3B's plain plan at 16 from the jar's op dump, graph replay, PDL):
#    the input and post norms (2.1 / 2.5 us a layer in the chain for one L2 round trip of ~0.6 us of work) run on 16 SMs,
#    and at their entry they let the next GEMM launch, whose blocks fill every SM's free shared memory - the norms' SMs too -
#    and issue five stages of weight copies each before their PDL wait. If those copies, queued on the norms' own SMs, delay
#    the norms' partial-sum reads (v48.1 and v80 saw DRAM streams in flight slow the norms), launching the norms with 160000
#    bytes of unused dynamic shared memory (no 72 KB GEMM block fits beside it) shortens the norm links by up to ~1 us each;
#    the GEMMs lose 16 SMs' worth of pre-wait prefetch (ERNIE's gate_up: 192 blocks on 116 SMs still fit, three per SM).
#    Prediction: the fused PDL graph of the 16 chain -0..-2 % (-0..-36 us over 36 norms); if it is the DRAM queue (all SMs),
#    not the norms' SMs, +-0.5 %. Three runs each, alternating.
# 3. Llama-3.2-1B's sweep 8..512 step 8 on the current jar (results/ holds 20261130-000028, from d53ffdc, before v35..v83).
source scripts/gpu/call-setup.sh s39c2 585
R=$(pwd); G=$R/.gpu/s39
timeout $(left 20) $R/.gpu/kernel_check ring256 > $W/kc-ring256.txt 2>&1; prog "kernel_check ring256 rc=$?"
for rep in 1 2 3; do
  order="0 160000"; [ $((rep % 2)) = 0 ] && order="160000 0"
  for ns in $order; do
    PK_OPS=$G/ops-ernie.txt PK_NORM_SMEM=$ns timeout $(left 60) $R/.gpu/kernel_check pdl > $W/kc-pdl-$ns-$rep.txt 2>&1
    prog "pdl norm_smem=$ns rep $rep rc=$? $(grep -h 'T=10.*graph replay' $W/kc-pdl-$ns-$rep.txt | sed 's/.*graph replay//')"
  done
done
stamp=$(date -u +%Y%m%d-%H%M%S)
timeout $(left 330) java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill --model llama-3.2-1b --sweep 8:512:8 --no-progress \
  --json $W/sweep-llama-3.2-1b-h200-$stamp.json > $W/sweep-llama.txt 2>&1
prog "llama sweep rc=$?"
gzip -9 $W/sweep-llama.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s39c2)
grep -E "ALL PASSED|FAIL" $W/kc-pdl-*.txt | head -8
grep -h "skipped" $W/kc-pdl-0-1.txt | head -5
cat $W/progress.txt
grep "bundled kernel" $W/kc-ring256.txt | sed 's/  max_err.*fails [0-9/]*//' | cut -c1-170
