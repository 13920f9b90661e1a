#!/bin/bash
# s15 call 3: the checks of the bundled build v16 = 50c75c7 (v40's SiLU rows at 17..64): every GPU test, memcheck /
# racecheck / synccheck of kernel_check silu (the n32 SiLU kernels among the other SiLU GEMMs; the no-timing build), and
# the engine under memcheck at 16 / 32 / 64 with the bundled rows (the fused gate_up at 32 and 64).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s15/c3; J=/tmp/s15c3; rm -rf $J /tmp/s15c3out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v16 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
xz -dkc $C/kc-san.xz > $J/kc-san; chmod +x $J/kc-san; cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s15c3out; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J/v16.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout 200 bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 90) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v16.jar prefill --sizes 16,32,64 --prompts short --batch 4x8,4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
for t in memcheck synccheck racecheck; do timeout $(left 150) compute-sanitizer --tool $t $J/kc-san silu > $W/san-silu-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
(cd /tmp && tar czf $OUT/s15c3.tgz s15c3out)
grep -E "ALL PASSED|FAILURES|checks failed" $W/san-silu-*.log | sed 's|.*/||'
for f in $W/san-*.log; do echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -8
