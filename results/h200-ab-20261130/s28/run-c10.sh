#!/bin/bash
# s28 call 10, jar v79 (ab9a681). Why is ERNIE 8x16's host time bimodal (call 9: host p50 580-588 or 605-624 us over a
# flat 574 us of GPU time, in both --first-tokens modes, per run; the other workloads of the same runs mostly not)? The
# host is a KVM guest of 16 vCPUs (one socket as presented). Three forms, six runs each, sync (the default), 8x16 at 128:
# (a) 8x16 alone in its process; (b) taskset -c 0-7; (c) taskset -c 8-15; and (d) as call 9 ran it (short, long, 8x16,
# 4x80 in one process, sizes 16,128,512) for comparison. Prediction: if the mode is the process's placement, (a) stays
# bimodal and (b) / (c) each fall in one mode; if it comes from the workloads before it in the process, (a) is unimodal
# low. Recorded: each run's graph host / GPU p50 and p90, the main thread's CPU (ps) at the end.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s28/v79.jar
W=/tmp/s28c10out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager --warmup 30 --iterations 300"
(cd $(mktemp -d) && for rep in 1 2 3 4 5 6; do
  for form in alone cpu0-7 cpu8-15 full; do
    case $form in
      alone) pre=""; A="--sizes 128 --batch 8x16";;
      cpu0-7) pre="taskset -c 0-7"; A="--sizes 128 --batch 8x16";;
      cpu8-15) pre="taskset -c 8-15"; A="--sizes 128 --batch 8x16";;
      full) pre=""; A="--sizes 16,128,512 --prompts short,long --batch 8x16,4x80";;
    esac
    timeout $(left 40) $pre java --enable-native-access=ALL-UNNAMED -jar $J prefill $A $P --json $W/res/ernie-$form-$rep.json > $W/ernie-$form-$rep.txt 2>&1 || echo "$form $rep failed"
  done
  echo "rep $rep $(( $(date +%s)-s )) s"
done)
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, collections
rows = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    _, form, rep = os.path.basename(f)[:-5].split('-', 2) if f.count('-') >= 2 else (None, None, None)
    name = os.path.basename(f)[:-5]
    form, rep = name[len('ernie-'):].rsplit('-', 1)
    for w in json.load(open(f))['workloads']:
        if w['name'] != 'batch-8x16': continue
        g = w['graph']
        rows[form].append('%6.1f/%5.1f' % (g['hostNs']['p50'] / 1e3, (g['hostNs']['p50'] - g['gpuNs']['p50']) / 1e3))
print('8x16 graph host p50 / host - GPU (us), six runs per form')
for form in ['alone', 'cpu0-7', 'cpu8-15', 'full']:
    print('%-8s %s' % (form, '  '.join(rows[form])))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s28c10out)
cp $W/table.txt $OUT/
cat $W/table.txt
