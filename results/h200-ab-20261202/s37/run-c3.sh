#!/usr/bin/env bash
# s37 call 3, jar v1 (b621dc7). In-graph timelines (CUPTI kernel records, kernels/check/graph_timeline.py) at 16 to explain
# calls 1-2's misses: ERNIE short on the bundled rows and on ek (the k256 fold at 4 splits: predicted -0.6 us a layer, measured
# -0.7 % of the forward), Llama short on the bundled rows and on ko (the k256 fold at 8 splits: predicted -1.0 us a layer,
# measured +0.1 %). Prediction: ERNIE's o with attention 3.8 -> ~3.5 us and post_norm 2.6 -> ~2.4 on ek; Llama's o with
# attention ~4.8 against attention 2.4 + o 2.4 on ko.
source scripts/gpu/call-setup.sh s37c3 400
R=$(pwd); G=$R/.gpu/s37; L=$R/.gpu/libpktrace.so
trace() {  # LABEL MODEL SIZES PROMPTS [CHOICES]
  local ch=(); [ -n "${5:-}" ] && ch=(--impl-choices $G/$5)
  CUDA_INJECTION64_PATH=$L PK_TRACE_OUT=/tmp/pk-$1.csv timeout $(left 80) java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar prefill \
    --model $2 "${ch[@]}" --sizes $3 --prompts $4 --warmup 10 --iterations 60 --no-progress --json $W/res/pk-$1.json > $W/timeline-run-$1.txt 2>&1
  prog "traced $1 rc=$?"
  java --enable-native-access=ALL-UNNAMED -jar $G/v1.jar plan --model $2 "${ch[@]}" --sizes $3 --dump-ops /tmp/ops-$1.txt > /dev/null 2>&1
  python3 kernels/check/graph_timeline.py /tmp/pk-$1.csv --ops /tmp/ops-$1.txt --nodes $W/timeline-nodes-$1.csv > $W/timeline-$1.txt 2>&1
  prog "timeline $1 rc=$?"
  gzip -9f $W/timeline-nodes-$1.csv
}
trace ernie ernie-4.5-0.3b 16 short
trace ernie-ek ernie-4.5-0.3b 16 short choices-ek.json
trace llama llama-3.2-1b 16 short
trace llama-ko llama-3.2-1b 16 short choices-ko.json
(cd /tmp && tar cJf $OUT/res.tar.xz s37c3)
for t in ernie ernie-ek llama llama-ko; do echo "== $t"; grep -h "capture size 16" $W/timeline-$t.txt; grep -h -E "^\| (input_norm|qkv|attention|o|post_norm|gate_up|down) " $W/timeline-$t.txt; done
cat $W/progress.txt | tr '\n' ';'
