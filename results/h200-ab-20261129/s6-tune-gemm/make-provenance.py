#!/usr/bin/env python3
"""Writes callN/impl-choices-tuned-h200.provenance.json beside each tuned file of the sixth session (twelfth session).

tune-gemm recorded only the card and date in those files, and their bytes must stay as written: a run records the file's
identity (a digest of its whole JSON), so a changed provenance would cut the link to the runs that used it. This takes,
from the same call's results file that ran with the tuned file (same jar, same host, minutes later), the identity it
recorded for the file and its `meta` and `devices` blocks verbatim; `bench`'s own ImplChoices.identity of the file as
committed was checked to be that recorded identity (calls 8 and 9: sha256 3d9fa68108e4, 830c460aa682).
"""
import glob
import gzip
import json
import pathlib

here = pathlib.Path(__file__).resolve().parent
for call in ("call8", "call9"):
    run = sorted(glob.glob(str(here / call / "prefill-s6tune-tuned-1-h200-*.json.gz")))[0]
    d = json.load(gzip.open(run))
    out = {
        "file": "impl-choices-tuned-h200.json",
        "writtenBy": "bench.jar tune-gemm --json (../" + call + "-run.sh; log ../" + call + "-tune-gemm.txt), before the run below, same call",
        "identityRecordedByRun": d["config"]["implChoices"],
        "run": pathlib.Path(run).name,
        "meta": d["meta"],
        "devices": d["devices"],
        "note": "meta and devices are the run's (its argv and timestamp are the prefill run's, not tune-gemm's); the jar, "
                "driver, runtime, cuBLAS, JDK and device are the same call's. The tuned file is byte for byte what the run used.",
    }
    (here / call / "impl-choices-tuned-h200.provenance.json").write_text(json.dumps(out, indent=1) + "\n")
    print(call, out["identityRecordedByRun"], d["meta"]["gitSha"], d["meta"]["gitDirty"])
