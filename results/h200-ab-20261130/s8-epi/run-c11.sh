#!/bin/bash
# s8 call 11 (branch s8-trace): the staged epilogue (v27): checks, memcheck, racecheck, synccheck; the phase trace; every
# configuration on ERNIE's shapes at 512 and 128 against cuBLAS
cd "$(dirname "$0")/../.."
set -u
L=$OUT/s8c11; mkdir -p $L; s=$(date +%s)
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
for b in wgc wgc_san wgc_trace; do xz -dkc .gpu/s8/$b.xz > /tmp/$b && chmod +x /tmp/$b; done
timeout 60 /tmp/wgc_san quick T > $L/wgc-quick.log 2>&1; echo "quick rc=$?"; tail -1 $L/wgc-quick.log
timeout 100 compute-sanitizer --tool memcheck /tmp/wgc_san quick T > $L/wgc-memcheck.log 2>&1; echo "memcheck rc=$?"; tail -1 $L/wgc-memcheck.log
timeout 60 compute-sanitizer --tool racecheck /tmp/wgc_san quick T128x192s4 > $L/wgc-racecheck.log 2>&1; echo "racecheck rc=$?"; tail -1 $L/wgc-racecheck.log
timeout 60 compute-sanitizer --tool synccheck /tmp/wgc_san quick T64x64s8 > $L/wgc-synccheck.log 2>&1; echo "synccheck rc=$?"; tail -1 $L/wgc-synccheck.log
for spec in "T128x192s4 6144 1024 512 1" "T64x64s8 1024 1024 512 1" "T64x64s8 6144 1024 128 1" "T128x256s4 16384 2048 512 1"; do
  timeout 30 /tmp/wgc_trace trace $spec >> $L/trace.txt 2>&1; done
for sh in "e.gateup 512" "e.down 512" "e.o 512" "e.qkv 512" "e.gateup 128" "e.down 128" "l.gateup 512"; do timeout 60 /tmp/wgc only $sh > "$L/wgc-only-${sh// /-}.log" 2>&1; echo "$sh rc=$?"; done
echo "all $(( $(date +%s)-s )) s"
(cd $OUT && tar czf s8c11.tgz s8c11)
grep -E "trace|epilogue|block  |k loop" $L/trace.txt
grep -h "FAIL" $L/wgc-only-*.log | head -3
python3 - <<'PY'
import re,glob
import os
for f in sorted(glob.glob(os.environ['OUT'] + '/s8c11/wgc-only-*.log')):
    best=[]; cu=None
    for l in open(f):
        m=re.match(r'^(\S+)\s+m(\d+)\s+(\S+)\s+(OK|FAIL).*?(\d+\.\d+) us',l)
        if m: best.append((float(m[5]),m[3])); continue
        m=re.match(r'^(\S+)\s+m(\d+)\s+(\S+)\s+splits (\d)\s+(\d+\.\d+) us',l)
        if m: best.append((float(m[5]),m[3]+'/'+m[4])); continue
        m=re.search(r'cuBLAS\s+(\d+\.\d+)',l)
        if m and l.startswith('TABLE'): cu=m[1]
    best.sort(); T=[b for b in best if b[1].startswith('T')][:4]
    print(f.split('only-')[1], 'cuBLAS', cu, 'tma', T)
PY
