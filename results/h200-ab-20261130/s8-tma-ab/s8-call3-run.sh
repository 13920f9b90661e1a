#!/bin/bash
# s8 call 3 (branch s8-tma f0c864a): every GPU test (incl. TmaGemmGpuTest), the wgmma harness with split-K timings,
# prefill A/B: main 27f0363 vs branch (bundled rows) vs branch with TMA rows (all / split / gate_up only), one run each,
# then memcheck of the engine on the TMA rows
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/s8c3; mkdir -p $L/res; s=$(date +%s); root=$PWD
JAR=$root/.gpu/s8/jt/bench.jar TESTS=$root/.gpu/s8/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
xz -dkc .gpu/s8/wgc.xz > /tmp/wgc && chmod +x /tmp/wgc
timeout 120 /tmp/wgc > $L/wgc.log 2>&1; echo "wgc rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for v in bundled tma-all tma-split tma-gu; do
  jar=$root/.gpu/s8/jt/bench.jar; extra=""
  [ $v = main ] && jar=$root/.gpu/s8/jh/bench.jar
  case $v in tma-*) extra="--impl-choices $root/.gpu/s8/choices-$v.json";; esac
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 200 --no-progress \
    $extra --json $L/res/prefill-s8-$v-h200-$stamp.json > $L/ab-$v.txt 2>&1 || echo "$v failed"
done)
echo "a/b $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && timeout 150 compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $root/.gpu/s8/jt/bench.jar prefill --sizes 128,512 --prompts long --batch 8x16 --warmup 1 --iterations 2 --no-progress --impl-choices $root/.gpu/s8/choices-tma-split.json > $L/memcheck-engine.txt 2>&1; echo "rc=$?" >> $L/memcheck-engine.txt)
echo "memcheck $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s8c3.tgz s8c3 && rm -rf s8c3)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-engine.txt | tail -2
grep -E "^TABLE|ALL OK|SOME" /tmp/x/wgc.log | sed 's/TABLE //' | cut -c1-150
for v in bundled tma-all tma-split tma-gu; do echo "== $v $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$v.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
