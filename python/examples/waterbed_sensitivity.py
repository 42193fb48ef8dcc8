#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A waterbed sensitivity grid: ring sets × periods × seeds → one tidy DataFrame and a plot.

Does the displacement found around the focus wijken depend on how the rings are drawn, on the
period, or on the random draws of the placebo test? Every combination is one in-memory
``leefbaar.waterbed`` run; their tables are stacked into one DataFrame (a row per ring set ×
period × seed × focus area × zone × outcome) and the first ring's difference-in-differences
and placebo p-value are plotted.

On the demo city (from the source tree, after building libleefbaar)::

    PYTHONPATH=python python3 python/examples/waterbed_sensitivity.py -o wb-grid

scores the demo's two years, writes that run to ``wb-grid/score`` (waterbed reads scored runs
from disk), and writes ``wb-grid/sensitivity.csv`` and ``wb-grid/sensitivity.png``. The demo
has two years, so one period; on published scores with more years pass several, e.g. the
Leefbaarometer 3.0 PC4 scores of Utrecht::

    D=../shared/data/utrecht-pc4-lbm3
    PYTHONPATH=python python3 python/examples/waterbed_sensitivity.py -o wb-utrecht \\
        --scores $D/lbm3_pc4_scores_utrecht.csv --geometry $D/pc4_utrecht.geojson \\
        --focus-codes 'Overvecht=3561|3562|3563|3564,Kanaleneiland=3526|3527' \\
        --periods 2008-2012 2014-2022 --rings 500,1000,2000 1000,2000,4000
"""

import argparse
import itertools
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

try:
    import leefbaar
except ImportError:  # run from the source tree without PYTHONPATH
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import leefbaar

RING_SETS = [[250, 500, 1000, 2000], [500, 1000, 2000], [100, 250, 500, 1000]]
SEEDS = [1, 2, 3]


def sensitivity(scores, ring_sets, periods, seeds, **options):
    """Run waterbed for every ring set × period × seed; return all rows as one DataFrame."""
    frames = []
    for rings, period, seed in itertools.product(ring_sets, periods, seeds):
        with leefbaar.waterbed(scores=scores, rings=rings, periods=period, seed=seed,
                               **options) as r:
            frames.append(r.tables["waterbed"].assign(
                rings=",".join(str(m) for m in rings), seed=seed))
    return pd.concat(frames, ignore_index=True)


def first_rings(grid, outcome="lbm"):
    """The first ring around each focus area (distance from 0), one outcome, main periods
    (not the pre-trend placebo periods)."""
    sel = ((grid["scheme"] == "ring") & (grid["ring_min_m"] == 0) &
           (grid["outcome"] == outcome) & (grid["period_role"] == "main"))
    return grid[sel]


def plot(grid, path, outcome="lbm"):
    """Left: DiD of the first ring per ring set and focus area (seeds do not change it);
    right: its one-sided placebo p-value per seed."""
    rings = first_rings(grid, outcome)
    periods = list(dict.fromkeys(rings["period"]))
    fig, axes = plt.subplots(len(periods), 2, figsize=(10, 3.2 * len(periods)), squeeze=False)
    sets = list(dict.fromkeys(grid["rings"]))
    for row, period in zip(axes, periods):
        p = rings[rings["period"] == period]
        groups = list(p.groupby("focus_name", sort=True))
        for j, (focus, f) in enumerate(groups):
            did = f.groupby("rings", sort=False)["did"].mean().reindex(sets)
            line, = row[0].plot(range(len(sets)), did.to_numpy(), "o-", label=focus)
            shift = 0.1 * (j - (len(groups) - 1) / 2)  # side by side per focus area
            x = [sets.index(rs) + shift for rs in f["rings"]]
            row[1].scatter(x, f["p_placebo_one"], s=18, color=line.get_color(), label=focus)
        row[0].axhline(0, color="grey", lw=0.8)
        row[1].set_ylim(0, max(0.06, 1.1 * p["p_placebo_one"].max()))
        row[0].set_ylabel(f"DiD of the first ring ({outcome})")
        row[0].set_title(f"{period}: first ring vs far control")
        row[1].axhline(0.05, color="grey", lw=0.8, ls="--")
        row[1].set_ylabel("placebo p (one-sided)")
        row[1].set_title(f"{period}: p over seeds {', '.join(map(str, sorted(set(grid.seed))))}")
        for ax in row:
            ax.set_xticks(range(len(sets)))
            ax.set_xticklabels([f"rings {s}" for s in sets], rotation=15, fontsize=8)
        row[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def score_demo(source_root, outdir):
    """Score the demo city's two years (as `leefbaar demo` does) and write the run."""
    s = lambda *p: os.path.join(source_root, *p)  # noqa: E731
    inputs = {f"{name}@{y}": s("shapes", f"leefstad_{y}.gpkg") + f":{name}"
              for name in ("buurten", "amenities", "incidents") for y in (2020, 2022)}
    inputs.update(roads=s("shapes", "leefstad.gpkg") + ":roads",
                  noise=s("rasters", "noise_lden.tif"), green=s("rasters", "green_share.tif"))
    with leefbaar.score(model=s("models", "default.yaml"), inputs=inputs,
                        years=[2020, 2022]) as r:
        r.write(outdir, overwrite=True)
    return outdir


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", required=True, help="directory for the CSV and the PNG")
    ap.add_argument("--source-root", default=os.path.dirname(os.path.dirname(here)),
                    help="source tree with the demo data (default: this one)")
    ap.add_argument("--scores", help="scored units (default: score the demo city)")
    ap.add_argument("--geometry", help="polygons for a table of published scores")
    ap.add_argument("--focus", help="focus polygons PATH[:LAYER] (default: the demo's)")
    ap.add_argument("--focus-codes", help="focus areas as code lists instead of --focus")
    ap.add_argument("--periods", nargs="+", default=["2020-2022"], help="Y0-Y1 ...")
    ap.add_argument("--rings", nargs="+", help="ring sets, each M,M,... (default: three)")
    ap.add_argument("--seeds", nargs="+", type=int, default=SEEDS)
    a = ap.parse_args(argv)

    os.makedirs(a.out, exist_ok=True)
    options = {}
    if a.scores:
        scores = a.scores
        options.update(geometry=a.geometry, focus=a.focus, focus_codes=a.focus_codes)
    else:
        scores = score_demo(a.source_root, os.path.join(a.out, "score"))
        options["focus"] = a.focus or os.path.join(a.source_root, "shapes",
                                                   "leefstad.gpkg") + ":focus_wijken"
    ring_sets = [[int(m) for m in r.split(",")] for r in a.rings] if a.rings else RING_SETS

    grid = sensitivity(scores, ring_sets, a.periods, a.seeds, **options)
    grid.to_csv(os.path.join(a.out, "sensitivity.csv"), index=False)
    plot(grid, os.path.join(a.out, "sensitivity.png"))
    print(first_rings(grid).groupby(["period", "rings", "focus_name"], sort=False)
          .agg(did=("did", "mean"), p_min=("p_placebo_one", "min"),
               p_max=("p_placebo_one", "max")).round(4).to_string())
    return grid


if __name__ == "__main__":
    main()
