#!/bin/bash
# s14 call 7: the jar to merge (67de667, "v7") against main (000dd4a). v7 keeps main's attention_prefill_wg at 1..16 and
# runs attention_prefill_wg_early (v396's loads, the same bits) at 17..512 by the bundled attention rows; the embed launch
# loses PDL only in plans with the early form. Predictions written before this run: at 16 (short, 2x8, 16d@2048) equal to
# main within 0.5 %; 4x16, 8x16, long, 4x80 -1..-2 %; 32d@1024 and 64d@1024 -6 % (call 6); Llama-3.2-1B unchanged
# (no attention row: main's kh code path).
# Merge rule (written before this run): merged if no workload loses > 0.5 % against main (median of three alternating
# runs, graph GPU time) and every check below passes.
# Checks on v7: kernel_check attention (bits: every form, wg-early == wg bit for bit on varlen + prefix and the decode
# mix, surplus grids), the op-dump chain, memcheck / synccheck / racecheck of attention, every GPU test, memcheck of
# the engine with the early form (a bucket-64 mix).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s14/c7; J=/tmp/s14c7; rm -rf $J /tmp/s14c7out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
V="main v7"
for v in $V junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
xz -dkc $C/kc-san.xz > $J/kc-san; chmod +x $J/kc-san; cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
W=/tmp/s14c7out; mkdir -p $W/res; s=$(date +%s); root=$PWD
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 575 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
MIX="--model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in $V; do
  BJ="java --enable-native-access=ALL-UNNAMED -jar $J/$v.jar"
  timeout $(left 40) $BJ prefill $MIX --mix 16d@2048,32d@1024,64d@1024 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/mix-$v-$rep-$stamp.json > $W/mix-$v-$rep.txt 2>&1 || echo "mix $v $rep failed"
  timeout $(left 60) $BJ prefill --sizes 16,64,128,512 --prompts short,long --batch 2x8,4x16,8x16,4x80 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/ab-$v-$rep-$stamp.json > $W/ab-$v-$rep.txt 2>&1 || echo "ab $v $rep failed"
  [ $rep = 1 ] && { timeout $(left 60) $BJ prefill --model llama-3.2-1b --sizes 16,128 --prompts short --batch 8x16 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress --json $W/res/llama-$v-$rep-$stamp.json > $W/llama-$v-$rep.txt 2>&1 || echo "llama $v failed"; }
done; done)
echo "a/b $(el) s"
timeout 60 $J/kc-san attention > $W/kc-attention.log 2>&1; echo "kc attention rc=$? $(el) s"
(cd $(mktemp -d) && java --enable-native-access=ALL-UNNAMED -jar $J/v7.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops $W/ops16-v7.txt > /dev/null 2>&1)
PK_OPS=$W/ops16-v7.txt timeout 60 $J/kc-san pdl > $W/pdl-v7.log 2>&1; echo "pdl rc=$? $(el) s"
JAR=$J/v7.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 170) bash scripts/gpu-tests.sh $J/junit.jar > $W/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(el) s"
rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck --target-processes all java --enable-native-access=ALL-UNNAMED -jar $J/v7.jar prefill --sizes 16,64 --prompts short --batch 4x16 --mix 1x20+15d@300 --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine.txt 2>&1; echo "engine memcheck rc=$? $(el) s")
for t in memcheck synccheck racecheck; do timeout $(left 120) compute-sanitizer --tool $t $J/kc-san attention > $W/san-attention-$t.log 2>&1; echo "$t rc=$? $(el) s"; done
gzip -9 $W/ops16-*.txt
(cd /tmp && tar czf $OUT/s14c7.tgz s14c7out)
grep -E "ALL PASSED|FAILURES|checks failed" $W/kc-attention.log $W/pdl-v7.log | sed 's|.*/||'; grep -E "wg-early" $W/kc-attention.log | head -6
for f in $W/san-*.log; do echo "$(basename $f): $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $f | tail -1)"; done
echo "engine memcheck: $(grep -E 'ERROR SUMMARY' $W/memcheck-engine.txt | tail -1)"
grep -E "tests (successful|failed)|✘" $W/gpu-tests.log | head -6
python3 - <<'PY'
import json, glob
for f in sorted(glob.glob('/tmp/s14c7out/res/*.json')):
    d = json.load(open(f)); print(f.split('/')[-1][:-21], '; '.join('%s@%d %.3f' % (w['name'], w['paddedSize'], w['graph']['gpuNs']['p50'] / 1e6) for w in d['workloads']))
PY
