#!/bin/bash
# s6 call 2: attention_prefill_kq (f61c062): harness attention checks + timings of every form, memcheck + racecheck,
# every GPU test with the kq jar, prefill A/B main (ff8adaa) vs kq at the four workloads, alternating, two runs each
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c2; mkdir -p $L/res; s=$(date +%s); root=$PWD
for b in kc_kq kc_kq_san; do xz -dc .gpu/s6/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
timeout 120 /tmp/kc_kq attention > $L/kc-attention.txt 2>&1; echo "rc=$?" >> $L/kc-attention.txt
echo "harness $(( $(date +%s)-s )) s"
timeout 150 compute-sanitizer --tool memcheck /tmp/kc_kq_san attention > $L/memcheck-attention.txt 2>&1; echo "rc=$?" >> $L/memcheck-attention.txt
echo "memcheck $(( $(date +%s)-s )) s"
timeout 200 compute-sanitizer --tool racecheck --racecheck-report hazard /tmp/kc_kq_san attention > $L/racecheck-attention.txt 2>&1; echo "rc=$?" >> $L/racecheck-attention.txt
echo "racecheck $(( $(date +%s)-s )) s"
JAR=$root/.gpu/s6/jkq/bench.jar TESTS=$root/.gpu/s6/jkq/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 200 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2; do for v in main kq; do jar=$root/.gpu/s6/jar/bench.jar; [ $v = kq ] && jar=$root/.gpu/s6/jkq/bench.jar
  timeout 100 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress \
    --json $L/res/prefill-s6kq-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c2.tgz s6c2 && rm -rf s6c2)
echo "== kc attention $(grep -c FAIL /tmp/x/kc-attention.txt) FAIL, $(grep rc= /tmp/x/kc-attention.txt)"; grep FAIL /tmp/x/kc-attention.txt | head -5 | cut -c1-160
grep -E "^attention .* perf:" /tmp/x/kc-attention.txt | cut -c1-150
for f in memcheck racecheck; do echo "== $f"; grep -E "ERROR SUMMARY|RACECHECK SUMMARY|checks failed|ALL PASSED|rc=" /tmp/x/$f-attention.txt | tail -3; done
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
for f in main-1 kq-1 main-2 kq-2; do echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
