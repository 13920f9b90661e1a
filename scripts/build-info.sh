#!/usr/bin/env bash
# Stamps the git commit and dirty flag into the jar (read by BuildInfo when a run happens outside a checkout).
set -euo pipefail
out=${1:?usage: build-info.sh OUT.properties}
mkdir -p "$(dirname "$out")"
sha=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=true; else dirty=false; fi
printf 'git.sha=%s\ngit.dirty=%s\n' "$sha" "$dirty" > "$out"
