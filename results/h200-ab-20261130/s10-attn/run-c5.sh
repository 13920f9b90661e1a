#!/bin/bash
# Session 10, call 5: the in-graph timeline (kernels/check/cupti_trace.cpp, CUPTI concurrent-kernel records injected
# into the Java engine) of the bundled forward and of v31 (the wg attention at every size), sizes 16 / 128 / 512
# (short, 8x16, long); kernels/check/graph_timeline.py says per op family what each kernel costs the chain.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/c5; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s10/j4/bench.jar
mkdir -p /tmp/tr && cp .gpu/s10/tr/libpktrace.so /tmp/tr/ && xz -dkc .gpu/s10/tr/libcupti.so.13.xz > /tmp/tr/libcupti.so.13
export LD_LIBRARY_PATH=/tmp/tr:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
stamp=$(date -u +%Y%m%d-%H%M%S)
W="--sizes 16,128,512 --prompts short,long --batch 8x16 --warmup 10 --iterations 60 --no-progress"
(cd $(mktemp -d) && for v in bundled wg; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s10/j4/choices-$v.json"
  CUDA_INJECTION64_PATH=/tmp/tr/libpktrace.so PK_TRACE_OUT=$L/trace-$v.csv timeout 90 $J prefill $W $extra --json $L/res/prefill-s10c5-trace-$v-h200-$stamp.json > $L/trace-run-$v.txt 2>&1 || echo "trace $v failed"
  python3 $root/kernels/check/graph_timeline.py $L/trace-$v.csv --nodes $L/nodes-$v.csv --label $v > $L/timeline-$v.txt 2>&1; done)
echo "traces $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $L && gzip -9 trace-*.csv); (cd $OUT && tar czf c5.tgz c5 && rm -rf c5)
for v in bundled wg; do grep -E '^\| (short|long|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/trace-run-$v.txt | awk -F'|' -v v=$v '{printf "%s %s g %s e %s\n", v, $2, $9, $5}'; done
head -c 300 /tmp/x/trace-bundled.csv; echo; wc -l /tmp/x/trace-*.csv
cat /tmp/x/timeline-bundled.txt /tmp/x/timeline-wg.txt | head -90
