#!/bin/bash
# s7 call 2: attention's q fragments straight into registers (branch s7-q 2fce2ca, v22): harness attention checks +
# timings (new vs main 85ccc65's harness), memcheck, racecheck, every GPU test, prefill A/B main (03a2ef1) vs q,
# alternating, 3 each
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s7c2; mkdir -p $L/res; s=$(date +%s); root=$PWD
for b in kc_q kc_q_san kc_old; do xz -dc .gpu/s7/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
timeout 60 /tmp/kc_q attention > $L/kc-attention-q.txt 2>&1; echo "rc=$?" >> $L/kc-attention-q.txt
timeout 60 /tmp/kc_old attention > $L/kc-attention-old.txt 2>&1; echo "rc=$?" >> $L/kc-attention-old.txt
timeout 60 /tmp/kc_q attention > $L/kc-attention-q2.txt 2>&1; echo "rc=$?" >> $L/kc-attention-q2.txt
echo "harness $(( $(date +%s)-s )) s"
timeout 90 compute-sanitizer --tool memcheck /tmp/kc_q_san attention > $L/memcheck-attention.txt 2>&1; echo "rc=$?" >> $L/memcheck-attention.txt
timeout 150 compute-sanitizer --tool racecheck --racecheck-report hazard /tmp/kc_q_san attention > $L/racecheck-attention.txt 2>&1; echo "rc=$?" >> $L/racecheck-attention.txt
echo "sanitizers $(( $(date +%s)-s )) s"
JAR=$root/.gpu/s7/jq/bench.jar TESTS=$root/.gpu/s7/jq/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in main q; do jar=$root/.gpu/s7/j$v/bench.jar
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress \
    --json $L/res/prefill-s7q-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s7c2.tgz s7c2 && rm -rf s7c2)
for f in q old q2; do echo "== kc $f $(grep -c FAIL /tmp/x/kc-attention-$f.txt) FAIL, $(grep rc= /tmp/x/kc-attention-$f.txt)"; grep -E "^attention .* perf:|perf 1x480 causal cold|perf 31x" /tmp/x/kc-attention-$f.txt | cut -c1-110; done
grep -E "FAIL" /tmp/x/kc-attention-q.txt | head -5
for f in memcheck racecheck; do echo "== $f"; grep -E "ERROR SUMMARY|RACECHECK SUMMARY|checks failed|ALL PASSED|rc=" /tmp/x/$f-attention.txt | tail -3; done
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
for rep in 1 2 3; do for v in main q; do f=$v-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
