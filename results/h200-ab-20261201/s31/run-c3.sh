#!/bin/bash
# s31 call 3, jar v90 (main: the gate's planted busy kernel moved from the graph's end to its start, on the path to the
# first tokens; PlantedSlowdownGpuTest) and v89 (55b8395, the set's jar, plant at the end).
# 1. PlantedSlowdownGpuTest on v90 (must pass) and on v89 (must fail: the plant after argmax, which a spinning host
#    does not wait for; the next eager forward does).
# 2. The core command's planted run on v90, gated against the new baseline (073646-b, v89; --allow-config-diff, as
#    CI's scripts/gate-committed.sh does): must exit 1, every graph row SLOWER, eager rows SAME.
# 3. What the forward's metadata copy-in costs by size (tiny's 4.8 us tile map, s30 call 5): tiny's graph forward with
#    the default metadata (--max-num-seqs 32 --max-model-len 4096, pages of 64 tokens: block tables 32 x 64 ints, ~8.5 KB
#    copied in over PCIe by build_tile_map's one block of 16-byte loads) against --max-model-len 64 (block tables 32 x 1,
#    ~0.6 KB; the same 32 sequences, so the same attention tile capacity), three alternating pairs; ERNIE short at
#    --sizes 16 the same, two pairs.
# Prediction (written before the run): 1 as stated; 2 graph rows +20..+55 % as the older planted files against this
# baseline (gate-committed locally), eager within +-3 %; 3 the small metadata within 0.5 us of the default on tiny's and
# ERNIE's GPU p50: 8.5 KB is one round of the block's 16-byte loads (1024 threads x 16 B), so the copy-in is one PCIe
# round trip whatever its size; the lever for tiny's 40 us is then the round trip itself, not the bytes. A saving
# >= 1 us would say the bytes matter (copy only the block-table rows a batch uses).
# Carry .gpu/jre.tar.xz, .gpu/s31/v89.jar, .gpu/s31/v90.jar, .gpu/s31/t90 (tests jar, junit console).
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
R=$(pwd); J=$R/.gpu/s31/v90.jar; J89=$R/.gpu/s31/v89.jar; T=$R/.gpu/s31/t90
W=/tmp/s31c3out; rm -rf $W; mkdir -p $W/res; s=$(date +%s)
left() { local l=$(( 570 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
for v in 90 89; do
  JAR=$R/.gpu/s31/v$v.jar TESTS=$T/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W/t$v timeout $(left 60) bash scripts/gpu-tests.sh $T/junit.jar \
    --select-class io.prefillbench.engine.PlantedSlowdownGpuTest > $W/plant-test-v$v.log 2>&1; prog "PlantedSlowdownGpuTest on v$v rc=$?"
done
stamp=$(date -u +%Y%m%d-%H%M%S)
cd $(mktemp -d)
timeout $(left 120) java --enable-native-access=ALL-UNNAMED -jar $J prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 \
  --warmup 30 --iterations 300 --no-progress --slowdown-cycles 400000 --json $W/res/planted-slowdown-h200-$stamp.json > $W/planted.txt 2>&1; prog "planted run rc=$?"
java -jar $J gate --baseline $R/results/baselines/nvidia-h200.json --current $W/res/planted-slowdown-h200-$stamp.json --allow-config-diff \
  --json $W/res/gate-planted-vs-baseline-h200-$stamp.json > $W/gate-planted.txt 2>&1; prog "gate planted vs baseline rc=$? (must be 1)"
run_meta() {  # $1 label, $2 preset, $3 json, rest: options
  local label=$1 preset=$2 out=$3; shift 3
  local it=300; [ $preset = tiny ] && it=1000
  timeout $(left 40) java --enable-native-access=ALL-UNNAMED -jar $J prefill --model $preset --sizes 16 --prompts short --warmup 100 \
    --iterations $it --no-progress "$@" --json $out > ${out%.json}.txt 2>&1 || echo "$label failed"
}
for rep in 1 2 3; do
  order="big small"; [ $rep = 2 ] && order="small big"
  for m in $order; do
    if [ $m = big ]; then run_meta "tiny big $rep" tiny $W/res/meta-tiny-big-$rep.json
    else run_meta "tiny small $rep" tiny $W/res/meta-tiny-small-$rep.json --max-model-len 64; fi
  done
  prog "tiny pair $rep"
done
for rep in 1 2; do
  order="big small"; [ $rep = 2 ] && order="small big"
  for m in $order; do
    if [ $m = big ]; then run_meta "ernie big $rep" ernie-4.5-0.3b $W/res/meta-ernie-big-$rep.json
    else run_meta "ernie small $rep" ernie-4.5-0.3b $W/res/meta-ernie-small-$rep.json --max-model-len 64; fi
  done
  prog "ernie pair $rep"
done
python3 - $W/res > $W/table.txt <<'PY'
import glob, json, os, sys
print('metadata copy-in by size: graph host p50 / GPU p50 (us), default (32 seqs x 4096) vs small (32 x 64)')
for f in sorted(glob.glob(os.path.join(sys.argv[1], 'meta-*.json'))):
    j = json.load(open(f)); w = j['workloads'][0]
    print('%-24s graph host %7.2f gpu %7.2f | eager host %7.2f gpu %7.2f' % (os.path.basename(f)[5:-5], w['graph']['hostNs']['p50'] / 1e3,
          w['graph']['gpuNs']['p50'] / 1e3, w['eager']['hostNs']['p50'] / 1e3, w['eager']['gpuNs']['p50'] / 1e3))
PY
(cd /tmp && tar cJf $OUT/res.tar.xz s31c3out)
grep -E "tests (successful|failed)|PlantedSlowdown|assert|returned|waited" $W/plant-test-v90.log $W/plant-test-v89.log | cut -c1-250 | head -12
grep -E "^\| |^gate" $W/gate-planted.txt | cut -c1-260
cat $W/table.txt
cat $W/progress.txt
