#!/bin/bash
# s24 call 4: v62b (jar 2ddfe3b, branch s24-v62): call 3's v62 took 33 us for the folded kernel (kernel_check 34.9 us vs
# 7.65 unfused): its block 1 read the token count in all 1024 threads and 1024 ids speculatively from mapped host memory,
# reads PCIe served one after another (the reading). v62b: the count by one thread, then only the ids below it (two
# dependent PCIe round trips, ~3 us, beside block 0's ~4.8 us map). Prediction as call 3's: the folded kernel ~ the map
# alone (kernel_check: <= 8 us plain), tiny short -3..-5 %, ERNIE short -0.4 %, Llama -0.2 %.
# Rule: ef16 / ef64 kept if tiny short drops >= 2 % and nothing rises > 0.5 %. The A/B runs only if kernel_check's fused
# time is at most 1.3x the unfused pair's (else the reading is wrong and the call stops there).
# Carry .gpu/jre.tar.xz, .gpu/t, .gpu/s24/v62b.jar, .gpu/s24/kc62b, .gpu/trace.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH:/usr/local/cuda/bin
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s24; J=$R/.gpu/s24/v62b.jar
W=/tmp/s24c4out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
xz -dc .gpu/s24/kc62b/kernel_check.xz > /tmp/kc62b && xz -dc .gpu/s24/kc62b/kernel_check_nt.xz > /tmp/kc62b_nt && chmod +x /tmp/kc62b*
(cd /tmp && timeout 60 /tmp/kc62b tilemap > $W/kernel-check-tilemap.txt 2>&1; prog "kernel_check tilemap rc=$?")
go=$(python3 - <<'PY'
import re
t = open('/tmp/s24c4out/kernel-check-tilemap.txt').read()
m = re.search(r'plain launches: ([\d.]+) us vs ([\d.]+) us', t)
print('yes' if m and 'ALL PASSED' in t and float(m.group(1)) <= 1.3 * float(m.group(2)) else 'no')
PY
)
echo "fused kernel within 1.3x: $go" | tee -a $W/progress.txt
if [ "$go" = yes ]; then
  P="--no-eager --no-profile --no-progress --warmup 20 --iterations 150 --max-model-len 4096 --max-num-seqs 16"
  (cd $(mktemp -d) && for rep in 1 2 3; do
    for c in base ef16 ef64; do
      timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 16,64 --prompts short --batch 2x8,4x16 --mix 1x8+8d@512 $P $(ch $c) --json $W/res/ernie-$c-$rep.json > $W/ernie-$c-$rep.txt 2>&1 || echo "ernie $c $rep failed"
      timeout $(left 30) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --sizes 16,64 --prompts short --batch 2x8,4x16 $P $(ch $c) --json $W/res/tiny-$c-$rep.json > $W/tiny-$c-$rep.txt 2>&1 || echo "tiny $c $rep failed"
      timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model llama-3.2-1b --sizes 16 --prompts short $P $(ch $c) --json $W/res/llama-$c-$rep.json > $W/llama-$c-$rep.txt 2>&1 || echo "llama $c $rep failed"
    done
    prog "ab rep $rep"
  done)
  python3 - <<'PY' > $W/ab.txt
import json, glob, collections, statistics
r = collections.defaultdict(list); h = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s24c4out/res/*.json')):
    k = f.split('/')[-1][:-5].split('-')
    for w in json.load(open(f))['workloads']:
        g = w.get('graph')
        if g:
            key = '%s %s@%d' % (k[0], w['name'], w['paddedSize'])
            r[(key, k[1])].append(g['gpuNs']['p50'] / 1e3); h[(key, k[1])].append(g['hostNs']['p50'] / 1e3)
med = statistics.median
for w in sorted({k[0] for k in r}):
    b = med(r[(w, 'base')])
    print('%-24s base %7.1f (host %7.1f) ' % (w, b, med(h[(w, 'base')])) + '  '.join('%s %7.1f (%+.1f%%, host %7.1f)' % (c, med(r[(w, c)]), 100 * (med(r[(w, c)]) / b - 1), med(h[(w, c)]))
          for c in ('ef16', 'ef64') if r[(w, c)]))
PY
  cat $W/ab.txt
  for tool in memcheck synccheck racecheck; do
    (cd /tmp && timeout $(left 60) compute-sanitizer --tool $tool /tmp/kc62b_nt tilemap > $W/$tool-tilemap.txt 2>&1; prog "$tool tilemap rc=$?")
  done
  JAR=$J TESTS=.gpu/t/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh .gpu/t/junit.jar --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest > $W/gpu-tests-v62b.log 2>&1
  prog "gpu-tests GraphEqualsEager v62b rc=$?"; rm -rf $W/junit-gpu
  for m in ernie-4.5-0.3b tiny llama-3.2-1b; do
    (cd $(mktemp -d) && timeout $(left 40) compute-sanitizer --tool memcheck java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $m --max-num-seqs 16 --max-model-len 4096 --sizes 16,64 --prompts short --batch 2x8,4x16 $(ch ef64) --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-$m.txt 2>&1; prog "engine memcheck $m rc=$?")
  done
  export LD_LIBRARY_PATH=$R/.gpu/trace:/usr/local/cuda/extras/CUPTI/lib64:$LD_LIBRARY_PATH
  (cd $(mktemp -d) && CUDA_INJECTION64_PATH=$R/.gpu/trace/libpktrace.so PK_TRACE_OUT=/tmp/pktrace-ef16.csv timeout $(left 40) \
    java --enable-native-access=ALL-UNNAMED -jar $J prefill --model tiny --max-num-seqs 16 --max-model-len 4096 --sizes 16 --prompts short $(ch ef16) --no-eager --warmup 10 --iterations 60 --no-progress > $W/timeline-run-ef16.txt 2>&1
   python3 $R/kernels/check/graph_timeline.py /tmp/pktrace-ef16.csv > $W/timeline-tiny-ef16.txt 2>&1)
fi
(cd /tmp && tar cJf $OUT/res.tar.xz s24c4out)
cp $W/ab.txt $OUT/ab.txt 2>/dev/null
[ -f $W/timeline-tiny-ef16.txt ] && sed -n 2,14p $W/timeline-tiny-ef16.txt
echo "kernel_check tilemap: $(grep -E 'tile_map|ALL PASSED|checks failed' $W/kernel-check-tilemap.txt | tail -4 | tr '\n' ' ')"
grep -E 'tests (successful|failed)' $W/gpu-tests-v62b.log 2>/dev/null | tr -s ' '
for f in $W/memcheck-*.txt $W/synccheck-*.txt $W/racecheck-*.txt; do [ -f $f ] && echo "$(basename $f): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $f | tail -1)"; done
echo; cat $W/ab.txt 2>/dev/null; tail -1 $W/progress.txt
