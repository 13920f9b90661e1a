#!/bin/bash
# s9 call 3 (v29: rope_kv_write in the qkv TMA GEMM's staged epilogue): every GPU test (new: the TMA rope fusion ==
# the unfused tile bit for bit, eager and graph); compute-sanitizer memcheck of the engine with the fused qkv at 128 and
# 512; A/B bundled vs rope512a / rope512b / qkv512a / rope128 (three runs each, alternating)
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c3; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jt/bench.jar
JAR=$jar TESTS=$root/.gpu/s9/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
for v in rope512b rope128; do (cd $(mktemp -d) && timeout 100 compute-sanitizer --tool memcheck --target-processes all $J prefill --sizes 128,512 --prompts long --batch 8x16 --warmup 1 --iterations 2 --no-progress --impl-choices $root/.gpu/s9/choices-$v.json > $L/memcheck-engine-$v.txt 2>&1; echo "rc=$?" >> $L/memcheck-engine-$v.txt); done
echo "memcheck $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
V="bundled rope512a rope512b qkv512a rope128"
(cd $(mktemp -d) && for rep in 1 2 3; do for v in $V; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 40 $J prefill --sizes 128,512 --prompts long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    $extra --json $L/res/prefill-s9c3-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c3.tgz s9c3 && rm -rf s9c3)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
for v in rope512b rope128; do echo "memcheck $v: $(grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-engine-$v.txt | tail -2 | tr '\n' ' ')"; done
for rep in 1 2 3; do for v in $V; do echo "== $v-$rep $(grep -E '^\| (long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$v-$rep.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
