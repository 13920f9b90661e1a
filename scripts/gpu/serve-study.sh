#!/usr/bin/env bash
# The serving study on a GPU host (Java 25, no Maven needed): pure-prefill batching vs dynamic
# insertion through the same CUDA graphs, ERNIE-4.5-0.3B shape, random weights.
#
#   scripts/gpu/serve-study.sh OUT_DIR
#
# 1. rate sweep: 5 Poisson rates from light load to saturation x 3 policies (mixed, prefill-first,
#    eager); prompts lognormal (median ~245 tokens, most 100-500), outputs uniform 64..256;
#    requests per rate = min(300, 8 s of arrivals), so the 15 runs take ~2.5 minutes on an H200.
# 2. the four-80-token-prompt scenario (arrivals 0.2 ms apart, 32 output tokens each) under mixed and
#    prefill-first, with the per-step log: mixed runs [80] then [1,80,80,80]; prefill-first waits
#    for the fourth prompt and runs [80,80,80,80], then decode-only steps.
# 3. prefill --mix: one-step mixes of a prompt and decode tokens, eager vs graph.
# Build first (elsewhere or here): mvn -B package -DskipTests  -> cli/target/bench.jar
set -euo pipefail
out=${1:?usage: serve-study.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=${JAR:-$root/cli/target/bench.jar}
mkdir -p "$out"
bench() { java --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"; }
model=(--model ernie-4.5-0.3b --max-num-seqs 32 --max-model-len 2048 --seed 1)
lengths=(--prompt-len 5.5,0.45 --output-len 64:256)

for rate in 5 20 50 100 200; do
  n=$(( rate * 8 < 300 ? rate * 8 : 300 ))
  for policy in mixed prefill-first eager; do
    echo "== serve --policy $policy --rate $rate --requests $n" >&2
    bench serve "${model[@]}" "${lengths[@]}" --policy "$policy" --rate "$rate" --requests "$n" \
      --json "$out/serve-$policy-r$rate.json" --no-progress
  done
done

trace="$out/four-80.csv"
printf 'arrival_ms,prompt_tokens,output_tokens\n0,80,32\n0.2,80,32\n0.4,80,32\n0.6,80,32\n' > "$trace"
for policy in mixed prefill-first; do
  echo "== four 80-token prompts, --policy $policy" >&2
  bench serve "${model[@]}" --policy "$policy" --trace "$trace" --batch-prompts 4 \
    --json "$out/four80-$policy.json" --steps-log "$out/four80-$policy.steps.csv" --no-progress
  head -4 "$out/four80-$policy.steps.csv" >&2
done

echo "== prefill --mix" >&2
bench prefill --model ernie-4.5-0.3b --max-num-seqs 64 --max-model-len 4096 \
  --mix 1x80+31d@2048,64d@1024,4x80,1x80+3d@80,32d@4000 --warmup 20 --iterations 200 \
  --json "$out/prefill-mix.json" --no-progress
