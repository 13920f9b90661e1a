#!/usr/bin/env python3
# s37 candidate choices: the bundled rows plus an attention_into_o row for Llama-3.2-1B's o (2048 x 2048) on the plain 16-row
# tile (v79: gemm_bf16_stream_m16_k256_attn, four q heads of one kv head per block at k / 256 = 8 splits), fresh prompts at
# 1..16. Usage: make-choices.py BUNDLED_JSON OUT_DIR
import json, sys, copy
bundled = json.load(open(sys.argv[1]))
out = sys.argv[2]
cands = {
    "choices-ko.json": [{"fusion": "attention_into_o", "m": 1, "mMax": 16, "arch": 90, "producer": "gemm_bf16_stream_m16",
                         "n": 2048, "k": 2048, "batch": "fresh",
                         "source": "s37 candidate ko: Llama-3.2-1B's attention folded into its o on the k256 form at 1..16, fresh prompts"}],
}
for name, rows in cands.items():
    c = copy.deepcopy(bundled)
    c["fusions"] = c["fusions"] + rows
    json.dump(c, open(f"{out}/{name}", "w"), indent=1)
    print(name, len(c["fusions"]), "fusion rows")
