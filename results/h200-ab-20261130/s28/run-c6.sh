#!/bin/bash
# s28 call 6, jar v78 (main 87e757b: prefill --first-tokens sync|spin). First FirstTokenSpinGpuTest, then every GPU test,
# then three alternating runs of prefill with --first-tokens sync and spin (host samples from untimed forwards, the GPU
# samples from event-timed ones, which synchronize either way): tiny short and 2x8 at 16, ERNIE short at 16 and 8x16 at
# 128, Llama short at 16. Prediction (launch_cost, calls 1 and 5: the word against cudaStreamSynchronize -1.2..-1.6 us per
# forward at 26 and 167 links): graph host p50 -1.2..-1.6 us everywhere (tiny 44.9 -> ~43.5), eager host the same, GPU
# p50 unchanged. Rule (written before the run): spin becomes prefill's default if tiny short's graph host p50 falls
# >= 1 us (median of three) and no workload's graph host p50 rises > 0.5 %; the results set then follows with it.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s28/v78.jar
W=/tmp/s28c6out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
T=.gpu/s28/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar
JAR=$J TESTS=$T OUT=$W timeout 120 bash scripts/gpu-tests.sh .gpu/s28/t/junit.jar --select-class io.prefillbench.engine.FirstTokenSpinGpuTest > $W/gpu-tests-spin.log 2>&1
prog "spin test rc=$?"; rm -rf $W/junit-gpu
JAR=$J TESTS=$T OUT=$W timeout 200 bash scripts/gpu-tests.sh .gpu/s28/t/junit.jar > $W/gpu-tests-87e757b.log 2>&1
prog "gpu-tests rc=$?"; rm -rf $W/junit-gpu
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16"
TT="--model tiny --sizes 16 --prompts short --batch 2x8 --warmup 100 --iterations 1000"
EE="--sizes 16,128 --prompts short --batch 8x16 --warmup 30 --iterations 300"
LL="--model llama-3.2-1b --sizes 16 --prompts short --warmup 30 --iterations 300"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for c in sync spin; do
    for m in tiny ernie llama; do
      case $m in tiny) A=$TT;; ernie) A=$EE;; llama) A=$LL;; esac
      timeout $(left 60) java --enable-native-access=ALL-UNNAMED -jar $J prefill $A $P --first-tokens $c --json $W/res/$m-$c-$rep.json > $W/$m-$c-$rep.txt 2>&1 || { echo "$m $c $rep failed"; tail -2 $W/$m-$c-$rep.txt; }
    done
  done
  prog "ab rep $rep"
done)
python3 scripts/gpu/ab-table.py $W/res sync spin > $W/ab.txt
python3 - $W/res > $W/ab-eager.txt <<'PY'
import glob, json, os, statistics, sys, collections
h = collections.defaultdict(list)
for f in glob.glob(os.path.join(sys.argv[1], '*.json')):
    m, v, _ = os.path.basename(f)[:-5].split('-')
    for w in json.load(open(f))['workloads']:
        if w.get('eager'): h[(m, w['name'], v)].append(w['eager']['hostNs']['p50'] / 1e3)
for k in sorted({(m, n) for m, n, _ in h}):
    a, b = statistics.median(h[k + ('sync',)]), statistics.median(h[k + ('spin',)])
    print('%-6s %-12s eager host p50 sync %8.1f  spin %8.1f  (%+.1f us)' % (k[0], k[1], a, b, b - a))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s28c6out)
cp $W/ab.txt $W/ab-eager.txt $OUT/
for f in $W/gpu-tests-spin.log $W/gpu-tests-87e757b.log; do grep -E "✘|tests (successful|failed)" $f | sed 's/\x1b\[[0-9;]*m//g' | tail -4; done
cat $W/ab.txt $W/ab-eager.txt; cat $W/progress.txt
