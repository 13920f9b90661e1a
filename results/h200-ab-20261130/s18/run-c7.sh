#!/bin/bash
# s18 call 7, one jar: v31 = 1a441e5 (the bundled rows, v49 included; new: build_tile_map_embed, reached by a fusion row
# embed_into_tile_map). Carry .gpu/jre-s.tar.xz and .gpu/s18/c7 (jars.tar.xz = v31 and the JUnit console unpacked; the
# tests jar; kernel_check and its no-timing build, sm_90a).
# Why: s17 call 2's timeline put embed at 1.7 us of tiny's 47 us (its own link after the tile map, launched without PDL);
# the tile map's block has the ids in hand once it copied the metadata in.
# 1. kernel_check tilemap (the folded kernel == build_tile_map + embed_gather and the table, 160 batches, 4 widths) and
#    compute-sanitizer memcheck / racecheck / synccheck of it. 2. Candidates, three alternating runs, graph GPU p50:
#    base / ef16 (the row at 1..16) / ef64 (1..64): tiny short@16, 2x8@16; ERNIE short@16, 4x16@64; Llama short@16.
#    Prediction (written before the run): the embed link ~1.7 us goes, the first norm loses its PDL pre-wait overlap (~0.5):
#    tiny -2..-3 %, ERNIE / Llama short -0.2 %, ERNIE 4x16 (64 rows x 1024 in one block: 8 loads per thread) +-0.3 %.
#    Rule: ef16 bundled if tiny short drops >= 1.5 % and no workload rises > 0.3 %; ef64 only if 4x16 also drops.
# 3. The new GPU test (the folded forward == the bundled one, bit for bit, tiny / ERNIE / Llama); the engine under memcheck.
cd "$(dirname "$0")/../../.."
set -u
tar -xJf .gpu/jre-s.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
C=.gpu/s18/c7; J=/tmp/s18c7; rm -rf $J /tmp/s18c7out; mkdir -p $J/x && tar -xJf $C/jars.tar.xz -C $J/x
for v in v31 junit; do python3 scripts/gpu/rejar.py $J/x/$v $J/$v.jar > /dev/null; done
cp $C/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar $J/
for b in kernel_check kernel_check_san; do xz -dc $C/$b.xz > $J/$b && chmod +x $J/$b; done
S=$(pwd)/results/h200-ab-20261130/s18
W=/tmp/s18c7out; mkdir -p $W/res; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
left() { local l=$(( 480 - ($(date +%s)-s) )); [ $l -lt $1 ] && echo $l || echo $1; }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-before.txt 2>&1
stamp=$(date -u +%Y%m%d-%H%M%S)
B="java --enable-native-access=ALL-UNNAMED -jar $J/v31.jar"
ch() { [ $1 = base ] || echo "--impl-choices $S/choices-$1.json"; }
timeout $(left 60) $J/kernel_check tilemap > $W/kernel-check-tilemap.txt 2>&1; prog "tilemap rc=$?"
for t in memcheck synccheck racecheck; do
  timeout $(left 60) compute-sanitizer --tool $t $J/kernel_check_san tilemap > $W/$t-tilemap.txt 2>&1; prog "$t rc=$?"
done
(cd $(mktemp -d) && for rep in 1 2 3; do for f in base ef16 ef64; do
  timeout $(left 30) $B prefill --model tiny --sizes 16 --prompts short --batch 2x8 --warmup 100 --iterations 1000 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/tiny-$f-$rep-$stamp.json > $W/tiny-$f-$rep.txt 2>&1 || echo "tiny $f $rep failed"
  timeout $(left 30) $B prefill --model ernie-4.5-0.3b --max-num-seqs 16 --sizes 16,64 --prompts short --batch 4x16 --warmup 30 --iterations 300 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/ernie-$f-$rep-$stamp.json > $W/ernie-$f-$rep.txt 2>&1 || echo "ernie $f $rep failed"
  timeout $(left 30) $B prefill --model llama-3.2-1b --max-num-seqs 16 --sizes 16 --prompts short --warmup 20 --iterations 150 --no-eager --no-profile --no-progress $(ch $f) --json $W/res/llama-$f-$rep-$stamp.json > $W/llama-$f-$rep.txt 2>&1 || echo "llama $f $rep failed"
done; prog "ab rep $rep"; done)
JAR=$J/v31.jar TESTS=$J/prefillbench-bench-0.1.0-SNAPSHOT-tests.jar OUT=$W timeout $(left 120) bash scripts/gpu-tests.sh $J/junit.jar \
  --select-class io.prefillbench.engine.GraphEqualsEagerGpuTest --include-methodname '.*embedFolded.*' > $W/gpu-test-embed.log 2>&1
prog "gpu test rc=$?"; rm -rf $W/junit-gpu
(cd $(mktemp -d) && timeout $(left 60) compute-sanitizer --tool memcheck --target-processes all $B prefill --model tiny --sizes 16 --prompts short --batch 3x4 $(ch ef16) --warmup 1 --iterations 2 --no-progress > $W/memcheck-engine-tiny-ef16.txt 2>&1; prog "engine memcheck rc=$?")
(uptime; nvidia-smi -q -d CLOCK,POWER,PERFORMANCE) > $W/host-after.txt 2>&1
(cd /tmp && tar cJf $OUT/res.tar.xz s18c7out)
grep -E "ALL PASSED|checks failed|tile_map_embed" $W/kernel-check-tilemap.txt | cut -c1-200 | tail -3
grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' $W/*-tilemap.txt $W/memcheck-engine-tiny-ef16.txt
grep -E "tests (successful|failed)|✘" $W/gpu-test-embed.log | head -6
python3 - <<'PY'
import json, glob, collections, statistics
r = collections.defaultdict(list)
for f in sorted(glob.glob('/tmp/s18c7out/res/*.json')):
    k = f.split('/')[-1].split('-'); d = json.load(open(f))
    for w in d['workloads']:
        g = w.get('graph')
        if g: r[(k[0], '%s@%d' % (w['name'], w['paddedSize']), k[1])].append((g['gpuNs']['p50'] / 1e3, g['hostNs']['p50'] / 1e3))
for (a, w) in sorted({k[:2] for k in r}):
    cs = sorted({k[2] for k in r if k[:2] == (a, w)}, key=lambda c: (c != 'base', c))
    b = statistics.median([x[0] for x in r[(a, w, 'base')]])
    print('%-6s %-12s ' % (a, w) + '  '.join('%s %.2f%s h %.2f' % (c, statistics.median([x[0] for x in r[(a, w, c)]]), '' if c == 'base' else ' (%+.1f%%)' % (100 * (statistics.median([x[0] for x in r[(a, w, c)]]) / b - 1)), statistics.median([x[1] for x in r[(a, w, c)]])) for c in cs))
PY
tail -1 $W/progress.txt
