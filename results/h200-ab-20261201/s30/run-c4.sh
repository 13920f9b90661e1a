#!/bin/bash
# s30 call 4: the cluster split-K harness again with the barrier racecheck asked for (commit after 0dd0d0e: a cluster
# barrier before the exchange), the sanitizers on it, and the phase trace (-DPK_WG_TRACE) of gate_up at 128 as
# T128x64s8 and as T128x128s6 split 2 (fp32 partials to global): why halving a block's intake bought nothing in call 3.
# Prediction (written before the run): every csk form ~0.2-0.5 us slower than in call 3 (one more cluster barrier),
# still behind the forward's tiles (call 3's rule fails again); racecheck clean on C128x128c2s6; the trace: the split-2
# tile's k loop ~30 % shorter than T128x64s8's (8 k tiles of 32 KB against 16 of 24 KB), its first tile and epilogue
# (64 KB of fp32 stores) taking the difference back.
cd "$(dirname "$0")/../../.."
set -u
W=/tmp/s30c4out; rm -rf $W; mkdir -p $W; s=$(date +%s)
prog() { echo "$* $(( $(date +%s)-s )) s" | tee -a $W/progress.txt; }
B=.gpu/s30
timeout 120 $B/wgc_csk csk > $W/csk.txt 2>&1; prog "csk rc=$?"
timeout 60 compute-sanitizer --tool memcheck $B/wgc_csk_nt csk quick > $W/csk-memcheck.txt 2>&1; prog "memcheck rc=$?"
timeout 200 compute-sanitizer --tool racecheck $B/wgc_csk_nt csk quick C128x128c2s6 > $W/csk-racecheck.txt 2>&1; prog "racecheck rc=$?"
timeout 60 compute-sanitizer --tool synccheck $B/wgc_csk_nt csk quick > $W/csk-synccheck.txt 2>&1; prog "synccheck rc=$?"
for t in "T128x64s8 6144 1024 128 1" "T128x128s6 6144 1024 128 2" "T128x128s6 6144 1024 128 1" "T64x64s8 1024 3072 128 4"; do
  timeout 30 $B/wgc_trace trace $t >> $W/trace.txt 2>&1; prog "trace $t rc=$?"
done
cp -r $W $OUT/
for f in csk-memcheck csk-racecheck csk-synccheck; do echo "$f: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' $W/$f.txt | tail -1)"; done
cat $W/trace.txt
grep "^|" $W/csk.txt | cut -c1-200
cat $W/progress.txt
