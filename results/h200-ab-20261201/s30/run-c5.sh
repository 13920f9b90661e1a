#!/bin/bash
# s30 call 5, jar v88 (main 88c5072, set 055343's jar): the in-graph timelines (CUPTI kernel records,
# kernels/check/graph_timeline.py) of Llama-3.2-1B's short and long prompts and of tiny's short prompt, which the core
# set traces for ERNIE only: where the two targets still missed (Llama short 0.852 ms against 0.76; tiny 43.9 us end
# to end against 40) spend their chain, per op of a layer.
# Prediction (written before the run): Llama at 16: span ~0.84 ms, the LM head ~125 us (525 MB at ~4.2 TB/s), ~44 us
# per layer against 28 us of weights at the floor, gate_up and down within 20 % of their weights' time, the norms,
# rope and attention ~2-3 us each; tiny at 16: span ~40 us, ~13.6 us per layer, tile map ~5 us.
# Carry .gpu/jre.tar.xz, .gpu/s30/v88.jar, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
R=$(pwd); J=$R/.gpu/s30/v88.jar; L=$R/.gpu/trace/libpktrace.so
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:$R/.gpu/trace:${LD_LIBRARY_PATH:-}
W=/tmp/s30c5out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
trace() {  # LABEL MODEL SIZES PROMPTS
  CUDA_INJECTION64_PATH=$L PK_TRACE_OUT=/tmp/pk-$1.csv timeout 200 java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $2 \
    --sizes $3 --prompts $4 --warmup 10 --iterations 60 --no-progress --json /tmp/pk-$1.json > $W/timeline-run-$1.txt 2>&1
  prog "traced $1 rc=$?"
  java --enable-native-access=ALL-UNNAMED -jar $J plan --model $2 --sizes $3 --dump-ops /tmp/ops-$1.txt > /dev/null 2>&1
  python3 kernels/check/graph_timeline.py /tmp/pk-$1.csv --ops /tmp/ops-$1.txt --nodes $W/timeline-nodes-$1.csv > $W/timeline-$1.txt 2>&1
  prog "timeline $1 rc=$?"
  gzip -9f $W/timeline-nodes-$1.csv
}
trace llama llama-3.2-1b 16,512 short,long
trace tiny tiny 16 short
cp -r $W $OUT/
cat $W/timeline-llama.txt $W/timeline-tiny.txt
cat $W/progress.txt
