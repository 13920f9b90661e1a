#!/usr/bin/env bash
# s45 call 1: the per-GEMM table against cuBLASLt on the forward's own kernels (prefill --vs-cublas, new this session), for
# ERNIE-4.5-0.3B and Llama-3.2-1B at the capture sizes 16, 64, 128 and 512, one fresh prompt of exactly each size (every row a
# real row, so ours and the library compute the same rows); plus the GPU test that checks the two timing methods agree where
# they time the same library kernel (LibraryColumnGpuTest) and every GPU test on this jar.
# Why: results/gemm-table-h200-20261129-164337.txt, the only per-GEMM table in results/, times the mma.sync kernels of the
# first morning (gemm_bf16, gemm_bf16_large), which no plan runs since v4 / v25 / v37; the GEMM target
# ("every GEMM at 512 at least as fast as cuBLAS; at <= 64 rows >= 3 TB/s") was read from chain increments instead.
# Prediction (from the chain timelines, 073257 / 135438): ERNIE at 512 qkv / o / down on cuBLASLt ~1.0x (the same kernel),
# gate_up (ours, SiLU fused) 1.0-1.2x of cuBLASLt's plain GEMM; at 16 the streaming kernels 2.5-3.5 TB/s of weights for
# gate_up / down, qkv + rope and o + attention well under (latency links); cuBLASLt at 16 ~1.5-2.5 TB/s.
# No rule: a measurement, no row changes.
source scripts/gpu/call-setup.sh s45c1 585
G=$R/.gpu/s45
J=$G/s45.jar
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv > $W/nvidia-smi.txt 2>&1
for m in ernie-4.5-0.3b llama-3.2-1b; do
  timeout $(left 150) java --enable-native-access=ALL-UNNAMED -jar $J prefill --no-progress --model $m --sizes 16,64,128,512 \
    --prompt-lens 16,64,128,512 --profile --vs-cublas --warmup 20 --iterations 100 --json $W/res/gemm-vs-cublas-$m.json \
    > $W/res/gemm-vs-cublas-$m.md 2> $W/res/gemm-vs-cublas-$m.err
  prog "prefill --vs-cublas $m rc=$?"
done
JAR=$J TESTS=$G/s45-tests.jar OUT=$W timeout $(left 100) bash scripts/gpu-tests.sh $R/.gpu/junit.jar \
  --select-class io.prefillbench.engine.LibraryColumnGpuTest --select-class io.prefillbench.engine.OpProfileGpuTest > $W/gpu-tests-lib.log 2>&1
prog "LibraryColumnGpuTest + OpProfileGpuTest rc=$?"
JAR=$J TESTS=$G/s45-tests.jar OUT=$W timeout $(left 200) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "every GPU test rc=$?"; rm -rf $W/junit-gpu
rm -f $W/res/*.hlog; gzip -9 $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s45c1)
grep -E "tests (successful|failed)" $W/gpu-tests-lib.log; grep -E "✘|expected" $W/gpu-tests-lib.log | head -4
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -5
cat $W/progress.txt | tr '\n' ';'; echo
for m in ernie-4.5-0.3b llama-3.2-1b; do echo "== $m"; grep -E "^\| [0-9]+ x [0-9]+ \| [0-9]+ \| .*x \|$" $W/res/gemm-vs-cublas-$m.md | cut -c1-160; done
