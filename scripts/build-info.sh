#!/usr/bin/env bash
# Stamps the commit the jar is built from into it (read by BuildInfo for every results file): the SHA of this
# repository (not of the caller's working directory) and whether its tree had changes, untracked files included.
# Without git or outside a checkout (a source tarball) both are "unknown".
set -euo pipefail
out=${1:?usage: build-info.sh OUT.properties}
mkdir -p "$(dirname "$out")"
cd "$(dirname "$0")/.."
sha=unknown dirty=unknown
if command -v git >/dev/null 2>&1 && head=$(git rev-parse --verify -q HEAD 2>/dev/null); then
  sha=$head
  if status=$(git status --porcelain --untracked-files=normal 2>/dev/null); then
    if [ -n "$status" ]; then dirty=true; else dirty=false; fi
  fi
fi
printf 'git.sha=%s\ngit.dirty=%s\n' "$sha" "$dirty" > "$out"
