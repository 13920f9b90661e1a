#!/bin/bash
# s28 call 13, jar v79 (ab9a681). Call 12: 8x16's GPU p50 is ~596 us in a process that runs only 8x16, whatever the
# capture sizes (128 alone to 16,128,512); calls 9-10 read 574-576 when short, long then 8x16 ran in one process, and call
# 11 read ~596 with short first. So a 512-size forward run before it makes the same 128 graph ~20 us faster on the GPU.
# Three forms, three runs each, sizes 128,512, --warmup 300: (a) 8x16 alone; (b) long (480 tokens) then 8x16; (c) 4x80
# then 8x16. Prediction: (b) and (c) ~576, (a) ~596 if any 512-bucket forward does it; only (b) if it is the long prompt's
# KV pages (slot 0, 8 pages) or its attention.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s28/v79.jar
W=/tmp/s28c13out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 400 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager --warmup 300 --iterations 300 --sizes 128,512"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for form in alone long 4x80; do
    case $form in alone) A="--batch 8x16";; long) A="--prompts long --batch 8x16";; 4x80) A="--batch 4x80,8x16";; esac
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $A $P --json $W/res/ernie-$form-$rep.json > $W/ernie-$form-$rep.txt 2>&1 || echo "$form $rep failed"
  done
  echo "rep $rep $(( $(date +%s)-s )) s"
done)
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, collections
rows = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    form = os.path.basename(f)[:-5][len('ernie-'):].rsplit('-', 1)[0]
    cells = []
    for w in json.load(open(f))['workloads']:
        g = w['graph']
        cells.append('%s %6.1f/%6.1f' % (w['name'], g['hostNs']['p50'] / 1e3, g['gpuNs']['p50'] / 1e3))
    rows[form].append(', '.join(cells))
print('graph host p50 / GPU p50 (us) per workload, in run order, three runs per form')
for form in ['alone', 'long', '4x80']:
    for r in rows[form]: print('%-6s %s' % (form, r))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s28c13out)
cp $W/table.txt $OUT/
cat $W/table.txt
