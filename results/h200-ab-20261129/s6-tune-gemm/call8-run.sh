#!/bin/bash
# s6 call 8: tune-gemm (main HEAD): its GPU tests, the tuning of the bundled cuBLASLt rows, then prefill A/B
# bundled vs the tuned choices (ERNIE at 128/512, two runs each, alternating; Llama long, one run each)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c8; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s6/jar/bench.jar
JAR=$jar TESTS=$root/.gpu/s6/jar/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 90 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar --select-class io.prefillbench.cuda.CublasLtTuningGpuTest --select-class io.prefillbench.cuda.CublasLtMatmulGpuTest > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
cd $(mktemp -d)
timeout 150 java --enable-native-access=ALL-UNNAMED -jar $jar tune-gemm --json $L/res/impl-choices-tuned-h200.json > $L/tune-gemm.txt 2>&1; echo "tune rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
if [ -f $L/res/impl-choices-tuned-h200.json ]; then
for rep in 1 2; do for v in bundled tuned; do o=""; [ $v = tuned ] && o="--impl-choices $L/res/impl-choices-tuned-h200.json"
  timeout 80 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 128,512 --prompts long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress $o \
    --json $L/res/prefill-s6tune-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done
for v in bundled tuned; do o=""; [ $v = tuned ] && o="--impl-choices $L/res/impl-choices-tuned-h200.json"
  timeout 80 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --model llama-3.2-1b --sizes 512 --prompts long --warmup 30 --iterations 200 --no-progress $o \
    --json $L/res/prefill-s6tune-llama-$v-h200-$stamp.json > $L/ab-llama-$v.txt 2>&1 || echo "llama $v failed"
done
fi
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c8.tgz s6c8 && rm -rf s6c8)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -5
grep -E "^[0-9]+ x [0-9]+ at|wrote|rror" /tmp/x/tune-gemm.txt | head -24
for f in bundled-1 tuned-1 bundled-2 tuned-2 llama-bundled llama-tuned; do echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
