#!/bin/bash
# s28 call 15, jar v79 (ab9a681). Call 14's timelines: after a long prompt, 8x16's graph at 128 spans 583 us against 606
# alone, spread over the families (TMA GEMMs -9.6 us, rope -10.5, norms -7.0, attention +4.2) with every kernel starting
# earlier behind its predecessor (gaps -167 -> -196 us in the TMA GEMMs): something the 512 forward leaves in the context.
# Is it cuBLASLt (its kernels run only at 512)? Three forms, three runs each, sizes 128,512: (a) 8x16 alone; (b) long then
# 8x16; (c) long then 8x16 with choices-nocl.json (the bundled rows without their cuBLASLt rows: the 512 plan on our own
# kernels; the 128 plan is unchanged). Prediction: if cuBLASLt's first launches do it, (c) reads ~595 like (a); else ~575.
# Carry .gpu/jre.tar.xz, .gpu/s28.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); S=$R/results/h200-ab-20261130/s28; J=$R/.gpu/s28/v79.jar
W=/tmp/s28c15out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 300 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
P="--no-profile --no-progress --max-model-len 4096 --max-num-seqs 16 --no-eager --warmup 300 --iterations 300 --sizes 128,512"
(cd $(mktemp -d) && for rep in 1 2 3; do
  for form in alone long nocl; do
    case $form in alone) A="--batch 8x16";; long) A="--prompts long --batch 8x16";; nocl) A="--prompts long --batch 8x16 --impl-choices $S/choices-nocl.json";; esac
    timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill $A $P --json $W/res/ernie-$form-$rep.json > $W/ernie-$form-$rep.txt 2>&1 || echo "$form $rep failed"
  done
  echo "rep $rep $(( $(date +%s)-s )) s"
done)
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys, collections
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    cells = ['%s %6.1f/%6.1f' % (w['name'], w['graph']['hostNs']['p50'] / 1e3, w['graph']['gpuNs']['p50'] / 1e3) for w in json.load(open(f))['workloads']]
    print('%-20s %s' % (os.path.basename(f)[:-5], ', '.join(cells)))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s28c15out)
cp $W/table.txt $OUT/
cat $W/table.txt
