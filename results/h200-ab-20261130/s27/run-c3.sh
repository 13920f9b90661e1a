#!/bin/bash
# s27 call 3, jar b4a1a9d (call 2's set 020052: main's forward since v68's fresh-prompt graph and tiny's attention rows;
# the q4 attention form present as an option, not bundled): the study (scripts/gpu-results.sh study: the sweep of eager vs
# graph over token counts 8..512 and the serving study), so the report's "when graphs pay" shows the forward the set shows.
# Prediction (s26's study 002754 on 74860ef; since then only plans at 65..128 for fresh prompts changed): graph p50 at
# 72..128 -2..-4 % (v68: 8x16 -3.5 %, 80-token -2.2 %), every other point within 1 %; graphs buy a little more at 72..128.
# Carry .gpu/jre.tar.xz, .gpu/s27/v73.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s27/v73.jar
W=/tmp/s27c3out; rm -rf $W; mkdir -p $W; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
JAR=$J timeout 520 bash scripts/gpu-results.sh $W/study study > $W/study.log 2> $W/log-study.txt; echo "study rc=$? $(el) s" | tee $W/progress.txt
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s27c3out)
tail -5 $W/study.log
