#!/usr/bin/env bash
# s37 call 9, jar v4 (9c3039a). In-graph timelines (CUPTI) of Llama-3.2-1B's short prompt at 16 on the bundled rows and on
# gs5p (its gate_up on the five-stage tile, prompt batches): where did the five-stage gate_up's 13 % alone (17.88 vs 20.59 us,
# call 6) go in the chain, which gained ~0.4 us a layer (call 7)? Prediction: gate_up's increment 18.2 -> ~17.5 us, down's
# 9.4 -> ~9.0 (its blocks resident at gate_up's entry), the rest within +-0.2 us.
source scripts/gpu/call-setup.sh s37c9 200
R=$(pwd); G=$R/.gpu/s37; L=$R/.gpu/libpktrace.so
trace() {  # LABEL [CHOICES]
  local ch=(); [ -n "${2:-}" ] && ch=(--impl-choices $G/$2)
  CUDA_INJECTION64_PATH=$L PK_TRACE_OUT=/tmp/pk-$1.csv timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $G/v4.jar prefill \
    --model llama-3.2-1b "${ch[@]}" --sizes 16 --prompts short --warmup 10 --iterations 60 --no-progress --json $W/res/pk-$1.json > $W/timeline-run-$1.txt 2>&1
  prog "traced $1 rc=$?"
  java --enable-native-access=ALL-UNNAMED -jar $G/v4.jar plan --model llama-3.2-1b "${ch[@]}" --sizes 16 --dump-ops /tmp/ops-$1.txt > /dev/null 2>&1
  python3 kernels/check/graph_timeline.py /tmp/pk-$1.csv --ops /tmp/ops-$1.txt --nodes $W/timeline-nodes-$1.csv > $W/timeline-$1.txt 2>&1
  prog "timeline $1 rc=$?"
  gzip -9f $W/timeline-nodes-$1.csv
}
trace llama
trace llama-gs5p choices-gs5p.json
rm -f $W/res/*.hlog
(cd /tmp && tar cJf $OUT/res.tar.xz s37c9)
for t in llama llama-gs5p; do echo "== $t"; grep -h "capture size 16" $W/timeline-$t.txt; grep -h -E "^\| (input_norm|qkv|attention|o|post_norm|gate_up|down) " $W/timeline-$t.txt; done
cat $W/progress.txt | tr '\n' ';'
