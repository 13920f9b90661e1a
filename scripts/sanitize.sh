#!/usr/bin/env bash
# compute-sanitizer (memcheck, racecheck, initcheck, synccheck) on the kernel checks and on a short
# graph run with padded and chunked batches (tiny model: 10 tokens padded to 16, a 3x20 batch padded
# to 64, a 100-token prompt chunked over the largest size 64). Prints one summary line per run and
# exits 1 if any tool reports an error. Run on a GPU host from the repo root with bench.jar built:
#   scripts/sanitize.sh            (JAR=..., KERNELS=dir, FAMILIES="init norm ...", TOOLS="memcheck ...")
set -uo pipefail
root=$(pwd)
cs=${COMPUTE_SANITIZER:-$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)}
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
jar=${JAR:-$root/cli/target/bench.jar}
kernels=${KERNELS:-$root/kernels}
tools=${TOOLS:-memcheck racecheck initcheck synccheck}
families=${FAMILIES:-init embed norm rope tilemap act attention gemm fused pdl attn_o rope_fused}
# rope_fused checks the 16-column pair form only (v75) unless PK_ROPE_N16_ONLY=0: its 288 split-K fixup and 64-column
# checks were sanitized when those forms were built (kernels/NOTES-forward.md v10, v49, v65) and multiply the run's time
export PK_ROPE_N16_ONLY=${PK_ROPE_N16_ONLY:-1}
logs=${OUT:-$root/target}/sanitizer
mkdir -p "$logs"
# The harness without its timing loops (correctness checks only): sanitizers slow kernels 10-100x.
"$nvcc" -O3 -std=c++17 -arch=sm_90 -lineinfo -DPREFILL_CHECK_NO_TIMING -I "$kernels/include" "$kernels/check/kernel_check.cu" \
  -o /tmp/kernel_check_san -lcublas || { echo "sanitize: harness build failed"; exit 2; }
work=$(mktemp -d)
fail=0
summary=()
one() { # name, command...
  local name=$1; shift
  local log="$logs/$(echo "$name" | tr ' /' '__').log"
  timeout 600 "$@" > "$log" 2>&1
  local rc=$?
  local s
  # memcheck/initcheck/synccheck end with "ERROR SUMMARY: N errors", racecheck with
  # "RACECHECK SUMMARY: N hazards displayed (E errors, W warnings)"
  s=$(grep -E "(ERROR SUMMARY: [0-9]+ error|RACECHECK SUMMARY: )" "$log" | tail -1 | sed 's/^========= //')
  [ -n "$s" ] || s="no summary"
  case "$s" in
    "ERROR SUMMARY: 0 errors"*|"RACECHECK SUMMARY: 0 hazards displayed (0 errors, 0 warnings)"*) [ $rc -eq 0 ] || fail=1 ;;
    *) fail=1 ;;
  esac
  summary+=("$name: $s (exit $rc)")
  echo "$name: $s (exit $rc)"
}
for tool in $tools; do
  for fam in $families; do
    one "$tool kernel_check $fam" "$cs" --tool "$tool" --error-exitcode 99 /tmp/kernel_check_san "$fam"
  done
  one "$tool prefill graph+eager (padded, chunked)" "$cs" --tool "$tool" --error-exitcode 99 \
    java -jar "$jar" prefill --model tiny --sizes 16,64 --prompt-lens 10,100 --batch 3x20 --max-num-seqs 8 \
    --max-model-len 512 --warmup 1 --iterations 3 --no-progress --json "$work/sanitize.json"
done
echo "== compute-sanitizer summary"
printf '%s\n' "${summary[@]}"
exit $fail
