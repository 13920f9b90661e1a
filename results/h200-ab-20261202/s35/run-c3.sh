#!/bin/bash
# s35 call 3, jar v2 (baca2bb, set 042418's jar). The study (sweep, Llama long, the serve runs) for the report, then the
# in-graph timelines (CUPTI kernel records, kernels/check/graph_timeline.py) of tiny's and Llama-3.2-1B's short prompts at
# 16, which the core set traces for ERNIE only: where tiny's time goes after the fold, and Llama's after v75.
# Prediction (written before the run): the sweep at 8 and 16 within +-1.5 % of 022648's graph GPU p50 (ERNIE unchanged),
# 32..512 within +-1.5 %; tiny at 16: span ~35 us, per layer qkv + rope ~2.5, o with attention ~3.3 (was attention 2.6 +
# o 1.6), gate_up 1.7, down ~2, the norms ~1.2 each, tile map ~4.8; Llama at 16: span ~0.82 ms, LM head ~120 us, ~43 us a
# layer (qkv + rope ~5, was 6.0).
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s35/v2.jar; L=$R/.gpu/libpktrace.so
W=/tmp/s35c3out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 585 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
JAR=$J timeout $(left 400) bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; prog "study rc=$?"
trace() {  # LABEL MODEL SIZES PROMPTS
  CUDA_INJECTION64_PATH=$L PK_TRACE_OUT=/tmp/pk-$1.csv timeout $(left 80) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $2 \
    --sizes $3 --prompts $4 --warmup 10 --iterations 60 --no-progress --json /tmp/pk-$1.json > $W/timeline-run-$1.txt 2>&1
  prog "traced $1 rc=$?"
  java --enable-native-access=ALL-UNNAMED -jar $J plan --model $2 --sizes $3 --dump-ops /tmp/ops-$1.txt > /dev/null 2>&1
  python3 kernels/check/graph_timeline.py /tmp/pk-$1.csv --ops /tmp/ops-$1.txt --nodes $W/timeline-nodes-$1.csv > $W/timeline-$1.txt 2>&1
  prog "timeline $1 rc=$?"
  gzip -9f $W/timeline-nodes-$1.csv
}
trace tiny tiny 16 short
trace llama llama-3.2-1b 16 short
gzip -9 $W/study.log
(cd /tmp && tar cJf $OUT/res.tar.xz s35c3out)
grep -h WARNING $W/log-study.txt | cut -c1-300 | head -5
zcat $W/study.log.gz | tail -6
cat $W/timeline-tiny.txt | head -40
grep -A30 "capture size 16" $W/timeline-llama.txt | head -32
cat $W/progress.txt
