#!/bin/bash
# s7 call 1: attention_prefill_ks (branch s7-ks 8fb29b7): harness attention checks + timings (new: 4-warp, kh, ks2,
# ks4; old = main 85ccc65's harness), memcheck, every GPU test, prefill A/B main (03a2ef1) vs ks, alternating, 2 each
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c1; mkdir -p $L/res; s=$(date +%s); root=$PWD
for b in kc_ks kc_ks_san kc_old; do xz -dc .gpu/s7/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv > $L/gpu.txt
timeout 150 /tmp/kc_ks attention > $L/kc-attention-ks.txt 2>&1; echo "rc=$?" >> $L/kc-attention-ks.txt
timeout 60 /tmp/kc_old attention > $L/kc-attention-old.txt 2>&1; echo "rc=$?" >> $L/kc-attention-old.txt
echo "harness $(( $(date +%s)-s )) s"
timeout 120 compute-sanitizer --tool memcheck /tmp/kc_ks_san attention > $L/memcheck-attention.txt 2>&1; echo "rc=$?" >> $L/memcheck-attention.txt
echo "memcheck $(( $(date +%s)-s )) s"
JAR=$root/.gpu/s7/jks/bench.jar TESTS=$root/.gpu/s7/jks/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in main ks; do jar=$root/.gpu/s7/j$v/bench.jar
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress \
    --json $L/res/prefill-s7ks-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s7c1.tgz s7c1 && rm -rf s7c1)
for f in ks old; do echo "== kc $f $(grep -c FAIL /tmp/x/kc-attention-$f.txt) FAIL, $(grep rc= /tmp/x/kc-attention-$f.txt)"; grep -E "^attention .* perf:" /tmp/x/kc-attention-$f.txt | cut -c1-110; done
grep -E "FAIL" /tmp/x/kc-attention-ks.txt | head -5
grep -E "ks: counters" /tmp/x/kc-attention-ks.txt | head -2
echo "== memcheck"; grep -E "ERROR SUMMARY|checks failed|ALL PASSED|rc=" /tmp/x/memcheck-attention.txt | tail -3
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
for rep in 1 2; do for v in main ks; do f=$v-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
