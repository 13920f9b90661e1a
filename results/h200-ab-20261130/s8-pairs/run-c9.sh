#!/bin/bash
# s8 call 9 (branch s8-mc): pairs with CTA-scope arrivals and waits (CUTLASS style) instead of cluster scope; the wgmma harness with pairs of blocks sharing the weight tile (TMA multicast, v26):
# memcheck / racecheck / synccheck on the pair configurations, then every configuration on ERNIE's four shapes at 512 and 128
cd "$(dirname "$0")/../.."
set -u
L=$OUT/s8c9; mkdir -p $L; s=$(date +%s)
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
xz -dkc .gpu/s8/wgc.xz > /tmp/wgc && xz -dkc .gpu/s8/wgc_san.xz > /tmp/wgc_san && chmod +x /tmp/wgc /tmp/wgc_san
timeout 60 /tmp/wgc_san quick P > $L/wgc-quick-pairs.log 2>&1; echo "quick rc=$? $(( $(date +%s)-s )) s"; tail -1 $L/wgc-quick-pairs.log
timeout 100 compute-sanitizer --tool memcheck /tmp/wgc_san quick P > $L/wgc-memcheck-pairs.log 2>&1; echo "memcheck rc=$? $(( $(date +%s)-s )) s"; tail -1 $L/wgc-memcheck-pairs.log
timeout 60 compute-sanitizer --tool racecheck /tmp/wgc_san quick P128x192s4 > $L/wgc-racecheck-pairs.log 2>&1; echo "racecheck rc=$? $(( $(date +%s)-s )) s"; tail -1 $L/wgc-racecheck-pairs.log
timeout 60 compute-sanitizer --tool synccheck /tmp/wgc_san quick P64x64s8 > $L/wgc-synccheck-pairs.log 2>&1; echo "synccheck rc=$? $(( $(date +%s)-s )) s"; tail -1 $L/wgc-synccheck-pairs.log
for sh in "e.gateup 512" "e.down 512" "e.o 512" "e.qkv 512" "e.gateup 128" "e.down 128"; do timeout 60 /tmp/wgc only $sh > "$L/wgc-only-${sh// /-}.log" 2>&1; echo "$sh rc=$?"; done
echo "harness $(( $(date +%s)-s )) s"
rm -rf /tmp/x; cp -r $L /tmp/x; (cd $OUT && tar czf s8c9.tgz s8c9 && rm -rf s8c9)
grep -h "FAIL" /tmp/x/wgc-only-*.log | head -5
python3 - <<'PY'
import re,glob,collections
for f in sorted(glob.glob('/tmp/x/wgc-only-*.log')):
    best=[]
    cu=None
    for l in open(f):
        m=re.match(r'^(\S+)\s+m(\d+)\s+(\S+)\s+(OK|FAIL).*?(\d+\.\d+) us',l)
        if m: best.append((float(m[5]),m[3])); continue
        m=re.match(r'^(\S+)\s+m(\d+)\s+(\S+)\s+splits (\d)\s+(\d+\.\d+) us',l)
        if m: best.append((float(m[5]),m[3]+'/'+m[4])); continue
        m=re.search(r'cuBLAS\s+(\d+\.\d+)',l)
        if m and l.startswith('TABLE'): cu=m[1]
    best.sort(); P=[b for b in best if b[1].startswith('P')][:3]; T=[b for b in best if b[1].startswith('T')][:3]
    print(f.split('only-')[1], 'cuBLAS', cu, 'pairs', P, 'tma', T)
PY
