#!/bin/bash
# s8 call 7 (bf01ae9): the study (sweep 8:512:8, serving study) and the 512 candidates with deeper TMA stages (v512a, v512c)
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s8c7; mkdir -p $L/study $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s8/jt/bench.jar
JAR=$jar timeout 330 bash scripts/gpu-results.sh $L/study study > $L/study.log 2> $L/log-study.txt; echo "study rc=$? $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S)
(cd $(mktemp -d) && for v in bundled v512a v512c; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s8/choices-$v.json"
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    $extra --json $L/res/prefill-s8c7-$v-h200-$stamp.json > $L/ab-$v.txt 2>&1 || echo "$v failed"; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s8c7.tgz s8c7 && rm -rf s8c7)
tail -25 /tmp/x/study.log
for f in bundled v512a v512c; do echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done
