#!/bin/bash
# s6 call 4: EXPERIMENT (fa3f6cd): programmatic edges from cuBLASLt kernels at port LaunchCompletion, our kernel
# launched without the PDL attribute (the attribute overwrote the port in call 3): graph == eager tests, census, A/B
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c4; mkdir -p $L/res; s=$(date +%s); root=$PWD
P="-Dprefillbench.libraryEdge=launch -Dprefillbench.libraryEdgePlain=true"
JAVA_TOOL_OPTIONS="$P" JAR=$root/.gpu/s6/jle/bench.jar TESTS=$root/.gpu/s6/jle/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L/t timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --select-class io.prefillbench.engine.ForwardBranchesGpuTest --select-class io.prefillbench.engine.MixedStepGraphEqualsEagerGpuTest > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
jar=$root/.gpu/s6/jle/bench.jar
(cd $(mktemp -d) && for rep in 1 2 3; do for m in off plain; do o=""; [ $m = plain ] && o="$P"
  timeout 100 java $o --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 128,512 --prompts long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress \
    --json $L/res/prefill-s6le-$m-$rep-h200-$stamp.json > $L/ab-$m-$rep.txt 2>&1 || echo "$m $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c4.tgz s6c4 && rm -rf s6c4)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -6; grep -m3 "EXPERIMENT" /tmp/x/gpu-tests.log | cut -c1-200
grep -h "EXPERIMENT" /tmp/x/ab-*.txt | sort | uniq -c | cut -c1-200
for rep in 1 2 3; do for m in off plain; do f=$m-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
