#!/bin/bash
# s9 call 1 (branch s8-epi rebased on main, 8c35d33: staged epilogue): every GPU test; compute-sanitizer memcheck of
# the engine at 512 with every layer GEMM on TMA (all512); A/B bundled vs gu512 vs all512 (three runs each, alternating)
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c1; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jt/bench.jar
JAR=$jar TESTS=$root/.gpu/s9/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && timeout 150 compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 128,512 --prompts long --batch 8x16 --warmup 1 --iterations 2 --no-progress --impl-choices $root/.gpu/s9/choices-all512.json > $L/memcheck-engine-all512.txt 2>&1; echo "rc=$?" >> $L/memcheck-engine-all512.txt)
echo "memcheck $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled gu512 all512; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 40 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 128,512 --prompts long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    $extra --json $L/res/prefill-s9c1-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c1.tgz s9c1 && rm -rf s9c1)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-engine-all512.txt | tail -2
for rep in 1 2 3; do for v in bundled gu512 all512; do echo "== $v-$rep $(grep -E '^\| (long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$v-$rep.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
