#!/usr/bin/env bash
# s38 call 2: a screen before any engine work. kernel_check ringk (harness-only kernels, kernel_check.cu at this commit): the
# plain 16-row streaming tile with 128-deep k stages (16 KB of weights per stage instead of 8 KB) at 3 / 4 / 5 stages against
# the bundled six-stage kernel on Llama-3.2-1B's gate_up (SiLU), down (s8, s4), o (s8), qkv (s4) at 16 rows: bits and PDL
# back-to-back times. Why: Llama's big GEMMs stream at 3.6-3.7 TB/s in the chain and ~2.8 alone L2-hot (v48.1), the kernel's
# own rate; the probes (NOTES-gemm-stream call 2, 1 block per SM, 128 threads) give 2.95 TB/s at 8 KB stages, 3.35-3.47 at
# 16 KB. Prediction: bits equal everywhere; gate_up SiLU 20.5 -> ~17-18 us at s3 (same residency), down 7.3 -> ~6.5.
# Rule for engine work: >= 10 % faster than six stages on gate_up and not slower on down at some depth.
source scripts/gpu/call-setup.sh s38c2 300
R=$(pwd)
timeout $(left 120) $R/.gpu/kernel_check ringk > $W/kc-ringk.txt 2>&1; prog "kernel_check ringk rc=$?"
cp $W/kc-ringk.txt $OUT/
grep -E "k128" $W/kc-ringk.txt | tail -20; tail -2 $W/kc-ringk.txt
