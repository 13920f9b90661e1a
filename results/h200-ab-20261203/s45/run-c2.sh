#!/usr/bin/env bash
# s45 call 2: call 1's per-GEMM table had cuBLASLt alone ahead of ERNIE-4.5-0.3B's streaming gate_up at 64 rows by 1.8x
# (6.95 against 12.69 us, SiLU fused in ours); at <= 64 rows the streaming kernels have not been compared with the library
# end to end since the first day. Candidates (choices only, jar 40a81ca): cg64 = gate_up at 33..64 on cuBLASLt (SiLU by
# silu_mul), ca64 = the four layer GEMMs at 33..64 on cuBLASLt. Plus the in-graph timelines (CUPTI) at 64 of the bundled
# plan and of cg64: what gate_up costs the chain there, beside its alone figures.
# Prediction (written before the run): the alone gap does not survive the chain. At 128 the fused TMA gate_up costs 6.85 us a
# layer in the chain against 12.63 alone (073257's timeline); the streaming one at 64 ~6-8 us; cuBLASLt's gate_up ~5 us in the
# chain plus silu_mul's link (~2.5) and no weights before the wait: cg64 4x16 at 64 +0.5..+2 %, a 40-token prompt alike;
# ca64 +3..+8 % (qkv, o, down alone within the table's +-30 % band or ours ahead, and all four lose their PDL overlap).
# Rule (written before the run): a candidate becomes a bundling candidate only if 4x16 and the 40-token prompt are both >= 1 %
# faster (median of the pairs, graph GPU p50); it would then need its own validation call (every GPU test, memcheck of the
# engine) before its rows land. Otherwise the files stay in results as measured candidates.
source scripts/gpu/call-setup.sh s45c2 585
G=$R/.gpu/s45
J=$G/s45.jar
source scripts/gpu/ab-pairs.sh
AB_JAR=$J AB_CHOICES_DIR=$G AB_OUT=$W/res
CH=choices-cg64.json ab_pairs g416 5 --model ernie-4.5-0.3b --sizes 64 --batch 4x16 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-cg64.json ab_pairs g40 3 --model ernie-4.5-0.3b --sizes 64 --prompt-lens 40 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-ca64.json ab_pairs a416 3 --model ernie-4.5-0.3b --sizes 64 --batch 4x16 --warmup 100 --iterations 300 | tee -a $W/progress.txt
CH=choices-ca64.json ab_pairs a40 2 --model ernie-4.5-0.3b --sizes 64 --prompt-lens 40 --warmup 100 --iterations 300 | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
for v in b cg64; do
  ch=(); [ $v = b ] || ch=(--impl-choices $G/choices-$v.json)
  LD_LIBRARY_PATH=$G/..:$LD_LIBRARY_PATH CUDA_INJECTION64_PATH=$R/.gpu/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-$v.csv \
    timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill --no-progress --model ernie-4.5-0.3b --sizes 64 \
    --batch 4x16 "${ch[@]}" --warmup 10 --iterations 60 > $W/timeline-run-$v.txt 2>&1
  prog "traced $v rc=$?"
  java -jar $J plan --model ernie-4.5-0.3b --sizes 64 "${ch[@]}" --dump-ops /tmp/pkops-$v.txt > /dev/null 2>&1
  python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-$v.csv --ops /tmp/pkops-$v.txt > $W/timeline-64-$v.txt 2>&1
  prog "timeline $v rc=$?"
done
gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s45c2)
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
for v in b cg64; do echo "== timeline $v"; grep -A12 "^| op of a layer" $W/timeline-64-$v.txt | head -13; grep "^graph" $W/timeline-64-$v.txt; done
