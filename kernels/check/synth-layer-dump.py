# Writes the harness's persistent-layer op dump for bucket 16 from the default plan's dump (kernels/check 'layer'
# family, PK_OPS_LAYER). --one-launch: one LAYER line with layers=<count>, the form `plan --impl-choices
# <persistentLayers row at 16> --dump-ops` writes since session 5 (Lowering.oneLaunch); without it, one launch per
# layer, the engine's form of session 4 (equal to its dump on every field the harness reads, checked then).
#   python3 synth-layer-dump.py [--one-launch] DEFAULT_DUMP OUT_DUMP
import sys

args = [a for a in sys.argv[1:] if a != "--one-launch"]
one = len(args) != len(sys.argv) - 1
src, dst = args
out, seen = [], set()
for line in open(src):
    if not line.startswith("size=16 "):
        continue
    f = dict(kv.split("=", 1) for kv in line.split())
    if f["kind"] == "TILE_MAP":  # only attention read it
        continue
    layer = int(f["layer"])
    if layer >= 0:  # the layer's 9 ops become one LAYER op
        if layer in seen:
            continue
        seen.add(layer)
        f.update(op=f"L{layer}.layer", kind="LAYER", impl="layer_persistent", kernel="layer_persistent", n="0", k="0",
                 splits="1", partial_in="0", grid="128x1x1", threads="256", smem="221696")
    if f["kind"] == "FINAL_NORM_GATHER":  # the last layer writes its down output as bf16 (no split-K partials)
        f["partial_in"] = "0"
    out.append(f)
if one:
    layers = [f for f in out if f["kind"] == "LAYER"]
    layers[0].update(op="layers", layers=str(len(layers)))
    out = [f for f in out if f["kind"] != "LAYER" or f is layers[0]]
open(dst, "w").write("".join(" ".join(f"{k}={v}" for k, v in f.items()) + "\n" for f in out))
