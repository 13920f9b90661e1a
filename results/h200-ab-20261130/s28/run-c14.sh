#!/bin/bash
# s28 call 14, jar v79 (ab9a681). Call 13: a 512-bucket forward (long or 4x80) run before 8x16 in the same process makes
# 8x16's graph (the fresh-prompt graph at 128) ~20 us faster on the GPU for the rest of the process (574-576 vs 595 us).
# Which kernels? The in-graph timeline (CUPTI, kernels/check/cupti_trace.cpp via CUDA_INJECTION64_PATH) of 8x16 alone and
# after long, sizes 128,512, then graph_timeline.py's per-family table of the 128 graph, per run. Prediction: the 20 us sit
# in one family (our TMA GEMMs or attention), not spread over all.
# Carry .gpu/jre.tar.xz, .gpu/s28, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s28/v79.jar; T=$R/.gpu/trace/libpktrace.so
W=/tmp/s28c14out; rm -rf $W; mkdir -p $W; s=$(date +%s)
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager --warmup 300 --iterations 100 --sizes 128,512"
for form in alone long; do
  case $form in alone) A="--batch 8x16";; long) A="--prompts long --batch 8x16";; esac
  (cd /tmp && LD_LIBRARY_PATH="$(dirname $T):$LD_LIBRARY_PATH" CUDA_INJECTION64_PATH=$T PK_TRACE_OUT=$W/trace-$form.csv \
    timeout 120 java --enable-native-access=ALL-UNNAMED -jar $J prefill $A $P --json $W/ernie-$form.json > $W/ernie-$form.txt 2>&1) || echo "$form failed"
  python3 kernels/check/graph_timeline.py $W/trace-$form.csv --nodes $W/nodes-$form.csv > $W/timeline-$form.txt 2>&1 || echo "timeline $form failed"
  echo "$form $(( $(date +%s)-s )) s"
done
python3 - $W > $W/compare.txt <<'PY'
import csv, sys, collections, statistics, os
W = sys.argv[1]
for form in ('alone', 'long'):
    print('==', form)
    print(open(os.path.join(W, 'timeline-%s.txt' % form)).read()[:3000])
PY
gzip -9 $W/trace-*.csv
(cd /tmp && tar cJf $OUT/res.tar.xz s28c14out)
cp $W/timeline-*.txt $OUT/
cat $W/compare.txt | head -80
