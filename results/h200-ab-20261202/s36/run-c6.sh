#!/bin/bash
# s36 call 6, jar v7 (c065208, main: the last_rows row at 33..512 bundled). compute-sanitizer memcheck of the engine where the
# session's calls had none: tiny with the last rows at 1..64 beside its attention_into_o fold at 16 (choices-lrt.json; call 2's
# run met the fold conflict before the fix) and ERNIE at 64 on the bundled 33..64 row (4x16, a 40-token prompt).
# Prediction: 0 errors each.
source scripts/gpu/call-setup.sh s36c6 150
R=$(pwd); G=$R/.gpu/s36
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
cd $(mktemp -d)
timeout $(left 60) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v7.jar prefill --no-progress \
  --model tiny --impl-choices $G/choices-lrt.json --sizes 16,64 --prompt-lens 10,100 --batch 3x20 --max-num-seqs 8 \
  --max-model-len 512 --warmup 1 --iterations 3 --json $W/san-engine-tiny.json > $W/san-memcheck-engine-tiny.txt 2>&1
prog "memcheck engine tiny rc=$?"
timeout $(left 80) $CS --tool memcheck --error-exitcode 99 java --enable-native-access=ALL-UNNAMED -jar $G/v7.jar prefill --no-progress \
  --sizes 64 --batch 4x16 --prompt-lens 40 --warmup 1 --iterations 2 --warmup-ms 0 --prime-ms 0 \
  --json $W/san-engine-ernie64.json > $W/san-memcheck-engine-ernie64.txt 2>&1
prog "memcheck engine ernie 64 rc=$?"
rm -f $W/*.hlog
(cd /tmp && tar cJf $OUT/res.tar.xz s36c6)
grep -h "ERROR SUMMARY" $W/san-*.txt
cat $W/progress.txt
