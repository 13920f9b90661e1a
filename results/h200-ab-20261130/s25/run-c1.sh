#!/bin/bash
# s25 call 1 (measurement, no code change): what bounds the wgmma + TMA GEMMs at 128 rows (8x16's bucket: qkv 3.74,
# o 3.04, gate_up 8.48, down 4.59 us per layer in set 215443's timeline, 23.6 MB of weights: 1.2 TB/s).
# s8's trace (v27) had every k tile at 0.24-0.51 us, i.e. 60-80 GB/s of tiles into each SM, consumers waiting on full
# barriers and the producer on free stages at once. Two readings: (a) the chip's L2 -> SM bandwidth shared by all blocks
# (~7.5-10 TB/s over 128 blocks), then fewer blocks run each k tile faster and multicast (fewer L2 reads) would pay;
# (b) each SM's own ingress or request latency, then a k tile takes as long with 8 blocks as with 128 and only more
# FLOPs per byte in a block (bigger tiles, a split-K reduced on chip) would pay. v26 (B multicast in pairs) gained
# nothing, which points at (b). Prediction: (b): per-tile time with 6-8 blocks within 20 % of 96-128 blocks.
# Harness builds made here (sm_90a, -DNO_CUBLAS): .gpu/s25/wgc_trace (-DPK_WG_TRACE), .gpu/s25/wgc (for ncu).
cd "$(dirname "$0")/../../.."
set -u
export PATH=$PATH:/usr/local/cuda/bin
W=$OUT; s=$(date +%s)
el() { echo $(( $(date +%s)-s )); }
prog() { echo "$* $(el) s" | tee -a $W/progress.txt; }
T=.gpu/s25/wgc_trace; G=.gpu/s25/wgc
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv > $W/gpu.txt 2>&1
for a in "T128x64s8 6144 1024 128 1" "T128x64s8 1536 1024 128 1" "T128x64s8 384 1024 128 1" \
         "T128x64s4 6144 1024 128 1" "T128x64s4 384 1024 128 1" \
         "T64x64s8 1024 3072 128 4" "T64x64s8 256 3072 128 4" "T64x64s8 64 3072 128 4" \
         "T64x64s12 1024 3072 128 4" "T64x64s12 64 3072 128 4" \
         "T64x64s8 1280 1024 128 2" "T64x64s8 64 1024 128 2" \
         "T64x64s8 1024 1024 128 4" "T64x64s8 64 1024 128 4" \
         "T128x192s4 6144 1024 512 1" "T128x192s4 384 1024 512 1"; do
  timeout 30 $T trace $a >> $W/trace.txt 2>&1; echo "rc=$?" >> $W/trace.txt
done
prog traces
for a in "T128x64s8 6144 1024 128 1" "T128x64s8 384 1024 128 1" "T64x64s8 1024 3072 128 4" "T64x64s8 64 3072 128 4"; do
  set -- $a
  timeout 120 ncu --launch-skip 4 --launch-count 1 --section SpeedOfLight --section MemoryWorkloadAnalysis \
    --metrics l1tex__m_xbar2l1tex_read_bytes.sum.per_second,lts__t_bytes.sum.per_second,dram__bytes_read.sum.per_second,lts__t_sectors_srcunit_tex_op_read.sum,l1tex__m_xbar2l1tex_read_bytes.sum,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active,lts__t_sectors.avg.pct_of_peak_sustained_elapsed,l1tex__m_xbar2l1tex_read_bytes.sum.pct_of_peak_sustained_elapsed \
    $G one $a > $W/ncu-$1-$2-$3-$4-$5.txt 2>&1
  prog "ncu $a rc=$?"
done
python3 - <<'PY' > $W/table.txt
import re
cur = None; rows = []
import os
for line in open(os.environ['OUT'] + '/trace.txt'):
    m = re.match(r'trace (\S+) n(\d+) k(\d+) m(\d+) splits (\d+): (\d+) blocks, (\d+) k tiles', line)
    if m: cur = dict(cfg=m[1], n=int(m[2]), k=int(m[3]), m=int(m[4]), sp=int(m[5]), blocks=int(m[6]), kt=int(m[7])); rows.append(cur); continue
    m = re.match(r'\s+(.+?)\s+median\s+([\d.]+) us', line)
    if m and cur: cur[m[1]] = float(m[2])
print('%-11s %6s %5s %4s %3s %6s | %7s %7s %7s %8s %9s' % ('config', 'n', 'k', 'm', 'sp', 'blocks', 'first', 'kloop', 'perTile', 'GB/s/SM', 'block'))
for r in rows:
    bm, bn = [int(x) for x in re.match(r'T(\d+)x(\d+)', r['cfg']).groups()]
    per = r.get('k loop', 0) / max(r['kt'], 1)
    gbs = (bm + bn) * 128 / (per * 1e3) if per else 0
    print('%-11s %6d %5d %4d %3d %6d | %7.2f %7.2f %7.3f %8.1f %9.2f' % (r['cfg'], r['n'], r['k'], r['m'], r['sp'], r['blocks'], r.get('entry->first tile', 0), r.get('k loop', 0), per, gbs, r.get('block', 0)))
PY
cat $W/table.txt
grep -h "Duration\|L2 Cache Throughput\|DRAM Throughput\|xbar2l1tex_read_bytes.sum.per_second\|lts__t_bytes.sum.per_second\|gmma_cycles\|lts__t_sectors.avg.pct\|xbar2l1tex_read_bytes.sum.pct\|Memory Throughput\|ran " $W/ncu-*.txt | cut -c1-110
