#!/bin/bash
# s7 call 3 (branch s7-edges 18f3da7): every GPU test (new: one library edge per bundled cuBLASLt call at 128/512),
# the main job with and without library edges (edge census per capture size), the serving study (v18 forward)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c3; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s7/je/bench.jar
JAR=$jar TESTS=$root/.gpu/s7/je/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for v in edges no-edges; do extra=; [ $v = no-edges ] && extra=--no-library-edges
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress $extra \
    --json $L/res/prefill-s7edges-$v-h200-$stamp.json > $L/prefill-$v.txt 2>&1 || echo "$v failed"; done)
echo "prefill $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && JAR=$jar timeout 280 bash $root/scripts/gpu/serve-study.sh $L/serve-h200-$stamp > $L/serve-study-h200-$stamp.log 2>&1; echo "serve rc=$?")
echo "serve $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s7c3.tgz s7c3 && rm -rf s7c3)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
for v in edges no-edges; do echo "== $v"; grep -E "^\| (16|128|512) \|" /tmp/x/prefill-$v.txt; grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/prefill-$v.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}'; echo; done
grep -E "^\| (mixed|prefill-first|eager) " /tmp/x/serve-study-h200-*.log | head -20
