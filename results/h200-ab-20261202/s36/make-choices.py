#!/usr/bin/env python3
# s36 candidate choices: the bundled rows plus last_rows fusion rows (v78: the last layer's o and MLP on each sequence's
# last row). Usage: make-choices.py BUNDLED_JSON OUT_DIR
import json, sys, copy
bundled = json.load(open(sys.argv[1]))
out = sys.argv[2]
def row(m, m_max, src):
    return {"fusion": "last_rows", "m": m, "mMax": m_max, "arch": 90, "source": src}
cands = {
    # sizes whose sequence capacity (32 at --max-num-seqs 32) is at most a quarter of the size
    "choices-lr.json": [row(129, 512, "s36 candidate lr: the last layer on the last rows at 129..512")],
    # and 65..128 (8x16 at 128: 128 rows -> 32)
    "choices-lr65.json": [row(65, 512, "s36 candidate lr65: the last layer on the last rows at 65..512")],
}
for name, rows in cands.items():
    c = copy.deepcopy(bundled)
    c["fusions"] = c["fusions"] + rows
    json.dump(c, open(f"{out}/{name}", "w"), indent=1)
    print(name, len(c["fusions"]), "fusion rows")
