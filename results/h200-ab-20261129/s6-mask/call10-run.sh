#!/bin/bash
# s6 call 10: attention's mask only on the diagonal page (branch s6-mask a324edd): harness attention checks + timings
# against the previous kernel's harness (f61c062's kh/4-warp forms = main's), memcheck + racecheck, every GPU test,
# prefill A/B main (68c1743) vs mask, alternating, three runs each
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c10; mkdir -p $L/res; s=$(date +%s); root=$PWD
for b in kc_mask kc_mask_san kc_old; do xz -dc .gpu/s6/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
timeout 60 /tmp/kc_mask attention > $L/kc-attention-mask.txt 2>&1; echo "rc=$?" >> $L/kc-attention-mask.txt
timeout 60 /tmp/kc_old attention > $L/kc-attention-old.txt 2>&1; echo "rc=$?" >> $L/kc-attention-old.txt
echo "harness $(( $(date +%s)-s )) s"
timeout 60 compute-sanitizer --tool memcheck /tmp/kc_mask_san attention > $L/memcheck-attention.txt 2>&1; echo "rc=$?" >> $L/memcheck-attention.txt
timeout 120 compute-sanitizer --tool racecheck --racecheck-report hazard /tmp/kc_mask_san attention > $L/racecheck-attention.txt 2>&1; echo "rc=$?" >> $L/racecheck-attention.txt
echo "sanitizers $(( $(date +%s)-s )) s"
JAR=$root/.gpu/s6/jmask/bench.jar TESTS=$root/.gpu/s6/jmask/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 110 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for rep in 1 2 3; do for v in main mask; do jar=$root/.gpu/s6/jar/bench.jar; [ $v = mask ] && jar=$root/.gpu/s6/jmask/bench.jar
  timeout 60 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,128,512 --prompts short,long --batch 4x80,8x16 --warmup 30 --iterations 300 --no-progress \
    --json $L/res/prefill-s6mask-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s6c10.tgz s6c10 && rm -rf s6c10)
for f in mask old; do echo "== kc $f $(grep -c FAIL /tmp/x/kc-attention-$f.txt) FAIL, $(grep rc= /tmp/x/kc-attention-$f.txt)"; grep -E "^attention 16q/2kv D64 (kh )?perf:|^attention 20q/4kv D128 (kh )?perf:" /tmp/x/kc-attention-$f.txt | cut -c1-120; done
for f in memcheck racecheck; do echo "== $f"; grep -E "ERROR SUMMARY|RACECHECK SUMMARY|checks failed|ALL PASSED|rc=" /tmp/x/$f-attention.txt | tail -3; done
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -6
for rep in 1 2 3; do for v in main mask; do f=$v-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
