#!/bin/bash
# s8 call 4: Nsight Compute of the TMA GEMM (gate_up and o at 512) and of cuBLAS on the same shapes; new stage counts
# in the harness (gate_up, down at 512); A/B bundled vs TMA at 65..128 (3 runs each, alternating) and sweeps 72..136
cd "$(dirname "$0")/../.."
set -u
tar -xJf .gpu/jre.tar.xz -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
L=$OUT/s8c4; mkdir -p $L/res; s=$(date +%s); root=$PWD
xz -dkc .gpu/s8/wgc.xz > /tmp/wgc && chmod +x /tmp/wgc
NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
for spec in "T128x192s4 6144 1024 512 1" "cublas 6144 1024 512 1" "T64x64s8 1024 1024 512 1" "cublas 1024 1024 512 1" "T64x64s4 1024 1024 128 4" "cublas 1024 1024 128 1"; do
  set -- $spec; tag=$1-$2-$3-$4
  timeout 60 $NCU --set full -s 2 -c 1 /tmp/wgc one $spec > $L/ncu-$tag.txt 2>&1; echo "ncu $tag rc=$? $(( $(date +%s)-s )) s"
done
for sh in "e.gateup 512" "e.down 512" "e.qkv 512"; do timeout 60 /tmp/wgc only $sh > "$L/wgc-only-${sh// /-}.log" 2>&1; done
echo "harness $(( $(date +%s)-s )) s"
stamp=$(date -u +%Y%m%d-%H%M%S); jar=$root/.gpu/s8/jt/bench.jar
(cd $(mktemp -d) && for rep in 1 2 3; do for v in bundled tma128; do extra=""
  [ $v = tma128 ] && extra="--impl-choices $root/.gpu/s8/choices-tma128.json"
  timeout 45 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sizes 16,64,128,512 --prompts short,long --batch 4x80,8x16 --warmup 20 --iterations 300 --no-progress \
    $extra --json $L/res/prefill-s8c4-$v-$rep-h200-$stamp.json > $L/ab-$v-$rep.txt 2>&1 || echo "$v $rep failed"
done; done
for v in bundled tma128; do extra=""; [ $v = tma128 ] && extra="--impl-choices $root/.gpu/s8/choices-tma128.json"
  timeout 60 java --enable-native-access=ALL-UNNAMED -jar $jar prefill --sweep 72:136:8 --no-progress $extra --json $L/res/sweep-s8c4-$v-h200-$stamp.json > $L/sweep-$v.txt 2>&1 || echo "sweep $v failed"; done)
echo "a/b $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s8c4.tgz s8c4 && rm -rf s8c4)
for f in /tmp/x/ncu-*.txt; do echo "== $(basename $f)"; grep -E "^  [a-zA-Z_].*\(|Duration|Grid Size|Cluster Size|Block Size|Registers Per|Dynamic Shared|Memory Throughput|DRAM Throughput|L2 Cache Throughput|Compute \(SM\) Throughput|Achieved Occupancy" $f | head -14; done
grep -E "us " /tmp/x/wgc-only-*.log | grep -E "s4 |s5 |s3 |splits" | awk '{print $1,$2,$3,$(NF-4),$(NF-3),$(NF-2),$(NF-1),$NF}' | sort -t' ' -k1,1 | head -60
for rep in 1 2 3; do for v in bundled tma128; do f=$v-$rep; echo "== $f $(grep -E '^\| (short|long|batch-4x80|batch-8x16) \| [0-9]+ \| [0-9]+ \|' /tmp/x/ab-$f.txt | awk -F'|' '{printf "%s g %s e %s; ", $2, $9, $5}')"; done; done
python3 - <<'PY'
import json,glob
for f in sorted(glob.glob('/tmp/x/res/sweep-*.json')):
    d=json.load(open(f)); pts=d.get('sweep') or []
    print(f.split('/')[-1][:30], ' '.join('%d:%.3f/%.3f' % (p['tokens'], p['eager']['hostP50Ms'], p['graph']['hostP50Ms']) for p in pts))
PY
