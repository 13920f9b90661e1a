# Sourced first by a session script under results/h200-ab-*/ (bash, from the repo root on the GPU host): the carried Java
# runtime on PATH, CUDA's and CUPTI's libraries on the loader path, a fresh work folder and the call's clock. Until s35
# every script carried these lines itself.
#
#   source scripts/gpu/call-setup.sh NAME [BUDGET]
#
# R: the repo root; W=/tmp/NAME, emptied, with W/res; s: the call's start (date +%s); left N: at most N seconds and no
# later than s + BUDGET (default 585, under the device's 600 s per call); prog TEXT: TEXT and the seconds since s, echoed
# and appended to W/progress.txt. AB_START and AB_BUDGET are set for scripts/gpu/ab-pairs.sh.
R=$(pwd)
[ -f "$R/.gpu/jre.tar.xz" ] || { echo "call-setup: $R/.gpu/jre.tar.xz missing (../shared/gpu/pack-jre .gpu, then carry .gpu)" >&2; return 2; }
tar -xJf "$R/.gpu/jre.tar.xz" -C /tmp && export PATH=/tmp/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64:${LD_LIBRARY_PATH:-}
W=/tmp/${1:?usage: source scripts/gpu/call-setup.sh NAME [BUDGET]}
rm -rf "$W" && mkdir -p "$W/res"
s=$(date +%s)
AB_START=$s
AB_BUDGET=${2:-585}
left() { local l=$(( AB_BUDGET - ($(date +%s) - s) )); [ "$l" -lt "$1" ] && echo "$l" || echo "$1"; }
prog() { echo "$* $(( $(date +%s) - s )) s" | tee -a "$W/progress.txt"; }
