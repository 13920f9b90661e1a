#!/bin/bash
# s9 call 2 (891ed64: gate_up at 512 bundled on TMA + SiLU): every GPU test; sweep 136..496 bundled vs gate_up ranges on
# TMA (r192, r128), two runs each alternating; Llama-3.2-1B at 512: bundled vs gate_up on TMA (l256, l128), two each
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
L=$OUT/s9c2; mkdir -p $L/res; s=$(date +%s); root=$PWD; jar=$root/.gpu/s9/jt/bench.jar
JAR=$jar TESTS=$root/.gpu/s9/jt/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$L timeout 150 bash scripts/gpu-tests.sh .gpu/junit-platform-console-standalone-1.14.1.jar > $L/gpu-tests.log 2>&1; echo "gpu-tests rc=$? $(( $(date +%s)-s )) s"
rm -rf $L/junit-gpu
stamp=$(date -u +%Y%m%d-%H%M%S)
J="java --enable-native-access=ALL-UNNAMED -jar $jar"
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled r192 r128; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 80 $J prefill --sweep 136:496:40 --warmup 10 --iterations 150 --no-progress $extra --json $L/res/sweep-s9c2-$v-$rep-h200-$stamp.json > $L/sweep-$v-$rep.txt 2>&1 || echo "sweep $v $rep failed"; done; done)
echo "sweeps $(( $(date +%s)-s )) s"
(cd $(mktemp -d) && for rep in 1 2; do for v in bundled l256 l128; do extra=""; [ $v != bundled ] && extra="--impl-choices $root/.gpu/s9/choices-$v.json"
  timeout 60 $J prefill --model llama-3.2-1b --sizes 512 --prompts long --batch 4x80 --warmup 20 --iterations 200 --no-progress $extra --json $L/res/prefill-s9c2-llama-$v-$rep-h200-$stamp.json > $L/llama-$v-$rep.txt 2>&1 || echo "llama $v $rep failed"; done; done)
echo "llama $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s9c2.tgz s9c2 && rm -rf s9c2)
grep -E "tests (successful|failed|aborted)|✘" /tmp/x/gpu-tests.log | head -8
python3 - <<'PY'
import json, glob, collections
t = collections.defaultdict(dict)
for f in sorted(glob.glob('/tmp/x/res/sweep-*.json')):
    v = f.split('sweep-s9c2-')[1].split('-h200')[0]
    d = json.load(open(f))
    for p in d['sweep']:
        t[p['tokens']][v] = p['graph']['hostP50Ms']
vs = sorted({v for r in t.values() for v in r})
print('size ' + ' '.join(vs))
for s in sorted(t): print(s, ' '.join('%.3f' % t[s][v] if isinstance(t[s].get(v), (int, float)) else '-' for v in vs))
PY
for rep in 1 2; do for v in bundled l256 l128; do echo "== llama $v-$rep $(grep -E '^\| (long|batch-4x80) \| [0-9]+ \| [0-9]+ \|' /tmp/x/llama-$v-$rep.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
