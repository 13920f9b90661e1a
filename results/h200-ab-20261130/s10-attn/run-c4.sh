#!/bin/bash
# Session 10, call 4 (jar b3f6446: v31.1 in the engine through an attention row): every GPU test (AttentionWgGpuTest
# new); memcheck of the engine with the wg form at 16 and 512; A/B of the bundled forward against the wg form at every
# size (choices-wg.json), three runs each, alternating, on the main job's workloads; one --profile run of each.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/c4; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s10/j4/bench.jar
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
JAR=$jar TESTS=$root/.gpu/s10/j4/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 200 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
(cd $(mktemp -d) && timeout 100 compute-sanitizer --tool memcheck --target-processes all $J prefill --sizes 16,512 --prompts short,long --batch 4x80 --warmup 1 --iterations 2 --no-progress --impl-choices $root/.gpu/s10/j4/choices-wg.json > $L/memcheck-engine-wg.txt 2>&1; echo "rc=$?" >> $L/memcheck-engine-wg.txt)
echo "memcheck $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
W="--sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16"
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled wg; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/j4/choices-$v.json"
  timeout 60 $J prefill $W --warmup 20 --iterations 300 --no-progress $extra --json $L/res/prefill-s10c4-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"; done; done)
echo "a/b $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && for v in bundled wg; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/j4/choices-$v.json"
  timeout 60 $J prefill $W --warmup 20 --iterations 100 --profile --no-progress $extra --json $L/res/prefill-s10c4-profile-$v-h200-$stamp.json > $L/profile-$v.txt 2>&1 || echo "profile $v failed"; done)
echo "profile $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf c4.tgz c4 && rm -rf c4)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-engine-wg.txt | tail -2
for rep in 1 2 3; do for v in bundled wg; do echo "== $v-$rep $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$v-$rep.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
for v in bundled wg; do echo "== profile $v"; grep -iE 'attention' /tmp/x/profile-$v.txt | head -6; done
