#!/bin/bash
# s6 call 3: EXPERIMENT programmatic edges from cuBLASLt kernels into our next PDL kernel (fbbe36e, branch s6-libedge):
# graph == eager GPU tests in each mode, edge census, prefill A/B off / programmatic / launch at 128 and 512, two runs each
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c3; mkdir -p $L/res; s=$(date +%s); root=$PWD
for m in launch programmatic; do
  JAVA_TOOL_OPTIONS="-Dprefillbench.libraryEdge=$m" JAR=$root/.gpu/s6/jle/bench.jar TESTS=$root/.gpu/s6/jle/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L/t-$m timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --select-class io.prefillbench.engine.ForwardBranchesGpuTest --select-class io.prefillbench.engine.MixedStepGraphEqualsEagerGpuTest > $L/gpu-tests-$m.log 2>&1; echo "gpu-tests $m rc=$? $(( $(date +%s)-s )) s"
done
stamp=$(date -u +%Y%m%d-%H%M%S)
jar=$root/.gpu/s6/jle/bench.jar
(cd $(mktemp -d) && for rep in 1 2; do for m in off programmatic launch; do
  timeout 100 java -Dprefillbench.libraryEdge=$m --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 128,512 --prompts long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress \
    --json $L/res/prefill-s6le-$m-$rep-h200-$stamp.json > $L/ab-$m-$rep.txt 2>&1 || echo "$m $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c3.tgz s6c3 && rm -rf s6c3)
for m in launch programmatic; do echo "== tests $m"; grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests-$m.log | head -6; grep -m3 "EXPERIMENT" /tmp/x/gpu-tests-$m.log | cut -c1-200; done
grep -h "EXPERIMENT" /tmp/x/ab-*-1.txt | sort | uniq | cut -c1-200
for rep in 1 2; do for m in off programmatic launch; do f=$m-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
