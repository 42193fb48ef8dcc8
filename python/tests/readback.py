# SPDX-License-Identifier: MIT
"""Independent readers of the files a run writes, and comparisons with in-memory tables.

GeoPackages are read with sqlite3 (no GDAL, no geopandas), geometries from their GPKG blobs;
CSVs with the csv module, each number compared at the digits it was written with.
"""

import csv
import math
import sqlite3

# GPKG geometry blob: "GP", version, flags (bits 1-3: envelope kind), srs_id, envelope, WKB
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_wkb(blob):
    if blob is None:
        return None
    blob = bytes(blob)
    assert blob[:2] == b"GP", "not a GeoPackage geometry blob"
    flags = blob[3]
    if flags & 0x10:  # empty geometry
        return None
    return blob[8 + _ENVELOPE_BYTES[(flags >> 1) & 7]:]


def gpkg_layers(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [r[0] for r in db.execute(
            "SELECT table_name FROM gpkg_contents ORDER BY table_name")]


def gpkg_layer(path, layer):
    """(columns, rows, geometry column name, srs_id) of a GeoPackage layer in fid order."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        geom = db.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns "
                          "WHERE table_name = ?", (layer,)).fetchone()
        cur = db.execute(f'SELECT * FROM "{layer}" ORDER BY 1')
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        types = {r[1]: r[2] for r in db.execute(f'PRAGMA table_info("{layer}")')}
    return cols, rows, (geom[0] if geom else None), (geom[1] if geom else None), types


def _written_decimals(values):
    """The number of decimals a column of the file was rounded to (None: not rounded)."""
    for k in range(0, 10):
        if all(v is None or math.isnan(v) or abs(v * 10**k - round(v * 10**k)) <=
               1e-9 * max(1.0, abs(v * 10**k)) for v in values):
            return k
    return None


def assert_frame_equals_gpkg(df, path, layer, keys=None, exact=True):
    """Every column of the in-memory table equals the layer's, value for value, the file read
    with sqlite3 (NULL = NaN / <NA> / None); the geometries are the same shapes.

    ``exact``: the file holds every double as it is (scores.gpkg, change.gpkg). Otherwise a
    REAL column may be written rounded to k decimals (zones.gpkg: area_m2 to metres,
    weights to 2 decimals): each of its values is then the memory's within half a unit of
    the k-th decimal."""
    import pandas as pd
    import shapely.wkb

    cols, rows, gcol, srs, _types = gpkg_layer(path, layer)
    assert len(rows) == len(df), f"{layer}: {len(rows)} rows in the file, {len(df)} in memory"
    attr = [c for c in df.columns if c != "geometry"]
    file_attr = [c for c in cols if c not in ("fid", gcol)]
    assert attr == file_attr, f"{layer}: columns differ:\nmemory {attr}\nfile   {file_attr}"
    if keys:
        kf = [cols.index(k) for k in keys]
        rows = sorted(rows, key=lambda r: tuple(r[i] for i in kf))
        df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    n_checked = 0
    for c in attr:
        m = df[c].to_list()
        j = cols.index(c)
        f = [r[j] for r in rows]
        dec = None
        if not exact and any(isinstance(b, float) for b in f):
            dec = _written_decimals([b for b in f if isinstance(b, float)])
        for i, (a, b) in enumerate(zip(m, f)):
            n_checked += 1
            if b is None:
                assert a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a)), \
                    f"{layer}.{c} row {i}: file NULL, memory {a!r}"
            elif isinstance(b, float):
                assert isinstance(a, float), f"{layer}.{c} row {i}: {a!r} != {b!r}"
                if a != b:
                    assert dec is not None and abs(a - b) <= 0.5 * 10.0**-dec * (1 + 1e-9), \
                        f"{layer}.{c} row {i}: {a!r} != {b!r}"
            else:
                assert a is not pd.NA and a == b, f"{layer}.{c} row {i}: {a!r} != {b!r}"
    if gcol:
        assert srs == 28992, f"{layer}: srs_id {srs}"
        assert "geometry" in df.columns, f"{layer}: the file has geometry, memory has none"
        assert getattr(df, "crs", None) is not None and df.crs.to_epsg() == 28992
        j = cols.index(gcol)
        for i, (a, r) in enumerate(zip(df.geometry.to_list(), rows)):
            wkb = gpkg_wkb(r[j])
            if wkb is None:
                assert a is None or a.is_empty, f"{layer} row {i}: geometry only in memory"
                continue
            g = shapely.wkb.loads(wkb)
            assert a is not None and a.geom_type.replace("Multi", "") == \
                g.geom_type.replace("Multi", ""), f"{layer} row {i}: {a.geom_type} {g.geom_type}"
            assert a.equals(g) and a.area == g.area, f"{layer} row {i}: geometry differs"
    return n_checked


def read_csv_text(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


def assert_frame_equals_csv(df, path, exact=False):
    """The CSV's cells equal the in-memory values at the digits they were written with: a
    number printed with d decimals is within half a unit of its last digit (``exact``: reads
    back as the very double, as --full-precision promises); text is equal; an empty cell is
    a missing value."""
    import numpy as np
    import pandas as pd

    header, rows = read_csv_text(path)
    assert [c for c in df.columns if c != "geometry"] == header, \
        f"{path}: columns differ:\nmemory {list(df.columns)}\nfile   {header}"
    assert len(rows) == len(df), f"{path}: {len(rows)} rows, {len(df)} in memory"
    n = 0
    for j, c in enumerate(header):
        col = df[c].to_list()
        for i, row in enumerate(rows):
            t, v = row[j], col[i]
            n += 1
            missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
            if t == "":
                assert missing, f"{path} {c} line {i + 2}: empty, memory {v!r}"
                continue
            assert not missing, f"{path} {c} line {i + 2}: '{t}', memory missing"
            if isinstance(v, (float, np.floating)) and exact:
                assert float(t) == v, f"{path} {c} line {i + 2}: '{t}' vs {v!r}"
            elif isinstance(v, (float, np.floating)):
                dec = len(t.split(".")[1]) if "." in t and "e" not in t.lower() else 0
                tol = 0.5 * 10.0 ** -dec if "e" not in t.lower() else abs(v) * 1e-15
                assert abs(float(t) - v) <= tol * (1 + 1e-9) + 1e-300, \
                    f"{path} {c} line {i + 2}: '{t}' vs {v!r}"
            elif isinstance(v, (int, np.integer)):
                assert int(t) == v, f"{path} {c} line {i + 2}: '{t}' vs {v!r}"
            else:
                assert t == v, f"{path} {c} line {i + 2}: '{t}' vs {v!r}"
    return n
