#!/bin/bash
# s6 call 1: branch s5-one-launch (ff8adaa): every GPU test, memcheck of the engine with persistent layers in one
# launch (graph + eager), prefill A/B default vs persistent at 16; main's harness (b26812e/630bcd8) layer check
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c1; mkdir -p $L/res; s=$(date +%s); root=$PWD
xz -dc .gpu/s6/kc.xz > /tmp/kc && chmod +x /tmp/kc
PK_OPS=.gpu/s6/ops-ref-16-512.txt PK_OPS_LAYER=.gpu/s6/ops-layers16-synth.txt PK_LAYER_CLUSTER=2 timeout 60 /tmp/kc layer > $L/kc-main-layer.txt 2>&1; echo "rc=$?" >> $L/kc-main-layer.txt
echo "harness $(( $(date +%s)-s )) s"
JAR=$root/.gpu/s6/jar/bench.jar TESTS=$root/.gpu/s6/jar/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 240 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
ch=$root/bench/src/test/resources/io/prefillbench/forward/choices-persist16.json
jar=$root/.gpu/s6/jar/bench.jar
(cd $(mktemp -d) && timeout 150 compute-sanitizer --error-exitcode 99 --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16 --prompts short --batch 8x2 --warmup 1 --iterations 2 --no-progress --impl-choices $ch --json m.json > $L/memcheck-persist16.log 2>&1; echo "rc=$?" >> $L/memcheck-persist16.log)
echo "memcheck $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in default persist; do extra=""; [ $v = persist ] && extra="--impl-choices $ch"
  timeout 60 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16 --prompts short --batch 4x4,2x8 --warmup 30 --iterations 300 --no-progress $extra \
    --json $L/res/prefill-s6one-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c1.tgz s6c1 && rm -rf s6c1)
echo "== kc layer $(grep -c FAIL /tmp/x/kc-main-layer.txt) FAIL, $(grep rc= /tmp/x/kc-main-layer.txt)"; grep -E "graph replay" /tmp/x/kc-main-layer.txt | cut -c1-150
grep -E "tests (successful|failed|aborted|skipped)|✘" /tmp/x/gpu-tests.log | head -12
grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-persist16.log | tail -2
for f in default-1 persist-1 default-2 persist-2; do echo "== $f $(grep -E '^\| (short|batch-4x4|batch-2x8) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
