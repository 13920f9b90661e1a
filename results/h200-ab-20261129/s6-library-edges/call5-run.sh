#!/bin/bash
# s6 call 5: library edges as an engine option (branch s6-libedge HEAD): every GPU test, then prefill A/B
# --library-edges (default) vs --no-library-edges at the four workloads, alternating, two runs each
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c5; mkdir -p $L/res; s=$(date +%s); root=$PWD
JAR=$root/.gpu/s6/jle/bench.jar TESTS=$root/.gpu/s6/jle/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 200 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
jar=$root/.gpu/s6/jle/bench.jar
(cd $(mktemp -d) && for rep in 1 2; do for m in on off; do o=""; [ $m = off ] && o="--no-library-edges"
  timeout 100 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress $o \
    --json $L/res/prefill-s6le-$m-$rep-h200-$stamp.json > $L/ab-$m-$rep.txt 2>&1 || echo "$m $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c5.tgz s6c5 && rm -rf s6c5)
grep -E "tests (successful|failed|aborted|skipped)|✘|library edges" /tmp/x/gpu-tests.log | head -12
for rep in 1 2; do for m in on off; do f=$m-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
