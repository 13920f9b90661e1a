#!/bin/bash
# s26 call 5: what the tool's own GPU timing costs a forward's host time. launch_cost's fixed-cost table now times each
# graph three ways in turn: as the Java tool does (event records around the launch and the elapsed-time query inside the
# host interval), with the query outside, and without events (an engine that does not time its forwards). Then the tool
# on tiny and ERNIE short (graph only) for the same host's numbers as the tool reports them.
# Carry .gpu/jre.tar.xz, .gpu/s26/launch_cost, .gpu/s26/v67.jar (main's forward for tiny and ERNIE: v67 rows off).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
W=$OUT
./.gpu/s26/launch_cost 169 51 > $W/launch-cost.txt 2>&1; echo "launch_cost rc=$?"
(cd $(mktemp -d) && for m in tiny ernie-4.5-0.3b; do
  java --enable-native-access=ALL-UNNAMED -jar $OLDPWD/.gpu/s26/v67.jar prefill --model $m --sizes 16 --prompts short --no-eager --no-profile --no-progress --warmup 50 --iterations 300 --max-model-len 4096 --max-num-seqs 16 --json $W/$m.json > $W/$m.txt 2>&1
done)
grep -A4 '^| fixed cost | graph' $W/launch-cost.txt
grep -h -E 'short' $W/tiny.txt $W/ernie-4.5-0.3b.txt | head -6
