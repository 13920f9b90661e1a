#!/usr/bin/env bash
# Every real result of one GPU session, in one go (the tool writes every number):
#   devices; prefill 16,64,512 twice (A and B: the gate must pass A vs B); prefill with a planted
#   slowdown (the gate must catch it); capture cost of 64 sizes (8..512); JMH (short, long,
#   batch-4x80 x eager, graph); the PyTorch baseline (eager, torch.compile, torch.compile with CUDA
#   graphs) on the same shapes; the HTML report.
#   scripts/gpu-results.sh OUTDIR      (run from the repo root with bench.jar built)
set -uo pipefail
root=$(pwd)
out=$(mkdir -p "${1:?usage: gpu-results.sh OUTDIR}" && cd "$1" && pwd)
jar=${JAR:-$root/cli/target/bench.jar}
# Run outside the checkout: meta.gitSha/gitDirty then come from the jar's build stamp (the commit it
# was built from), not from whatever state a copied working tree is in.
cd "$(mktemp -d)"
stamp=$(date -u +%Y%m%d-%H%M%S)
dev=h100
run() { echo "+ $*" >&2; "$@"; }
common=(--sizes 16,64,512 --prompts short,long --batch 4x80 --warmup 30 --iterations 300)
run java -jar $jar devices | tee "$out/devices-$stamp.txt"
run java -jar $jar prefill "${common[@]}" --json "$out/prefill-ernie-4.5-0.3b-$dev-$stamp-a.json" || exit 1
run java -jar $jar prefill "${common[@]}" --json "$out/prefill-ernie-4.5-0.3b-$dev-$stamp-b.json" || exit 1
run java -jar $jar prefill "${common[@]}" --no-pdl --json "$out/prefill-ernie-4.5-0.3b-$dev-$stamp-nopdl.json" || exit 1
run java -jar $jar prefill "${common[@]}" --slowdown-cycles 400000 --json "$out/planted-slowdown-$stamp.json" --no-progress || exit 1
echo "== gate: run B against run A (must pass)"
java -jar $jar gate --baseline "$out/prefill-ernie-4.5-0.3b-$dev-$stamp-a.json" --current "$out/prefill-ernie-4.5-0.3b-$dev-$stamp-b.json"; echo "gate exit $?"
echo "== gate: planted slowdown against run A (must fail with exit 1)"
java -jar $jar gate --baseline "$out/prefill-ernie-4.5-0.3b-$dev-$stamp-a.json" --current "$out/planted-slowdown-$stamp.json"; echo "gate exit $?"
sizes64=$(seq -s, 8 8 512)
run java -jar $jar prefill --sizes "$sizes64" --prompts short,long --warmup 10 --iterations 100 --json "$out/capture64-ernie-4.5-0.3b-$dev-$stamp.json" || exit 1
run java -jar $jar prefill --model ernie-4.5-21b-a3b-attn --sizes 16,64,512 --prompts short,long --warmup 20 --iterations 200 --json "$out/prefill-ernie-4.5-21b-a3b-attn-$dev-$stamp.json" || exit 1
run java -jar $jar jmh PrefillBenchmark -wi 3 -w 1 -i 5 -r 1 -f 1 -rf json -rff "$out/jmh-ernie-4.5-0.3b-$dev-$stamp.json" > "$out/jmh-$stamp.log" 2>&1 || { tail -30 "$out/jmh-$stamp.log"; exit 1; }
tail -12 "$out/jmh-$stamp.log"
if [ "${SKIP_TORCH:-0}" != 1 ]; then
  PYTHONUNBUFFERED=1 run python3 "$root/bench/python/torch_prefill.py" --model ernie-4.5-0.3b --prompt-lens 10,480 \
    --git-sha "$(python3 -c 'import sys,zipfile; print(zipfile.ZipFile(sys.argv[1]).read("io/prefillbench/build-info.properties").decode().split("git.sha=")[1].split()[0])' "$jar")" \
    --json "$out/torch-ernie-4.5-0.3b-$dev-$stamp.json" || echo "torch baseline failed"
fi
run java -jar $jar report "$out"/prefill-ernie-4.5-0.3b-$dev-$stamp-a.json "$out"/prefill-ernie-4.5-21b-a3b-attn-$dev-$stamp.json \
  "$out"/capture64-ernie-4.5-0.3b-$dev-$stamp.json "$out"/jmh-ernie-4.5-0.3b-$dev-$stamp.json -o "$out/report-$stamp.html" > /dev/null
echo "done: $out"
