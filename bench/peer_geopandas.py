#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""GeoPandas 0.12 (+ rasterio 1.3) peer of bench/run.sh: the same four steps as leefbaar, written
the way a GeoPandas user would, on the same files. Each step writes a CSV keyed like leefbaar's
output (BU_CODE or the 100 m cell id E{x/100}N{y/100}) and prints its compute time.

usage: peer_geopandas.py STEP TIER_DIR OUT.csv [RASTER ...]
  zonal       mean of each raster over every buurt (rasterio masks: pixel centres inside)
  count       amenities within 500 m of each inhabited square's centre (sjoin with buffers)
  nearest     distance from each inhabited square's centre to the nearest amenity (sjoin_nearest)
  areaweight  buurt inhabitants onto the 100 m grid by area share (overlay with grid squares)
"""
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import rasterio.windows
from shapely.geometry import box

CELL = 100.0


def cell_ids(x_ll, y_ll):
    return ["E%dN%d" % (int(x // CELL), int(y // CELL)) for x, y in zip(x_ll, y_ll)]


def squares_centres(tier):
    sq = gpd.read_file(f"{tier}/vierkanten_2020.gpkg", layer="vierkanten")
    b = sq.geometry.bounds
    pts = gpd.GeoDataFrame(
        {"cell_id": cell_ids(b.minx, b.miny)},
        geometry=gpd.points_from_xy(b.minx + CELL / 2, b.miny + CELL / 2),
        crs=sq.crs,
    )
    return pts


def zonal(tier, out, rasters):
    bu = gpd.read_file(f"{tier}/buurten_2020.gpkg", layer="buurten")
    t0 = time.perf_counter()
    srcs = [rasterio.open(r) for r in rasters]
    arrays = [s.read(1, masked=True) for s in srcs]
    tf = srcs[0].transform
    H, W = arrays[0].shape
    res = {f"r{k + 1:02d}": np.full(len(bu), np.nan) for k in range(len(rasters))}
    for i, geom in enumerate(bu.geometry):
        # Window of the buurt's bounds, then the mask of pixels whose centre is inside
        # (rasterio.mask's default, all_touched=False); one mask serves every raster.
        minx, miny, maxx, maxy = geom.bounds
        c0 = max(0, int(np.floor((minx - tf.c) / tf.a)))
        c1 = min(W, int(np.ceil((maxx - tf.c) / tf.a)))
        r0 = max(0, int(np.floor((maxy - tf.f) / tf.e)))
        r1 = min(H, int(np.ceil((miny - tf.f) / tf.e)))
        h, w = r1 - r0, c1 - c0
        if h <= 0 or w <= 0:
            continue
        win = rasterio.windows.Window(c0, r0, w, h)
        inside = rasterio.features.geometry_mask(
            [geom], out_shape=(h, w), transform=rasterio.windows.transform(win, tf), invert=True
        )
        for k, a in enumerate(arrays):
            sub = a[r0 : r0 + h, c0 : c0 + w]
            vals = sub.data[inside & ~np.ma.getmaskarray(sub)]
            if vals.size:
                res[f"r{k + 1:02d}"][i] = float(vals.astype(np.float64).mean())
    df = pd.DataFrame({"BU_CODE": bu["BU_CODE"], **res})
    t1 = time.perf_counter()
    df.to_csv(out, index=False)
    return t1 - t0


def count(tier, out):
    pts = squares_centres(tier)
    am = gpd.read_file(f"{tier}/amenities_2020.gpkg", layer="amenities")
    t0 = time.perf_counter()
    disc = pts.copy()
    disc["geometry"] = pts.buffer(500.0, 16)  # 64-gon: inside the circle, at most 0.05 m short
    j = gpd.sjoin(am, disc, predicate="within", how="inner")
    n = j.groupby("cell_id").size()
    df = pd.DataFrame({"cell_id": pts["cell_id"]})
    df["value"] = df["cell_id"].map(n).fillna(0).astype(int)
    t1 = time.perf_counter()
    df.to_csv(out, index=False)
    return t1 - t0


def nearest(tier, out):
    pts = squares_centres(tier)
    am = gpd.read_file(f"{tier}/amenities_2020.gpkg", layer="amenities")
    t0 = time.perf_counter()
    try:
        j = gpd.sjoin_nearest(pts, am[["geometry"]], distance_col="value")
        df = j.groupby("cell_id", sort=False)["value"].min().reset_index()
    except NotImplementedError:
        # Debian 12 has Shapely 1.8 and no PyGEOS, where sjoin_nearest is not implemented; the
        # GeoPandas user's fallback is the R-tree's nearest query (exact for points: their
        # bounding boxes are the points) and shapely's distance.
        import rtree

        ax, ay = am.geometry.x.to_numpy(), am.geometry.y.to_numpy()
        idx = rtree.index.Index(((i, (x, y, x, y), None) for i, (x, y) in enumerate(zip(ax, ay))))
        px, py = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
        d = np.empty(len(pts))
        for i, (x, y) in enumerate(zip(px, py)):
            k = np.fromiter(idx.nearest((x, y, x, y), 1), dtype=np.int64)
            d[i] = np.hypot(ax[k] - x, ay[k] - y).min()
        df = pd.DataFrame({"cell_id": pts["cell_id"], "value": d})
    t1 = time.perf_counter()
    df.to_csv(out, index=False)
    return t1 - t0


def areaweight(tier, out):
    bu = gpd.read_file(f"{tier}/buurten_2020.gpkg", layer="buurten")[["AANT_INW", "geometry"]]
    t0 = time.perf_counter()
    bu["dens"] = bu["AANT_INW"] / bu.geometry.area
    # The grid squares a user would overlay: every 100 m square of each buurt's bounding box.
    xs, ys = [], []
    for minx, miny, maxx, maxy in bu.geometry.bounds.itertuples(index=False):
        gx = np.arange(np.floor(minx / CELL), np.ceil(maxx / CELL)) * CELL
        gy = np.arange(np.floor(miny / CELL), np.ceil(maxy / CELL)) * CELL
        X, Y = np.meshgrid(gx, gy)
        xs.append(X.ravel())
        ys.append(Y.ravel())
    x = np.unique(np.stack([np.concatenate(xs), np.concatenate(ys)], axis=1), axis=0)
    grid = gpd.GeoDataFrame(
        {"cell_id": cell_ids(x[:, 0], x[:, 1])},
        geometry=[box(a, b, a + CELL, b + CELL) for a, b in x],
        crs=bu.crs,
    )
    ov = gpd.overlay(bu, grid, how="intersection", keep_geom_type=True)
    ov["value"] = ov["dens"] * ov.geometry.area
    df = ov.groupby("cell_id")["value"].sum().reset_index()
    t1 = time.perf_counter()
    df.to_csv(out, index=False)
    return t1 - t0


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    step, tier, out = sys.argv[1:4]
    steps = {"zonal": lambda: zonal(tier, out, sys.argv[4:]), "count": lambda: count(tier, out),
             "nearest": lambda: nearest(tier, out), "areaweight": lambda: areaweight(tier, out)}
    if step not in steps:
        sys.exit(__doc__)
    print("step_s %.3f" % steps[step]())


if __name__ == "__main__":
    main()
