#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The functions a bench.mjs CPU profile (LB_BENCH_PROFILE=FILE) spent its time in.
profile_top.py FILE [N]: the N (default 15) functions with the most self time and the N with
the most total time (self + callees), with their script and line."""
import collections
import json
import sys


def main():
    prof = json.load(open(sys.argv[1]))
    n_top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    nodes = {n["id"]: n for n in prof["nodes"]}
    parent = {}
    for n in prof["nodes"]:
        for c in n.get("children", []):
            parent[c] = n["id"]
    dt = collections.Counter()
    for sid, d in zip(prof["samples"], prof["timeDeltas"]):
        dt[sid] += d

    def name(n):
        f = n["callFrame"]
        url = f["url"].rsplit("/", 1)[-1]
        return f'{f["functionName"] or "(anonymous)"} {url}:{f["lineNumber"] + 1}'

    self_t, total_t = collections.Counter(), collections.Counter()
    for sid, d in dt.items():
        self_t[name(nodes[sid])] += d
        seen, k = set(), sid
        while k is not None:
            nm = name(nodes[k])
            if nm not in seen:
                total_t[nm] += d
                seen.add(nm)
            k = parent.get(k)
    all_t = sum(dt.values())
    print(f"profile: {all_t / 1e6:.1f} s sampled")
    print("self time:")
    for k, v in self_t.most_common(n_top):
        print(f"  {v / 1e6:8.2f} s  {k}")
    print("total time:")
    for k, v in total_t.most_common(n_top):
        print(f"  {v / 1e6:8.2f} s  {k}")


if __name__ == "__main__":
    main()
