#!/bin/bash
# s8 call 5 (branch s8-tma 1b6bb9b: run-time stages, bundled TMA rows at 81..128): every GPU test, the harness with
# the new depths, memcheck of the engine on the bundled rows at 128, A/B bundled vs main's choices (3 each, alternating),
# 512 candidates (v512a/b/c, one each)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/s8c5; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s8/jt/bench.jar
JAR=$jar TESTS=$root/.gpu/s8/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 170 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
xz -dkc .gpu/s8/wgc.xz > /tmp/wgc && chmod +x /tmp/wgc
timeout 150 /tmp/wgc > $L/wgc.log 2>&1; echo "wgc rc=$? $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && timeout 90 compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 128 --batch 8x16,4x24 --warmup 1 --iterations 2 --no-progress > $L/memcheck-engine-128.txt 2>&1; echo "rc=$?" >> $L/memcheck-engine-128.txt)
echo "memcheck $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled main; do extra=""
  [ $v = main ] && extra="--impl-choices $root/.gpu/s8/choices-main.json"
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    $extra --json $L/res/prefill-s8c5-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done
for v in v512a v512b v512c; do
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    --impl-choices $root/.gpu/s8/choices-$v.json --json $L/res/prefill-s8c5-$v-h200-$stamp.json > $L/ab-$v.txt 2>&1 || echo "$v failed"
done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s8c5.tgz s8c5 && rm -rf s8c5)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
grep -E "ERROR SUMMARY|rc=" /tmp/x/memcheck-engine-128.txt | tail -2
grep -E "^TABLE|ALL OK|SOME" /tmp/x/wgc.log | sed 's/TABLE //' | cut -c1-150
for f in bundled-1 main-1 bundled-2 main-2 bundled-3 main-3 v512a v512b v512c; do echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
