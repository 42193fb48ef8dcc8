#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The median over runs of every figure of bench/viewer/run.sh, per data set and library, as
a Markdown table. summarise.py OUT_DIR/runs.jsonl [DATA_DIR]  (DATA_DIR: the data's sizes)"""
import json
import os
import statistics
import sys

FIELDS = [("load_ms", "load to first render (ms)"), ("parse_ms", "of which data.js parse (ms)"),
          ("heap_mb", "JS heap, main thread (MB)"), ("frame_median_ms", "frame median (ms)"),
          ("frame_p95_ms", "frame p95 (ms)"), ("frame_max_ms", "frame max (ms)"),
          ("frames_over_50ms", "frames > 50 ms"), ("panzoom_s", "pan/zoom script (s)"),
          ("recolour_ms", "recolour (ms)")]


def main():
    runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
    groups = {}
    for r in runs:
        if "error" in r:
            print("<!-- failed run: %s: %s -->" % (r["label"], r["error"]))
            continue
        name, lib = r["label"].split()[:2]
        groups.setdefault((name, lib), []).append(r)
    keys = sorted(groups)
    print("| | " + " | ".join("%s %s" % k for k in keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    print("| runs | " + " | ".join(str(len(groups[k])) for k in keys) + " |")
    print("| features | " + " | ".join(str(groups[k][0]["features"]) for k in keys) + " |")
    if len(sys.argv) > 2:
        print("| data.js (MB) | " + " | ".join(
            "%.1f" % (os.path.getsize(os.path.join(sys.argv[2], k[0] + ".js")) / 1e6)
            for k in keys) + " |")
    for f, title in FIELDS:
        cells = []
        for k in keys:
            v = [r[f] for r in groups[k] if r.get(f) is not None]
            cells.append(("%g" % round(statistics.median(v), 1)) if v else "–")
        print("| %s | %s |" % (title, " | ".join(cells)))
    loads = [x for r in runs for x in (r["load_before"][0], r["load_after"][0])]
    print("\nLoad average (1 min) at the runs' starts and ends: min %.1f, median %.1f, max %.1f "
          "on 2 cores." % (min(loads), statistics.median(loads), max(loads)))
    gl = {r.get("webgl") for r in runs if r.get("webgl")}
    print("WebGL renderer: %s." % ", ".join(sorted(gl)))


if __name__ == "__main__":
    main()
