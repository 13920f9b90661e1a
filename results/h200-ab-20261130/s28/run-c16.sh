#!/bin/bash
# s28 call 16, jar v79 (ab9a681). Call 15: the 512 forward's effect on 8x16's graph at 128 (595 -> 572-576 us GPU) is not
# cuBLASLt's (the 512 plan on our own kernels does it too). Is it the memory the 512 forward touches or running the 512
# graph at all? Three forms, three runs each, sizes 128,512: (a) 8x16 alone; (b) a 129-token prompt first (the 512 graph,
# a quarter of long's rows and 3 KV pages); (c) a mixed step 1x80 + 15 decodes over 2048 cached tokens first (the 128
# plain graph, 15 x 32 KV pages of cached prefix written and read). Prediction: graph launch -> (b) fast, (c) alone-like;
# memory touched -> (c) fast, (b) partly.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s28/v79.jar
W=/tmp/s28c16out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 240 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager --warmup 300 --iterations 300 --sizes 128,512"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for form in alone p129 mix; do
    case $form in alone) A="--batch 8x16";; p129) A="--prompt-lens 129 --batch 8x16";; mix) A="--batch 8x16 --mix 1x80+15d@2048";; esac
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $A $P --json $W/res/ernie-$form-$rep.json > $W/ernie-$form-$rep.txt 2>&1 || echo "$form $rep failed"
  done
  echo "rep $rep $(( $(date +%s)-s )) s"
done)
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    cells = ['%s %6.1f/%6.1f' % (w['name'], w['graph']['hostNs']['p50'] / 1e3, w['graph']['gpuNs']['p50'] / 1e3) for w in json.load(open(f))['workloads']]
    print('%-20s %s' % (os.path.basename(f)[:-5], ', '.join(cells)))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s28c16out)
cp $W/table.txt $OUT/
cat $W/table.txt
