#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the viewer must show, read from the runs' own files without the viewer's code: the
scores and classes of every buurt and year from scores.gpkg, the development class from
change.gpkg, the colours of every class from the QGIS styles (.qml) the runs wrote next to
their rasters, and the waterbed estimates from waterbed.csv.

expected.py SCORE_DIR CHANGE_DIR|- WATERBED_DIR|- OUT.json
"""
import csv
import json
import os
import sys
import xml.etree.ElementTree as ET

from osgeo import ogr

ogr.UseExceptions()

SCORE_FIELDS = ("BU_CODE", "BU_NAAM", "GM_CODE", "year", "lbm", "kscore", "klasse")


def palette(path):
    """{class value: '#rrggbb'} of a paletted raster style."""
    out = {}
    for e in ET.parse(path).getroot().iter("paletteEntry"):
        out[int(e.get("value"))] = e.get("color").lower()
    if not out:
        raise SystemExit("%s: no paletteEntry" % path)
    return out


def dims_of(layer):
    """Dimension codes: the fields with a class field k_<code> next to them."""
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [n[2:] for n in names if n.startswith("k_") and n[2:] in names]


def read_scores(score_dir):
    ds = ogr.Open(os.path.join(score_dir, "scores.gpkg"))
    layer = ds.GetLayerByName("buurten")
    dims = dims_of(layer)
    units, years = {}, set()
    for f in layer:
        code, year = f.GetField("BU_CODE"), int(f.GetField("year"))
        years.add(year)
        u = units.setdefault(code, {"name": f.GetField("BU_NAAM"), "gm": f.GetField("GM_CODE"),
                                    "years": {}})
        y = {"lbm": f.GetField("lbm"), "class": f.GetField("kscore"),
             "label": f.GetField("klasse"), "dims": {}, "dim_class": {}}
        for d in dims:
            y["dims"][d] = f.GetField(d)
            y["dim_class"][d] = f.GetField("k_" + d)
        u["years"][str(year)] = y
    years = sorted(years)
    pal = {"lbm": {}, **{d: {} for d in dims}}
    for year in years:
        pal["lbm"][str(year)] = palette(os.path.join(score_dir, "class_%d.qml" % year))
        for d in dims:
            pal[d][str(year)] = palette(os.path.join(score_dir, "dim_%s_%d.qml" % (d, year)))
    return units, years, dims, pal


def read_change(change_dir, units, years):
    ds = ogr.Open(os.path.join(change_dir, "change.gpkg"))
    layer = ds.GetLayerByName("change")
    y0, y1 = None, None
    for f in layer:
        code = f.GetField("BU_CODE")
        y0, y1 = int(f.GetField("year_from")), int(f.GetField("year_to"))
        if code in units:
            units[code]["change"] = {"d_lbm": f.GetField("d_lbm"), "class": f.GetField("dk_lbm")}
    pal = palette(os.path.join(change_dir, "change_class_%d_%d.qml" % (y0, y1)))
    return {"from": y0, "to": y1, "palette": pal}


def pick_probes(units, years):
    """A few buurten to click: in the last year, the first (by code) of every lbm class,
    at most 6, and every buurt without a score."""
    last = str(years[-1])
    seen, probes, unscored = set(), [], []
    for code in sorted(units):
        y = units[code]["years"].get(last)
        if y is None:
            continue
        if y["lbm"] is None:
            unscored.append(code)
        elif y["class"] not in seen and len(probes) < 6:
            seen.add(y["class"])
            probes.append(code)
    return probes, unscored


def read_grid(score_dir, dims, years):
    """The 100 m grid of the last year (scores.gpkg layer grid): a few cells to click, the
    first (by cell id) of every lbm class, with their values, class, centre in WGS84 (by OSR,
    not the viewer's code) and the number of cells."""
    from osgeo import osr
    ds = ogr.Open(os.path.join(score_dir, "scores.gpkg"))
    layer = ds.GetLayerByName("grid")
    if layer is None:
        return None
    rd = osr.SpatialReference()
    rd.ImportFromEPSG(28992)
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_wgs = osr.CoordinateTransformation(rd, wgs)
    last = years[-1]
    cells, n = {}, 0
    for f in layer:
        if int(f.GetField("year")) != last:
            continue
        n += 1
        cell = {"lbm": f.GetField("lbm"), "class": f.GetField("kscore"),
                "label": f.GetField("klasse"), "dims": {d: f.GetField(d) for d in dims},
                "dim_class": {d: f.GetField("k_" + d) for d in dims}}
        if cell["lbm"] is None:
            continue
        old = cells.get(cell["class"])
        if old is None or f.GetField("cell_id") < old["id"]:
            x0, x1, y0, y1 = f.GetGeometryRef().GetEnvelope()
            lon, lat, _ = to_wgs.TransformPoint((x0 + x1) / 2, (y0 + y1) / 2)
            cell.update({"id": f.GetField("cell_id"), "lon": lon, "lat": lat})
            cells[cell["class"]] = cell
    return {"year": last, "n": n, "probes": [cells[k] for k in sorted(cells)][:6]}


def read_waterbed(wb_dir):
    """Per focus area: a member unit (zones.gpkg) and, per zone, the lbm DiD and placebo
    p-values of the main period (waterbed.csv)."""
    num = lambda v: float(v) if v not in ("", None) else None
    out = {}
    with open(os.path.join(wb_dir, "waterbed.csv"), newline="") as fp:
        for r in csv.DictReader(fp):
            if r["outcome"] != "lbm" or r["period_role"] != "main":
                continue
            fa = out.setdefault(r["focus_id"], {"unit": None, "zones": {}})
            fa["zones"][r["zone"]] = {"did": num(r["did"]), "p_one": num(r["p_placebo_one"]),
                                      "p_two": num(r["p_placebo_two"])}
    ds = ogr.Open(os.path.join(wb_dir, "zones.gpkg"))  # kept open while its layer is read
    layer = ds.GetLayerByName("units")
    for f in layer:
        fa = out.get(f.GetField("focus_id"))
        if fa and f.GetField("member") == 1 and (fa["unit"] is None or f.GetField("id") < fa["unit"]):
            fa["unit"] = f.GetField("id")
    return out


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    score_dir, change_dir, wb_dir, out = sys.argv[1:]
    units, years, dims, pal = read_scores(score_dir)
    doc = {"years": years, "dims": dims, "palettes": pal, "units": units}
    if change_dir != "-":
        doc["change"] = read_change(change_dir, units, years)
    doc["probes"], doc["unscored"] = pick_probes(units, years)
    doc["grid"] = read_grid(score_dir, dims, years)
    if wb_dir != "-":
        doc["waterbed"] = read_waterbed(wb_dir)
    with open(out, "w") as fp:
        json.dump(doc, fp, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
