# SPDX-License-Identifier: MIT
"""examples/waterbed_sensitivity.py runs as documented, and its grid holds the numbers of the
single runs it is made of."""

import os
import subprocess
import sys

import pytest

import readback
from conftest import has_function

pytestmark = pytest.mark.needs_data_stack

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(PKG, "examples", "waterbed_sensitivity.py")


@pytest.mark.xfail(not (has_function("lb_score_run") and has_function("lb_waterbed_run")),
                   reason="lb_score_run (wt-score) and lb_waterbed_run (wt-api) are needed",
                   strict=True)
def test_waterbed_sensitivity_example(lb, demo, tmp_path):
    pytest.importorskip("matplotlib", reason="python3-matplotlib draws the example's plot")
    import pandas as pd

    out = tmp_path / "grid"
    env = dict(os.environ, PYTHONPATH=PKG, LEEFBAAR_LIBRARY=lb.library_path())
    p = subprocess.run([sys.executable, EXAMPLE, "-o", str(out), "--source-root", demo["root"]],
                       env=env, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert p.returncode == 0, p.stderr
    png = (out / "sensitivity.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000
    grid = pd.read_csv(out / "sensitivity.csv", dtype={"focus_id": str, "rings": str})
    ring_sets = ["250,500,1000,2000", "500,1000,2000", "100,250,500,1000"]
    assert list(dict.fromkeys(grid["rings"])) == ring_sets
    assert sorted(grid["seed"].unique()) == [1, 2, 3]
    first = grid[(grid["scheme"] == "ring") & (grid["ring_min_m"] == 0) &
                 (grid["outcome"] == "lbm")]
    # ring set × seed × 2 focus wijken
    assert len(first) == 3 * 3 * 2
    # the DiD does not depend on the seed (only the placebo draws do)
    spread = first.groupby(["rings", "focus_id"])["did"].agg(lambda d: d.max() - d.min())
    assert (spread == 0).all()
    assert (first["did"] < 0).all(), "the planted waterbed effect shows in every ring set"
    assert "Zuiderpolder" in p.stdout and "Noorderhaven" in p.stdout

    # one cell of the grid = one waterbed run written to disk
    one = grid[(grid["rings"] == "500,1000,2000") & (grid["seed"] == 2)]
    one = one.drop(columns=["rings", "seed"]).reset_index(drop=True)
    with lb.waterbed(scores=str(out / "score"), focus=demo["focus"], rings=[500, 1000, 2000],
                     periods="2020-2022", seed=2) as r:
        r.write(tmp_path / "one")
    n = readback.assert_frame_equals_csv(one, tmp_path / "one" / "waterbed.csv")
    assert n == one.size
