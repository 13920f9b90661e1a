#!/usr/bin/env bash
# s40 call 4, jar v3 (5d6b65e). Is call 2's explanation of v87.1's miss right? In-graph timelines (CUPTI) of ERNIE short at 16,
# the bundled rows and choices-am.json, 60 forwards each. Prediction (written before): argmax's link 3.3 -> ~1.3 us, the LM
# head's chain cost up by ~3.5 us (its last blocks' barrier, read and atomic), the span +1.5..+2 us; every layer op within 0.2.
source scripts/gpu/call-setup.sh s40c4 300
R=$(pwd); G=$R/.gpu/s40; J=$G/v3.jar; L=$R/.gpu/libpktrace.so
for v in b a; do
  CH=(); [ $v = a ] && CH=(--impl-choices $G/choices-am.json)
  CUDA_INJECTION64_PATH=$L PK_TRACE_OUT=/tmp/pk-$v.csv timeout $(left 80) java --enable-native-access=ALL-UNNAMED -jar $J prefill \
    --model ernie-4.5-0.3b --sizes 16 --prompts short --warmup 10 --iterations 60 --no-progress "${CH[@]}" --json $W/res/pk-$v.json > $W/timeline-run-$v.txt 2>&1
  prog "traced $v rc=$?"
  java --enable-native-access=ALL-UNNAMED -jar $J plan --model ernie-4.5-0.3b --sizes 16 "${CH[@]}" --dump-ops /tmp/ops-$v.txt > /dev/null 2>&1
  python3 kernels/check/graph_timeline.py /tmp/pk-$v.csv --ops /tmp/ops-$v.txt --nodes $W/timeline-nodes-$v.csv > $W/timeline-$v.txt 2>&1
  prog "timeline $v rc=$?"; gzip -9f $W/timeline-nodes-$v.csv
done
rm -f $W/res/*.hlog $W/*.hlog
(cd /tmp && tar cJf $OUT/res.tar.xz s40c4)
for v in b a; do echo "== $v"; grep -h "capture size 16" $W/timeline-$v.txt; zcat $W/timeline-nodes-$v.csv.gz | grep -E "final_norm|lm_head|argmax|L17.down"; done
cat $W/progress.txt | tr '\n' ';'; echo
