#!/usr/bin/env python3
# s39 candidate choices, each the bundled rows plus the candidate's, on the 16-row half-width tile with 256-deep stages
# (gemm_bf16_stream_m16_n32k256s3 / _s4, 73728 / 98304 bytes). Usage: make-choices.py BUNDLED_JSON OUT_DIR
# eg3 / eg4: ERNIE-4.5-0.3B's gate_up (6144 x 1024, SiLU fused, unsplit) at 1..16 on it, every graph (the bundled row's scope);
# ldo3 / ldo4: Llama-3.2-1B's down (2048 x 8192) and o (2048 x 2048) at 1..16 on it at 4 splits (the 64-column tile's 256
#   blocks at half its 8 splits: half the fp32 planes the norms read), prompt batches (the bundled rows' scope);
# ld3 / lo3: down only / o only on the three-stage form, prompt batches.
import json, sys, copy
bundled = json.load(open(sys.argv[1]))
out = sys.argv[2]
def write(name, src, gemms, fusion=None):
    c = copy.deepcopy(bundled)
    rows = []
    for n, k, impl, s, batch in gemms:
        r = {"n": n, "k": k, "m": 1, "mMax": 16, "arch": 90, "impl": impl, "splits": s, "source": src}
        if batch: r["batch"] = batch
        rows.append(r)
    c["gemm"] = rows + c["gemm"]
    if fusion:
        c["fusions"] = [{"fusion": "silu_into_gate_up", "m": 1, "mMax": 16, "arch": 90, "producer": fusion[0],
                         "n": fusion[1], "k": fusion[2], "source": src}] + c["fusions"]
    c["provenance"]["note"] = src + " (s39 candidate; the bundled rows of the jar otherwise)"
    json.dump(c, open(f"{out}/{name}", "w"), indent=1)
    print(name, len(c["gemm"]), "gemm rows")
K = "gemm_bf16_stream_m16_n32k256s"
for s in (3, 4):
    write(f"choices-eg{s}.json", f"s39 candidate eg{s}: ERNIE's gate_up at 1..16 on the 256-deep half-width tile at {s} stages, SiLU fused",
          [(6144, 1024, K + str(s), 1, None)], (K + str(s), 6144, 1024))
    write(f"choices-ldo{s}.json", f"s39 candidate ldo{s}: Llama's down and o at 1..16 on the 256-deep half-width tile at {s} stages, 4 splits, prompt batches",
          [(2048, 8192, K + str(s), 4, "prefill"), (2048, 2048, K + str(s), 4, "prefill")])
write("choices-ld3.json", "s39 candidate ld3: Llama's down at 1..16 on the 256-deep half-width tile at 3 stages, 4 splits, prompt batches",
      [(2048, 8192, K + "3", 4, "prefill")])
write("choices-lo3.json", "s39 candidate lo3: Llama's o at 1..16 on the 256-deep half-width tile at 3 stages, 4 splits, prompt batches",
      [(2048, 2048, K + "3", 4, "prefill")])
# sn: the solo_norms switch at 1..16 on sm_90 (kernels/NOTES-forward.md v85): each norm followed by one of our GEMMs whose
#   blocks all fit on the SMs the norm leaves runs its solo twin (unused shared memory: no block of that GEMM beside it).
c = copy.deepcopy(bundled)
src = "s39 candidate sn: solo_norms at 1..16 (the norms on SMs of their own where the next GEMM's blocks fit on the others)"
c["fusions"] = [{"fusion": "solo_norms", "m": 1, "mMax": 16, "arch": 90, "source": src}] + c["fusions"]
c["provenance"]["note"] = src + " (s39 candidate; the bundled rows of the jar otherwise)"
json.dump(c, open(f"{out}/choices-sn.json", "w"), indent=1)
print("choices-sn.json", len(c["fusions"]), "fusion rows")
# lmk: the LM heads at 1..16 on the plain 16-row tile with 128-deep stages (gemm_bf16_stream_m16k128s4, unsplit: the six-stage
#   kernel's bits) instead of the six-stage one; ERNIE-4.5-0.3B's (103424 x 1024) and Llama-3.2-1B's (128256 x 2048).
src = "s39 candidate lmk: the LM heads at 1..16 on the 128-deep four-stage plain tile"
write("choices-lmk.json", src, [(103424, 1024, "gemm_bf16_stream_m16k128s4", 1, None), (128256, 2048, "gemm_bf16_stream_m16k128s4", 1, None)])
c = json.load(open(f"{out}/choices-lmk.json"))  # ERNIE's bundled LM head row is for size 16 exactly, which wins over a range row
c["gemm"] = [dict(r, m=16) if r["n"] == 103424 and r["source"] == src else r for r in c["gemm"]]
for r in c["gemm"]:
    if r["n"] == 103424 and r["source"] == src: r.pop("mMax")
json.dump(c, open(f"{out}/choices-lmk.json", "w"), indent=1)
