#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Helpers of bench/run.sh.

  report.py stepjson RUN.json     compute seconds of a leefbaar run: the run.json timings
                                  without reading inputs and writing outputs
  report.py timings RUN.json      all run.json timings on one line
  report.py table OUTDIR TIERDIR  the results table (Markdown): medians over repetitions,
                                  leefbaar's speed ratios and the numbers compared with ours
"""
import csv
import json
import math
import os
import sqlite3
import statistics
import sys
from collections import defaultdict

STEPS = {
    "a1": "(a) zonal mean, 14k buurten x 1 raster",
    "a10": "(a) zonal means, 14k buurten x 10 rasters",
    "b": "(b) amenities within 500 m per scored cell",
    "c": "(c) nearest amenity per scored cell",
    "d": "(d) buurt inhabitants -> 100 m grid by area",
    "e": "(e) whole 20-indicator model",
    "load": "PostGIS: loading the tier (ogr2ogr, raster2pgsql)",
}
METHOD = {
    ("a1", "postgis"): "ST_Clip + ST_SummaryStatsAgg: pixel centres inside, not exact",
    ("a10", "postgis"): "ST_Clip + ST_SummaryStatsAgg per raster: pixel centres",
    ("a1", "geopandas"): "rasterio geometry_mask: pixel centres inside",
    ("a10", "geopandas"): "rasterio geometry_mask, one mask for all rasters: pixel centres",
    ("a1", "gdal"): "gdalwarp -cutline + gdalinfo -stats per buurt (timed on 200, extrapolated)",
    ("a10", "gdal"): "as a1 on a 10-band VRT (timed on 200 buurten, extrapolated)",
    ("b", "postgis"): "ST_DWithin count, GiST: exact",
    ("b", "geopandas"): "sjoin within 500 m buffers (64-gons): polygonal disc",
    ("b", "gdal"): "not possible: no neighbourhood sum in the GDAL tools",
    ("c", "postgis"): "KNN <-> + ST_Distance: exact",
    ("c", "geopandas"): "sjoin_nearest (or R-tree nearest on Shapely 1.8): exact",
    ("c", "gdal"): "gdal_rasterize + gdal_proximity.py: cell centre to cell centre",
    ("d", "postgis"): "ST_Subdivide + ST_SquareGrid + ST_Intersection areas: exact",
    ("d", "geopandas"): "overlay with the grid squares: exact",
    ("d", "gdal"): "gdal_rasterize at 20 m + gdalwarp -r sum: pixel centres at 20 m",
    ("a1", "exactextract"): "exactextract mean: exact coverage fractions",
    ("a10", "exactextract"): "exactextract mean over 10 rasters: exact coverage fractions",
    ("a1", "leefbaar"): "exact coverage (area mode)",
    ("a10", "leefbaar"): "exact coverage, computed once for all rasters",
    ("b", "leefbaar"): "exact (spatial index)",
    ("c", "leefbaar"): "exact (spatial index)",
    ("d", "leefbaar"): "exact coverage",
    ("e", "leefbaar"): "score + aggregate to buurten (outputs gpkg, csv)",
}


def timings(path):
    with open(path) as f:
        return json.load(f)["timings_s"]


def stepjson(path):
    t = timings(path)
    return sum(v for k, v in t.items() if k not in ("read", "write"))


def read_tsv(path, n):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) == n:
                    rows.append(p)
    except FileNotFoundError:
        pass
    return rows


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return math.nan


def med(v):
    v = [x for x in v if not math.isnan(x)]
    return statistics.median(v) if v else math.nan


# ---- numbers: ours and the peers' -----------------------------------------------------------


def ours_buurten(out, step):
    d = f"{out}/leefbaar-{step}-1"
    try:
        means = json.load(open(f"{d}/run.json"))["reference"]["means"]
        rows = list(csv.DictReader(open(f"{d}/buurten.csv")))
    except (FileNotFoundError, KeyError):
        return None
    res = {}
    for code, m in means.items():
        res[code] = {r["BU_CODE"]: num(r[code]) + m for r in rows}
    res["_order"] = [r["BU_CODE"] for r in rows]
    return res


def ours_grid(out, step, column, add_mean):
    d = f"{out}/leefbaar-{step}-1"
    try:
        m = json.load(open(f"{d}/run.json"))["reference"]["means"].get(column, 0.0) if add_mean else 0
        if os.path.exists(f"{d}/grid.csv"):  # --outputs csv: the cells without their squares
            rows = [(r["cell_id"], num(r[column])) for r in csv.DictReader(open(f"{d}/grid.csv"))]
        else:
            con = sqlite3.connect(f"file:{d}/scores.gpkg?mode=ro", uri=True)
            rows = con.execute(f'SELECT cell_id, "{column}" FROM grid').fetchall()
            con.close()
    except (FileNotFoundError, KeyError, sqlite3.Error):
        return None
    return {c: (v if v is not None else math.nan) + m for c, v in rows}


def ours_raw(out, step):
    """{dimension code: {BU_CODE: x_<indicator>}}: the raw zonal means of a leefbaar run."""
    d = f"{out}/leefbaar-{step}-1"
    try:
        inds = json.load(open(f"{d}/run.json"))["model"]["indicators"]
        rows = list(csv.DictReader(open(f"{d}/buurten.csv")))
        return {i["dimension"]: {r["BU_CODE"]: num(r["x_" + i["id"]]) for r in rows} for i in inds}
    except (FileNotFoundError, KeyError):
        return None


def read_csv_map(path, key, col):
    try:
        return {r[key]: num(r[col]) for r in csv.DictReader(open(path))}
    except (FileNotFoundError, KeyError):
        return None


def raster_at(path, tierdir, ids):
    try:
        from osgeo import gdal
    except ImportError:
        return None
    ds = gdal.Open(path) if path else None
    if ds is None:
        return None
    a = ds.GetRasterBand(1).ReadAsArray()
    x0, dx, _, ytop, _, dy = ds.GetGeoTransform()
    res = {}
    for cid in ids:
        e, n = cid[1:].split("N")
        cx, cy = int(e) * 100 + 50, int(n.split("_")[0]) * 100 + 50
        c, r = int((cx - x0) // dx), int((cy - ytop) // dy)
        if 0 <= r < a.shape[0] and 0 <= c < a.shape[1]:
            res[cid] = float(a[r, c])
    return res


def diff(ours, theirs):
    if not ours or not theirs:
        return None
    d = [abs(ours[k] - v) for k, v in theirs.items()
         if k in ours and not math.isnan(v) and not math.isnan(ours[k])]
    if not d:
        return None
    return len(d), max(d), sum(d) / len(d)


def compare(out, tierdir):
    """{(step, tool): (n, max |diff|, mean |diff|)} against leefbaar."""
    res = {}
    for step in ("a1", "a10"):
        ours = ours_buurten(out, step)
        if not ours:
            continue
        codes = [c for c in ours if c != "_order"]
        pg, gp, gd = [], [], []
        for code in codes:
            if step == "a1":
                pg.append((code, read_csv_map(f"{out}/postgis-a1.csv", "BU_CODE", "value")))
            else:
                pg.append((code, read_csv_map(f"{out}/postgis-a10-{code}.csv", "BU_CODE", "value")))
            gp.append((code, read_csv_map(f"{out}/geopandas-{step}.csv", "BU_CODE", code)))
            try:
                rows = list(csv.DictReader(open(f"{out}/gdal-{step}.csv")))
                band = int(code[1:])
                gd.append((code, {ours["_order"][int(r["fid"]) - 1]: num(r["value"])
                                  for r in rows if int(r["band"]) == band}))
            except (FileNotFoundError, KeyError, IndexError, ValueError):
                pass
        raw = ours_raw(out, step)
        if raw:
            parts = [diff(raw[c], read_csv_map(f"{out}/exactextract-{step}.csv", "BU_CODE",
                                                f"{c}_mean")) for c in raw]
            parts = [p for p in parts if p]
            if parts:
                n = sum(p[0] for p in parts)
                res[(step, "exactextract")] = (n, max(p[1] for p in parts),
                                               sum(p[0] * p[2] for p in parts) / n)
        for tool, lst in (("postgis", pg), ("geopandas", gp), ("gdal", gd)):
            parts = [diff(ours[c], m) for c, m in lst]
            parts = [p for p in parts if p]
            if parts:
                n = sum(p[0] for p in parts)
                res[(step, tool)] = (n, max(p[1] for p in parts),
                                     sum(p[0] * p[2] for p in parts) / n)
    for step, col, add in (("b", "cnt", True), ("c", "dst", True), ("d", "weight", False)):
        ours = ours_grid(out, step, col, add)
        if not ours:
            continue
        for tool in ("postgis", "geopandas"):
            r = diff(ours, read_csv_map(f"{out}/{tool}-{step}.csv", "cell_id", "value"))
            if r:
                res[(step, tool)] = r
        if step in ("c", "d"):
            r = diff(ours, raster_at(f"{out}/gdal-{step}.tif", tierdir, list(ours)))
            if r:
                res[(step, "gdal")] = r
    return res


def table(out, tierdir):
    results = read_tsv(f"{out}/results.tsv", 6)
    notes = read_tsv(f"{out}/notes.tsv", 4)
    wall, rss, fails = defaultdict(list), defaultdict(list), defaultdict(int)
    timed_out = set()
    for step, tool, rep, w, r, rc in results:
        if w.startswith(">"):
            timed_out.add((step, tool))
            wall[(step, tool)].append(num(w[1:]))
        elif rc != "0":
            fails[(step, tool)] += 1
        else:
            wall[(step, tool)].append(num(w))
        rss[(step, tool)].append(num(r))
    comp, extra, backend, load = defaultdict(list), {}, defaultdict(list), defaultdict(list)
    for step, tool, key, val in notes:
        if key.startswith("load1"):
            load[(step, tool)].append(num(val))
        elif key.startswith("compute_s"):
            comp[(step, tool)].append(num(val))
        elif key.startswith("extrapolate"):
            a, b = val.split("/")
            extra[(step, tool)] = num(a) / num(b)
        elif key.startswith("backend_rss_mb"):
            backend[(step, tool)].append(num(val))
    cmp = compare(out, tierdir)
    lines = [
        "| step | tool | wall s | compute s | peak RSS MB | leefbaar faster by (wall / compute) "
        "| max abs diff vs leefbaar (mean) | method | load average |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]

    def fmt(x, p=2):
        return "–" if x is None or math.isnan(x) else f"{x:.{p}f}"

    for step in ("load", "a1", "a10", "b", "c", "d", "e"):
        tools = [t for t in ("leefbaar", "postgis", "geopandas", "gdal", "exactextract")
                 if (step, t) in wall or (step, t) in fails or (step, t) in timed_out]
        if step == "b" and ("b", "leefbaar") in wall:
            tools.append("gdal")
        if not tools:
            continue
        lw = med(wall.get((step, "leefbaar"), []))
        lc = med(comp.get((step, "leefbaar"), []))
        for tool in tools:
            key = (step, tool)
            w = med(wall.get(key, []))
            if key in extra:
                w *= extra[key]
            c = med(comp.get(key, []))
            if tool == "postgis" and step != "load":
                c = w  # the query is all there is: the data were loaded beforehand
            r = med(backend.get(key, [])) if key in backend else med(rss.get(key, []))
            ws = fmt(w, 1 if w >= 100 else 2)
            if key in timed_out:
                ws = "> " + ws
            if key in fails and key not in wall:
                ws = "failed"
            if step == "b" and tool == "gdal":
                ws = "n/a"
            ratio = "–"
            if tool != "leefbaar" and not math.isnan(w) and not math.isnan(lw) and ws != "n/a":
                ratio = f"{w / lw:.1f}x" + (f" / {c / lc:.1f}x" if not math.isnan(c) and lc > 0 else "")
                if key in timed_out:
                    ratio = "> " + ratio
            d = cmp.get(key)
            ds = f"{d[1]:.4g} ({d[2]:.3g}), n={d[0]}" if d else "–"
            la = load.get(key, [])
            las = f"{min(la):.1f}–{max(la):.1f}" if la else "–"
            lines.append(f"| {STEPS[step]} | {tool} | {ws} | {fmt(c)} | {fmt(r, 0)} | {ratio} | {ds} "
                         f"| {METHOD.get(key, '')} | {las} |")
    print("\n".join(lines))
    total(wall, rss, load)
    # exactextract keeps its coverage fractions in single precision (Raster<float>), so its
    # means agree with ours to about 1e-9 relative, not to the last bit: check that, relatively.
    for step in ("a1", "a10"):
        raw = ours_raw(out, step)
        rel = []
        for c in raw or {}:
            theirs = read_csv_map(f"{out}/exactextract-{step}.csv", "BU_CODE", f"{c}_mean") or {}
            rel += [abs(raw[c][k] - v) / max(1.0, abs(raw[c][k])) for k, v in theirs.items()
                    if k in raw[c] and not math.isnan(v) and not math.isnan(raw[c][k])]
        if rel:
            verdict = "equal" if max(rel) <= 1e-8 else "WARNING: NOT equal"
            print(f"\n{STEPS[step]}: exactextract vs leefbaar, max relative difference "
                  f"{max(rel):.3g} over {len(rel)} means: {verdict} (tolerance 1e-8: its "
                  "coverage fractions are single precision)")
    print()
    print("wall: whole command (GNU time), median of the repetitions; compute: leefbaar's run.json")
    print("timings without read and write, GeoPandas's own step time without reading files,")
    print("PostGIS the query (data loaded before, load row above); peak RSS for PostGIS is the")
    print("backend's VmHWM (includes the shared buffers it touched). Ratios > 1: leefbaar is faster.")


def total(wall, rss, load):
    """Step t: the score with every default output and waterbed, run alternately."""
    sw, ww = wall.get(("t", "score"), []), wall.get(("t", "waterbed"), [])
    if not sw or not ww:
        return
    la = load.get(("t", "score"), []) + load.get(("t", "waterbed"), [])
    peak = max(rss.get(("t", "score"), []) + rss.get(("t", "waterbed"), []))
    runs = ", ".join(f"{a:.2f} + {b:.2f}" for a, b in zip(sw, ww))
    print()
    print("| (t) T2 score, every default output, + waterbed | score s (median) | waterbed s "
          "(median) | sum of medians s | runs (score + waterbed) | peak RSS MB | load average |")
    print("|---|---:|---:|---:|---|---:|---|")
    print(f"| leefbaar | {med(sw):.2f} | {med(ww):.2f} | {med(sw) + med(ww):.2f} | {runs} "
          f"| {peak:.0f} | {min(la):.1f}–{max(la):.1f} |")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "stepjson":
        print(f"{stepjson(sys.argv[2]):.3f}")
    elif cmd == "timings":
        print(" ".join(f"{k}={v}" for k, v in timings(sys.argv[2]).items()))
    elif cmd == "table" and len(sys.argv) == 4:
        table(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
