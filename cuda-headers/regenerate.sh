#!/usr/bin/env bash
# Regenerates bindings/ (libcudart, cuBLAS, cuBLASLt, our kernels' header) with an installed jextract.
#
#   cuda-headers/regenerate.sh
#
# Environment (defaults in brackets):
#   JEXTRACT        jextract launcher                                [jextract on PATH]
#   CUDA_INCLUDE    CUDA 13 toolkit headers (cuda_runtime_api.h)     [$CUDA_HOME/include or /usr/local/cuda/include]
#   CUBLAS_INCLUDE  folder holding cublas_v2.h and cublasLt.h         [$CUDA_INCLUDE]
#   LIBC_INCLUDE    the C library's headers (stdint.h)                [/usr/include]
#
# Steps per library: jextract --dump-includes on the wrapper header, keep only the symbols named in
# <lib>.names (and constants starting with a prefix in <lib>.constant-prefixes), write that as
# <lib>.argfile, then generate Java from the argfile. Generated with: jextract 23 (openjdk/jextract
# f9866df3a178baa2e4a3746a7a6e458d783ace92, built by build-jextract.sh) on libclang 14.0.6, JDK 25.0.3;
# the same inputs give the same bytes (checked by diffing a fresh run against the committed bindings/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jextract=${JEXTRACT:-jextract}
cuda_inc=${CUDA_INCLUDE:-${CUDA_HOME:-/usr/local/cuda}/include}
cublas_inc=${CUBLAS_INCLUDE:-$cuda_inc}
libc_inc=${LIBC_INCLUDE:-/usr/include}
out="$root/bindings/src/main/java"

command -v "$jextract" >/dev/null 2>&1 || {
  echo "regenerate: jextract not found ('$jextract'): build openjdk/jextract (outside this repo) and put it on PATH or set JEXTRACT" >&2; exit 2; }
[ -f "$cuda_inc/cuda_runtime_api.h" ] || {
  echo "regenerate: $cuda_inc/cuda_runtime_api.h not found: install the CUDA 13 toolkit headers or set CUDA_INCLUDE" >&2; exit 2; }
[ -f "$cublas_inc/cublas_v2.h" ] || {
  echo "regenerate: $cublas_inc/cublas_v2.h not found: install cuBLAS headers (CUDA toolkit) or set CUBLAS_INCLUDE" >&2; exit 2; }
[ -f "$cublas_inc/cublasLt.h" ] || {
  echo "regenerate: $cublas_inc/cublasLt.h not found: install cuBLAS 13 headers (CUDA toolkit or the nvidia-cublas wheel) or set CUBLAS_INCLUDE" >&2; exit 2; }
[ -f "$libc_inc/stdint.h" ] || { echo "regenerate: $libc_inc/stdint.h not found: install libc headers or set LIBC_INCLUDE" >&2; exit 2; }
cudart_version=$(sed -n 's/^#define CUDART_VERSION *\([0-9]*\).*/\1/p' "$cuda_inc/cuda_runtime_api.h")
[ "${cudart_version:0:2}" = "13" ] || { echo "regenerate: bindings follow CUDA 13 headers, found CUDART_VERSION=$cudart_version in $cuda_inc" >&2; exit 2; }
"$jextract" --version | head -1

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sys=(-I "$libc_inc/x86_64-linux-gnu" -I "$libc_inc")

# gen NAME WRAPPER PACKAGE CLASS INCLUDE_DIRS...
gen() {
  local name=$1 wrapper=$2 pkg=$3 cls=$4; shift 4
  local incs=() d
  for d in "$@"; do incs+=(-I "$d"); done
  # libclang's builtin stdint.h does not reach the C library's one under jextract: include it by path first.
  printf '#include "%s/stdint.h"\n#include "%s"\n' "$libc_inc" "$wrapper" > "$tmp/$name.h"
  "$jextract" "${incs[@]}" "${sys[@]}" --dump-includes "$tmp/$name.dump" "$tmp/$name.h" >/dev/null 2>"$tmp/$name.log" || {
    cat "$tmp/$name.log" >&2; exit 1; }
  local names prefixes=""
  names=" $(grep -v '^#' "$here/$name.names" | tr '\n' ' ') "
  [ -f "$here/$name.constant-prefixes" ] && prefixes=$(tr '\n' ' ' < "$here/$name.constant-prefixes")
  awk -v names="$names" -v prefixes="$prefixes" '
    /^--include-/ {
      kind = $1; sym = $2; keep = index(names, " " sym " ") > 0
      if (!keep && kind == "--include-constant") {
        n = split(prefixes, p, " "); for (i = 1; i <= n; i++) if (index(sym, p[i]) == 1) keep = 1
      }
      if (keep) print kind " " sym
    }' "$tmp/$name.dump" | LC_ALL=C sort -u > "$here/$name.argfile"
  # generate into a scratch folder; replace the committed package only when jextract succeeded
  "$jextract" "${incs[@]}" "${sys[@]}" --output "$tmp/out-$name" -t "$pkg" --header-class-name "$cls" \
    @"$here/$name.argfile" "$tmp/$name.h" 2> >(grep -v -e '^WARNING: Skipping' -e 'not supported' >&2)
  [ -d "$tmp/out-$name/${pkg//.//}" ] || { echo "regenerate: jextract produced nothing for $name" >&2; exit 1; }
  rm -rf "$out/${pkg//.//}"
  mkdir -p "$out/$(dirname "${pkg//.//}")"
  mv "$tmp/out-$name/${pkg//.//}" "$out/${pkg//.//}"
  echo "regenerate: $pkg.$cls from $wrapper ($(wc -l < "$here/$name.argfile") symbols)"
}

gen cudart "$here/cudart.h" io.prefillbench.bindings.cudart Cudart "$cuda_inc"
gen cublas "$here/cublas.h" io.prefillbench.bindings.cublas Cublas "$cuda_inc" "$cublas_inc"
gen cublaslt "$here/cublaslt.h" io.prefillbench.bindings.cublaslt Cublaslt "$cuda_inc" "$cublas_inc"
gen kernels "$root/kernels/include/prefill_kernels.h" io.prefillbench.bindings.kernels Kernels "$root/kernels/include"
