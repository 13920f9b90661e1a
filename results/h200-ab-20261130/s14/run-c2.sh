#!/bin/bash
# s14 call 2 (jar df171af "v391" = v39.1; main 000dd4a): call 1 found v39 faster everywhere but at 16 decodes over 2048
# cached keys (+6 %). A reading written before this run: the prefix prefetch (4 MB a layer at 16d@2048), issued before
# the PDL wait, ran while the qkv GEMM and rope streamed their weights and competed with them; v39.1 issues it after the
# wait as before (and stages Q without more shared memory). Prediction: 16d@2048 back to main's 0.77 ms or below, the
# other workloads as call 1's v39 (short -2.8 %, 32d -5 %).
# Bundle rule (call 1's, written before it): merged if short, 2x8, 4x16, 8x16, long and 4x80 are lower in all three
# alternating runs with a median gain >= 1 % on short, and nothing (the decode mixes included) loses > 0.5 %.
# Also on the same jar: bits (kernel_check attention, the harness build without timing), memcheck / racecheck /
# synccheck of it and of the n32 streaming GEMMs (bundled since the thirteenth session, never sanitized in the lease of
# their GPU tests), every GPU test, memcheck of the engine.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c2; J=/tmp/s14c2; rm -rf $J /tmp/s14c2out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v391 main; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar; done
for f in kc-san junit.jar; do xz -dkc $C/$f.xz > $J/$f; done; chmod +x $J/kc-san; cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s14c2out; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nproc; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
# (1) the engine A/B: main vs v391, three runs each, alternating, graph GPU time
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in main v391; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  timeout $(left 70) $BJ prefill --sizes 16,64,128,512 --prompts short,long --batch 2x8,4x16,8x16,4x80 --warmup 20 --iterations 200 --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  timeout $(left 40) $BJ prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"; done; done)
echo "a/b $(el) s"
# (2) bits and sanitizers (the harness build without timing: its checks run, its timings do not)
timeout 60 $J/kc-san attention > $W/kc-attention.log 2>&1; echo "kc attention rc=$? $(el) s"
(cd $(mktemp -d) && java --enable-native-access=ALL-UNNAMED -jar $J/v391.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops $W/ops16-v391.txt > /dev/null 2>&1)
PK_OPS=$W/ops16-v391.txt timeout 60 $J/kc-san pdl > $W/pdl-v391.log 2>&1; echo "pdl rc=$? $(el) s"
for t in memcheck synccheck racecheck; do timeout $(left 150) compute-sanitizer --tool $t $J/kc-san attention > $W/san-attention-$t.log 2>&1; echo "$t attention rc=$? $(el) s"; done
for t in memcheck racecheck synccheck; do timeout $(left 60) compute-sanitizer --tool $t $J/kc-san n32 > $W/san-n32-$t.log 2>&1; echo "$t n32 rc=$? $(el) s"; done
# (3) every GPU test on v391
JAR=$J/v391.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 170) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
# (4) memcheck of the engine (v391): prompts, a batch and a mix with cached keys
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v391.jar prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
gzip -9 $W/ops*.txt
(cd /tmp && tar czf $OUT/s14c2.tgz s14c2out)
grep -E "ALL PASSED|FAILURES|checks failed" $W/kc-attention.log $W/pdl-v391.log | tail -2; grep -hE "graph replay|FAIL" $W/pdl-v391.log | head -4
for f in $W/san-*.log; do echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c2out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
