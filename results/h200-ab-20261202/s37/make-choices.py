#!/usr/bin/env python3
# s37 candidate choices, each the bundled rows plus the candidate's: ko (v79, Llama-3.2-1B's o fold on the k256 form), ek
# (v79.1, ERNIE-4.5-0.3B's), gs9 (v80, ERNIE's gate_up at nine stages), gs5 / gs5p (v81 / v81.1, Llama's gate_up at five
# stages; gs5p for prompt batches only). Usage: make-choices.py BUNDLED_JSON OUT_DIR
# ko: an attention_into_o row for Llama's o (2048 x 2048) on the plain 16-row tile (gemm_bf16_stream_m16_k256_attn, four q
# heads of one kv head per block at k / 256 = 8 splits), fresh prompts at 1..16.
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
# choices-ek.json: ERNIE-4.5-0.3B's o (1024 x 1024) in the fresh-prompt graph at 1..16 on the plain 16-row tile at k / 256 = 4
# splits (64 blocks) with the k256 fold instead of the half-width tile's at 8 splits (256 blocks): kernel_check attn_o (s37
# call 1) timed the k256 fold at 4 splits 3.94 us against 4.37 for the half-width one, PDL back to back, and its post_norm
# reads 4 planes instead of 8.
c = copy.deepcopy(bundled)
src = "s37 candidate ek: ERNIE's o in fresh-prompt graphs at 1..16 on the plain 16-row tile at 4 splits, the k256 fold"
c["gemm"] = [{"n": 1024, "k": 1024, "m": 1, "mMax": 16, "arch": 90, "impl": "gemm_bf16_stream_m16", "splits": 4, "batch": "fresh",
              "source": src}] + c["gemm"]
for r in c["fusions"]:
    if r["fusion"] == "attention_into_o" and r.get("n") == 1024 and r.get("k") == 1024:
        r["producer"] = "gemm_bf16_stream_m16"
        r["source"] = src
json.dump(c, open(f"{out}/choices-ek.json", "w"), indent=1)
print("choices-ek.json", len(c["gemm"]), "gemm rows")
def gate_up_rows(name, n, k, impl, src, shape, batch=None):
    """The bundled rows plus gate_up (n x k) at 1..16 on impl with SiLU fused: a GEMM row and a silu_into_gate_up row naming
    impl (the shape too where shape), scoped to batch where given."""
    c = copy.deepcopy(bundled)
    scope = {"batch": batch} if batch else {}
    c["gemm"] = [{"n": n, "k": k, "m": 1, "mMax": 16, "arch": 90, "impl": impl, "splits": 1, **scope, "source": src}] + c["gemm"]
    c["fusions"] = c["fusions"] + [{"fusion": "silu_into_gate_up", "m": 1, "mMax": 16, "arch": 90, "producer": impl,
                                    **({"n": n, "k": k} if shape else {}), **scope, "source": src}]
    json.dump(c, open(f"{out}/{name}", "w"), indent=1)
    print(name, len(c["gemm"]), "gemm rows")
# choices-gs9.json (v80): ERNIE-4.5-0.3B's gate_up (6144 x 1024) at 1..16 on the nine-stage half-width tile, SiLU fused
# (gemm_bf16_stream_m16_n32s9_silu): its whole k slice (8 steps of 128) issued before the PDL wait, while post_norm runs.
gate_up_rows("choices-gs9.json", 6144, 1024, "gemm_bf16_stream_m16_n32s9",
             "s37 candidate gs9: ERNIE's gate_up at 1..16 on the nine-stage half-width tile (SiLU fused), its k slice issued whole before the wait", False)
# choices-gs5.json (v81): Llama-3.2-1B's gate_up (16384 x 2048) at 1..16 on the five-stage plain tile, SiLU fused
# (gemm_bf16_stream_m16s5_silu, 51200 bytes): two of its blocks leave an SM room for two of down's six-stage blocks.
gate_up_rows("choices-gs5.json", 16384, 2048, "gemm_bf16_stream_m16s5",
             "s37 candidate gs5: Llama's gate_up at 1..16 on the five-stage plain tile (SiLU fused), room for down's blocks at its entry", True)
# choices-gs5p.json: gs5 for prompt batches only ("batch": "prefill"; uniform-decode graphs keep the six-stage kernels):
# call 6 had gs5 at Llama short -0.9 %, 2x8 -1.0 %, but 16d@2048 +4.2 % and 8d@512 +4.8 %.
gate_up_rows("choices-gs5p.json", 16384, 2048, "gemm_bf16_stream_m16s5",
             "s37 candidate gs5p: gs5 in prompt-batch graphs only (the decode graph keeps six stages)", True, "prefill")
