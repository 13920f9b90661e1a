#!/usr/bin/env python3
"""Zip an exploded jar back into a runnable jar (the manifest first), for device calls that carry jars unpacked.

A shaded jar's entries are deflated, so xz gains little on it (bench.jar: 9 MB); unpacked, two builds of it share
almost every byte and a tar of both compresses to ~5 MB. The device has no JDK `jar` tool; Python's zipfile does it.
Usage: rejar.py EXPLODED_DIR OUT.jar
"""
import os
import sys
import zipfile


def rejar(src: str, dst: str) -> int:
    names = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        names += [os.path.relpath(os.path.join(root, f), src) for f in files]
    names.sort(key=lambda n: (n != "META-INF/MANIFEST.MF", n))
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(os.path.join(src, n), n)
    return len(names)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: rejar.py EXPLODED_DIR OUT.jar")
    print(f"{sys.argv[2]}: {rejar(sys.argv[1], sys.argv[2])} entries")
