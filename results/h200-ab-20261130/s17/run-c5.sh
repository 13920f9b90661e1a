#!/bin/bash
# s17 call 5, one jar: v23 = 136c266 (the set's forward; add_rmsnorm_256's rule narrowed to 2048-wide rows, which changes
# no preset measured here). Carry .gpu/jre-s.tar.xz and .gpu/s17/c5 (jars.tar.xz = v23 unpacked; launch_cost.xz of c0c3762).
# 1. Llama-3.2-1B's attention at 17..512 on the early wg form (choices-lwe17.json) against its rule (the 4-warp / kh forms),
#    three alternating runs, graph GPU p50: prompts 4x8@32, 4x16@64, 8x16@128, long@512 and decode steps 32d@1024,
#    64d@1024, 1x80+31d@2048. Prediction: call 3 at 16 had the early form take decode steps over 2048 cached tokens -21 %
#    and over 512 -5 % while prompts lost 1-2 %; ERNIE's early form won prompts at 17..512 (s14). Expect decode steps
#    -5..-20 %, prompts +-2 %. Rule (written before this run): bundled if no workload rises > 0.5 % and one drops >= 1 %.
# 2. Java against C++ launch cost, interleaved three times each (call 4's core measured Java 25-38 % dearer, s16's 11 %
#    cheaper, with the same launch path): is the gap the host's state at the time of each measurement, or stable in a lease?
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s17/c5; J=/tmp/s17c5; rm -rf $J /tmp/s17c5out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
python3 scripts/gpu/rejar.py $J/x/v23 $J/v23.jar > /dev/null
xz -dkc $C/launch_cost.xz > $J/launch_cost; chmod +x $J/launch_cost
S=$(pwd)/results/h200-ab-20261130/s17
W=/tmp/s17c5out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 560 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nproc; ps -eo pcpu,comm --sort=-pcpu | head -8; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v23.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base lwe17; do
  timeout $(left 60) $B prefill --model llama-3.2-1b --max-num-seqs 64 --max-model-len 4096 --sizes 32,64,128,512 --prompts long --batch 4x8,4x16,8x16 --mix 32d@1024,64d@1024,1x80+31d@2048 --warmup 20 --iterations 200 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; prog "ab rep $rep"; done)
python3 -c 'import sys,zipfile; open(sys.argv[2],"wb").write(zipfile.ZipFile(sys.argv[1]).read("io/prefillbench/kernels/prefill.fatbin"))' $J/v23.jar /tmp/lc.fatbin
(cd $(mktemp -d) && for rep in 1 2 3; do
  timeout $(left 30) $B devices --launch-cost 169 > $W/lc-java-$rep.txt 2>&1
  timeout $(left 30) $J/launch_cost 169 51 16 128 /tmp/lc.fatbin > $W/lc-cpp-$rep.txt 2>&1
  prog "launch cost rep $rep"; done)
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s17c5out)
for rep in 1 2 3; do grep -hE '^\| (Java|C\+\+ stub|C\+\+ cudaKernel_t) \| cudaLaunchKernel(ExC)? ' $W/lc-java-$rep.txt $W/lc-cpp-$rep.txt | sed "s/^/rep $rep /"; grep -hE '^\| (Java|C\+\+ stub|C\+\+ cudaKernel_t) \| .*PDL' $W/lc-java-$rep.txt $W/lc-cpp-$rep.txt | sed "s/^/rep $rep /"; done
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s17c5out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g:
            for t in ('gpu', 'host'):
                r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), t, k[1])].append(g[t + 'Ns']['p50'] / 1e3)
for (a, w, t) in sorted({k[:3] for k in r}):
    cs = sorted({k[3] for k in r if k[:3] == (a, w, t)})
    print('%-6s %-22s %-4s ' % (a, w, t) + '  '.join('%s %.1f [%s]' % (c, statistics.median(r[(a, w, t, c)]), ' '.join('%.1f' % x for x in r[(a, w, t, c)])) for c in cs))
PY
tail -2 $W/progress.txt
