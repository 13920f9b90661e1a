#!/bin/bash
# s8 call 12 (branch s8-trace 4238200, staged epilogue): every GPU test; A/B bundled vs gate_up at 512 on the TMA tile
# with SiLU fused (two runs each, alternating)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s8c12; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s8/jt/bench.jar
JAR=$jar TESTS=$root/.gpu/s8/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 110 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled gu512; do extra=""; [ $v = gu512 ] && extra="--impl-choices $root/.gpu/s8/choices-gu512.json"
  timeout 30 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    $extra --json $L/res/prefill-s8c12-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(( $(date +%s)-s )) s"
(cd $OUT && tar czf s8c12.tgz s8c12)
grep -E "tests (successful|failed|aborted)|✘" $L/gpu-tests.log | head -6
for f in bundled-1 gu512-1 bundled-2 gu512-2; do echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' $L/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
