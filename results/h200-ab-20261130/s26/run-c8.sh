#!/bin/bash
# s26 call 8, jar ab0b720 (main: the set 002206's forward and timing; the commit after it changes no machine code): does the
# ABBA order cost a mode host time? The default prefill alternates eager and graph (eager first in even iterations), so each
# host sample follows a forward of the other mode; JMH (one mode per fork) read ERNIE short's graph at 418.9 us against
# prefill's 425.1 in call 6. Here, two alternating runs each on one host: tiny and ERNIE short with both modes (ABBA), graph
# only (--no-eager: graph after graph) and eager only (--no-graph); then JMH on tiny short, eager and graph.
# Prediction: if the other mode's forward leaves the launch path cold, graph-only reads ~3-6 us lower than ABBA's graph and
# eager-only lower than ABBA's eager; otherwise within the runs' spread (~1-2 %).
# Carry .gpu/jre.tar.xz, .gpu/s26/v69.jar.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
J=$(pwd)/.gpu/s26/v69.jar
W=/tmp/s26c8out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
(cd $(mktemp -d) && for rep in 1 2; do for how in both graph eager; do for m in tiny ernie-4.5-0.3b; do
  flag=""; [ $how = graph ] && flag=--no-eager; [ $how = eager ] && flag=--no-graph
  timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $m --sizes 16 --prompts short --no-profile --no-progress \
    --warmup 30 --iterations 300 --max-model-len 4096 --max-num-seqs 16 $flag --json $W/res/$m-$how-$rep.json > $W/$m-$how-$rep.txt 2>&1 || echo "$m $how $rep failed"
done; done; done)
prog "modes"
(cd $(mktemp -d) && timeout $(left 120) java -jar $J jmh PrefillBenchmark -p preset=tiny -p workload=short -p sizes=16 -wi 3 -w 1 -i 5 -r 1 -f 1 \
  -rf json -rff $W/jmh-tiny.json > $W/jmh-tiny.log 2>&1; echo "jmh rc=$?")
prog "jmh"
python3 - $W/res > $W/modes.txt <<'PY'
import json, sys, os
d = sys.argv[1]
rows = {}
for f in sorted(os.listdir(d)):
    if not f.endswith('.json'): continue
    m, how, rep = f[:-5].rsplit('-', 2)
    r = json.load(open(os.path.join(d, f)))
    for w in r['workloads']:
        for mode in ('eager', 'graph'):
            t = w.get(mode)
            if t: rows.setdefault((m, mode, how), []).append((t['hostNs']['p50'] / 1e3, t['gpuNs']['p50'] / 1e3))
for (m, mode, how), v in sorted(rows.items()):
    print(f"{m:16s} {mode:5s} {how:6s} host p50 us {' '.join('%.1f' % x[0] for x in v):14s} GPU p50 us {' '.join('%.1f' % x[1] for x in v)}")
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s26c8out)
cat $W/modes.txt; grep -E '^PrefillBenchmark|Benchmark ' $W/jmh-tiny.log | tail -4; cat $W/progress.txt
