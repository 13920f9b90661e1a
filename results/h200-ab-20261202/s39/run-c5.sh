#!/usr/bin/env bash
# s39 call 5, jar v4 (490a8cc, the session's last code; CI green on a clean clone). One choices-only candidate with the
# device time left: lmk, the LM heads at 1..16 on the 128-deep four-stage plain tile (gemm_bf16_stream_m16k128s4, unsplit: the
# six-stage kernel's grid and bits, so the same logits and tokens) instead of the six-stage one.
# Prediction (written before): the LM heads stream at the DRAM rate in bulk (ERNIE 212 MB in ~50 us, 4.24 TB/s; Llama 525 MB in
# ~117, 4.49), so the deeper stages (v83: +15..30 % per block) help only the drain after the last blocks start (ERNIE's 1616
# blocks are 4.08 waves of 396 six-stage slots, 6.12 of 264 at two 80 KB blocks per SM): ERNIE short -0.3..-0.6 % (-1..-2 us, the
# rate Llama's head reaches), Llama -0.1..-0.3 %; 2x8 alike. Rule: bundle if ERNIE short and 2x8 each >= 0.5 % faster in the
# median of their pairs and Llama's not above +0.3 %.
source scripts/gpu/call-setup.sh s39c5 400
R=$(pwd); G=$R/.gpu/s39
source scripts/gpu/ab-pairs.sh
AB_JAR=$G/v4.jar AB_OUT=$W/res
E="--model ernie-4.5-0.3b --sizes 16 --warmup 100 --iterations 300"; L="--model llama-3.2-1b --sizes 16 --warmup 100 --iterations 300"
CH=choices-lmk.json ab_pairs lmk 5 $E --prompts short | tee -a $W/progress.txt
CH=choices-lmk.json ab_pairs lmkx 3 $E --batch 2x8 | tee -a $W/progress.txt
CH=choices-lmk.json ab_pairs lmkl 3 $L --prompts short | tee -a $W/progress.txt
python3 $R/scripts/gpu/ab-table.py $W/res b > $W/table.txt
rm -f $W/res/*.hlog; gzip -9 $W/res/*.txt
(cd /tmp && tar cJf $OUT/res.tar.xz s39c5)
cat $W/progress.txt | tr '\n' ';'; echo
cat $W/table.txt
