#!/usr/bin/env python3
# s40 candidate choices: the bundled rows plus the candidate's. Usage: make-choices.py BUNDLED_JSON OUT_DIR
# am: argmax_into_lm_head at LM head row capacities 1..64 on sm_90 (kernels/NOTES-forward.md v87): the LM head at one split on a
#   plain streaming kernel runs its _amax form (each row's largest stored logit, lowest column on ties, folded into a 64-bit key
#   by atomicMax) and argmax runs argmax_keys (one block reading a key a row) instead of argmax_rows_cluster.
import json, sys, copy
bundled = json.load(open(sys.argv[1]))
out = sys.argv[2]
c = copy.deepcopy(bundled)
src = "s40 candidate am: argmax_into_lm_head at 1..64 (the LM head's epilogue folds each row's argmax key; argmax_keys reads them)"
c["fusions"] = [{"fusion": "argmax_into_lm_head", "m": 1, "mMax": 64, "arch": 90, "source": src}] + c["fusions"]
c["provenance"]["note"] = src + " (s40 candidate; the bundled rows of the jar otherwise)"
json.dump(c, open(f"{out}/choices-am.json", "w"), indent=1)
print("choices-am.json", len(c["fusions"]), "fusion rows")
