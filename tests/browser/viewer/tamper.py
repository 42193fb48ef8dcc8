#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Spoil a copy of a viewer's data so that the browser test must fail: the lbm of buurt CODE
in the last year goes up by 0.002, and the first colour in the data that is the colour of its
lbm class changes its blue channel by one.

tamper.py VIEWER_DIR EXPECTED.json CODE   (prints what it changed)
"""
import json
import os
import re
import sys


def main():
    vdir, exp_path, code = sys.argv[1:]
    exp = json.load(open(exp_path))
    last = str(exp["years"][-1])
    y = exp["units"][code]["years"][last]
    colour = exp["palettes"]["lbm"][last][str(y["class"])]
    units = os.path.join(vdir, "data", "units.js")
    meta = os.path.join(vdir, "data", "meta.js")
    start = r'"code":"%s"' % code
    number = r'"lbm_%s":' % last
    s = open(units).read()
    m = re.search(start, s)
    n = re.compile(number, re.S).search(s, m.end()) if m else None
    v = re.match(r"-?[0-9.]+(e-?[0-9]+)?", s[n.end():]) if n else None
    if not v:
        raise SystemExit("tamper.py: no lbm %s of %s in %s" % (last, code, units))
    old = float(v.group(0))
    s = s[:n.end()] + repr(old + 0.002) + s[n.end() + v.end():]
    open(units, "w").write(s)
    s = open(meta).read()
    i = s.lower().find(colour)
    if i < 0:
        raise SystemExit("tamper.py: colour %s not in %s" % (colour, meta))
    new = colour[:5] + "%02x" % (int(colour[5:], 16) ^ 1)
    s = s[:i] + new + s[i + len(colour):]
    open(meta, "w").write(s)
    print("%s lbm %s %.3f -> %.3f, colour %s -> %s" % (code, last, old, old + 0.002, colour, new))


if __name__ == "__main__":
    main()
