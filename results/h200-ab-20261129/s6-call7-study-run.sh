#!/bin/bash
# s6 call 7: main f0a4d9c: the sweep 8:512:8 (where graphs stop paying) and JMH, written by the tool
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s6c7; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s6/jar/bench.jar
stamp=$(date -u +%Y%m%d-%H%M%S)
cd $(mktemp -d)
timeout 280 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sweep 8:512:8 --no-progress --json $L/res/sweep-ernie-4.5-0.3b-h200-$stamp.json > $L/sweep.log 2>&1; echo "sweep rc=$? $(( $(date +%s)-s )) s"
timeout 200 java --enable-native-access=ALL-UNNAMED -jar $jar jmh PrefillBenchmark -wi 3 -w 1 -i 5 -r 1 -f 1 -rf json -rff $L/res/jmh-ernie-4.5-0.3b-h200-$stamp.json > $L/res/jmh-h200-$stamp.log 2>&1; echo "jmh rc=$? $(( $(date +%s)-s )) s"
tail -12 $L/res/jmh-h200-$stamp.log
(cd $OUT && tar czf s6c7.tgz s6c7 && rm -rf s6c7)
