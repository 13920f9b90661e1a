#!/usr/bin/env python3
"""Carry several builds of bench.jar in less than the device's 64 MiB carry: one whole jar and, for the others, only the
entries that differ from it (in practice the fatbin and build-info.properties), with a digest of every entry of each.

  jar_delta.py make BASE.jar OUT_DIR NEW.jar...   # here: OUT_DIR/<name>/ holds NEW's differing entries + <name>.sha256
  jar_delta.py apply BASE.jar OUT_DIR NAME OUT.jar  # there: BASE's entries, NAME's replacing them; every digest checked

apply fails (exit 1, and leaves no OUT.jar) unless the rebuilt jar holds exactly the original's entries with the original's
bytes, so the jar that runs is the one that was built (its git SHA and dirty flag included); JarDeltaScriptTest plants both
failures. (scripts/gpu/rejar.py, for jars carried exploded, zips a folder back without such a check.)
"""
import hashlib
import os
import sys
import zipfile


def digests(z):
    return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}


def make(base, out, news):
    with zipfile.ZipFile(base) as zb:
        db = digests(zb)
    for new in news:
        name = os.path.splitext(os.path.basename(new))[0]
        d = os.path.join(out, name)
        with zipfile.ZipFile(new) as zn:
            dn = digests(zn)
            for e in [k for k in dn if db.get(k) != dn[k]]:
                p = os.path.join(d, e)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "wb") as f:
                    f.write(zn.read(e))
            order = [i.filename for i in zn.infolist()]
        with open(os.path.join(out, name + ".sha256"), "w") as f:
            for e in order:
                f.write(f"{dn[e]}  {e}\n")
        print(f"{name}: {sum(1 for k in dn if db.get(k) != dn[k])} entries differ from {os.path.basename(base)}")


def apply(base, out, name, dest):
    want = []
    with open(os.path.join(out, name + ".sha256")) as f:
        for line in f:
            h, e = line.rstrip("\n").split("  ", 1)
            want.append((e, h))
    d = os.path.join(out, name)
    error = None
    with zipfile.ZipFile(base) as zb, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zo:
        have = set(zb.namelist())
        for e, h in want:
            p = os.path.join(d, e)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    data = f.read()
            elif e in have:
                data = zb.read(e)
            else:
                error = f"jar_delta: {e} is in neither {d} nor {base}"
                break
            if hashlib.sha256(data).hexdigest() != h:
                error = f"jar_delta: {e} does not match {name}'s digest"
                break
            zo.writestr(e, data)
    if error:
        os.remove(dest)  # no half-built jar left where a script would run it
        sys.exit(error)
    print(f"{dest}: {len(want)} entries, every digest matches {name}")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 6 and sys.argv[1] == "apply":
        apply(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
