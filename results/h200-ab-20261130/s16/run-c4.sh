#!/bin/bash
# s16 call 4, jar v19 = d4fe018 (v18's forward without copy nodes, build_tile_map kept in the persistent-layer plans too:
# call 3's GPU tests crashed those plans, which had dropped it). Carry .gpu/jre-s.tar.xz and .gpu/s16/c4 (jars.tar.xz =
# v19/ and the JUnit console unpacked; the tests jar of d4fe018; launch_cost.xz of ffa36e0; the trace libraries of s15).
# (1) every GPU test (the persistent layers' included) and the engine under memcheck on v19; (2) the
# results set's core: scripts/gpu-results.sh core (SKIP_TABLE=1: no GEMM of the committed per-GEMM table changed;
# PK_TRACE_LIB: the in-graph timeline; LAUNCH_COST_BIN: launch_cost with its fixed-cost table). The study follows in
# call 5. The set is kept only if (1) passes.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s16/c4; J=/tmp/s16c4; rm -rf $J /tmp/s16c4out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
python3 scripts/gpu/rejar.py $J/x/v19 $J/bench.jar > /dev/null; python3 scripts/gpu/rejar.py $J/x/junit $J/junit.jar > /dev/null
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/; xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/launch_cost
mkdir -p /tmp/tr && cp $C/libpktrace.so /tmp/tr/ && xz -dkc $C/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
W=/tmp/s16c4out; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; ps -eo pcpu,comm --sort=-pcpu | head -8; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J/bench.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 150) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/bench.jar prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; prog "engine memcheck rc=$?")
JAR=$J/bench.jar SKIP_TABLE=1 LAUNCH_COST_BIN=$J/launch_cost PK_TRACE_LIB=/tmp/tr/libpktrace.so timeout $(left 340) bash scripts/gpu-results.sh $W/core core > $W/core.log 2> $W/log-core.txt; prog "core rc=$?"
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar czf $OUT/s16c4.tgz s16c4out)
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|" $W/core.log | head -8; grep -E "gate B vs A exit|gate planted exit|FAILED" $W/core.log $W/log-core.txt | head -12
