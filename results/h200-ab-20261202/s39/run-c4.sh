#!/usr/bin/env bash
# s39 call 4, jar v3 (the session's last code: v84 and v85 as options, EngineTestSupport.eagerLogits, kernel_check's solo-norm
# dump lines). 1. Llama-3.2-1B's sweep 8..512 step 8 again, first thing on a fresh machine: call 2's ran under sw_power_cap
#    from its first window (000028's only from 264 tokens); if this one runs without it, it replaces call 2's in the report.
# 2. Every GPU test (prediction: all pass, 105 of s38 + 4 RingDepthGpuTest k256 cases + 2 SoloNormsGpuTest = 111).
source scripts/gpu/call-setup.sh s39c4 585
R=$(pwd); G=$R/.gpu/s39
nvidia-smi -q -d POWER,TEMPERATURE,CLOCK > $W/smi-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
timeout $(left 300) java --enable-native-access=ALL-UNNAMED -jar $G/v3.jar prefill --model llama-3.2-1b --sweep 8:512:8 --no-progress \
  --json $W/sweep-llama-3.2-1b-h200-$stamp.json > $W/sweep-llama.txt 2>&1
prog "llama sweep rc=$?"
nvidia-smi -q -d POWER,TEMPERATURE,CLOCK > $W/smi-after-sweep.txt 2>&1
JAR=$G/v3.jar TESTS=$G/tests3.jar OUT=$W timeout $(left 260) bash scripts/gpu-tests.sh $R/.gpu/junit.jar > $W/gpu-tests.log 2>&1
prog "gpu tests rc=$?"; rm -rf $W/junit-gpu
gzip -9 $W/sweep-llama.txt $W/gpu-tests.log
(cd /tmp && tar cJf $OUT/res.tar.xz s39c4)
zcat $W/gpu-tests.log.gz | grep -E "tests (successful|failed|skipped|aborted)"; zcat $W/gpu-tests.log.gz | grep "✘" | head -8
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['throttling'])" $W/sweep-llama-3.2-1b-h200-$stamp.json | cut -c1-400
grep -E "Power Draw|Current Power Limit|Graphics  " $W/smi-before.txt | head -4
cat $W/progress.txt
