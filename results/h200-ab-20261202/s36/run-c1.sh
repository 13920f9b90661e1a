#!/usr/bin/env bash
# s36 call 1: v77's racecheck summary (argmax_rows_cluster, branch v77 5bf475c): kernel_check_nt argmax (the harness
# without timing loops, built from 5bf475c) plain, then under racecheck and synccheck, each with its own time limit.
source scripts/gpu/call-setup.sh s36c1 580
cs=/usr/local/cuda/bin/compute-sanitizer
prog start
timeout 60 .gpu/kernel_check_nt argmax > $W/kc-nt-argmax.txt 2>&1; echo "plain rc $?" >> $W/progress.txt
prog plain
timeout $(left 330) $cs --tool racecheck --racecheck-report all --error-exitcode 99 .gpu/kernel_check_nt argmax > $W/racecheck-argmax.txt 2>&1
echo "racecheck rc $?" >> $W/progress.txt
prog racecheck
timeout $(left 150) $cs --tool synccheck --error-exitcode 99 .gpu/kernel_check_nt argmax > $W/synccheck-argmax.txt 2>&1
echo "synccheck rc $?" >> $W/progress.txt
prog synccheck
cp -r $W/* $OUT/
grep -h -E "RACECHECK SUMMARY|ERROR SUMMARY" $W/*.txt
grep -E "argmax|checks|PASS|FAIL" $W/kc-nt-argmax.txt | tail -12
cat $W/progress.txt
