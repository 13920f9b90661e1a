#!/usr/bin/env python3
# s38 candidate choices, each the bundled rows plus the candidate's, for Llama-3.2-1B at 1..16 on the 128-deep four-stage
# plain tile (gemm_bf16_stream_m16k128s4 / _silu, 81920 bytes). Usage: make-choices.py BUNDLED_JSON OUT_DIR
# kg:  gate_up (16384 x 2048, SiLU fused, unsplit) on it, every graph;
# kgd: gate_up and down (2048 x 8192 at its bundled 8 splits) on it, every graph;
# kgo: gate_up, down and o (2048 x 2048 at 8 splits) on it, every graph.
import json, sys, copy
bundled = json.load(open(sys.argv[1]))
out = sys.argv[2]
K = "gemm_bf16_stream_m16k128s4"
def rows(name, src, gemms):
    c = copy.deepcopy(bundled)
    c["gemm"] = [{"n": n, "k": k, "m": 1, "mMax": 16, "arch": 90, "impl": K, "splits": s, "source": src} for n, k, s in gemms] + c["gemm"]
    c["fusions"] = c["fusions"] + [{"fusion": "silu_into_gate_up", "m": 1, "mMax": 16, "arch": 90, "producer": K,
                                    "n": 16384, "k": 2048, "source": src}]
    c["provenance"]["note"] = src + " (s38 candidate; the bundled rows of the jar otherwise)"
    json.dump(c, open(f"{out}/{name}", "w"), indent=1)
    print(name, len(c["gemm"]), "gemm rows")
rows("choices-kg.json", "s38 candidate kg: Llama's gate_up at 1..16 on the 128-deep four-stage tile, SiLU fused", [(16384, 2048, 1)])
rows("choices-kgd.json", "s38 candidate kgd: Llama's gate_up (SiLU fused) and down at 1..16 on the 128-deep four-stage tile",
     [(16384, 2048, 1), (2048, 8192, 8)])
rows("choices-kgo.json", "s38 candidate kgo: Llama's gate_up (SiLU fused), down and o at 1..16 on the 128-deep four-stage tile",
     [(16384, 2048, 1), (2048, 8192, 8), (2048, 2048, 8)])
