# SPDX-License-Identifier: MIT
"""leefbaar.viewer(): the offline map of the demo's score run; its data equal scores.gpkg read
with GDAL's own Python bindings; errors raise with the library's message; change(viewer=True)
writes OUT/viewer as one of the run's outputs."""

import json
import os

import pytest

from conftest import has_function

pytestmark = [pytest.mark.filterwarnings("ignore::leefbaar.LeefbaarWarning"),
              pytest.mark.skipif(not has_function("lb_viewer_run"),
                                 reason="lb_viewer_run is not in this libleefbaar")]


@pytest.fixture
def fake_lib(tmp_path):
    d = tmp_path / "lib"
    d.mkdir()
    for f in ("maplibre-gl.js", "maplibre-gl.css", "LICENSE.txt"):
        (d / f).write_text(f"/* stand-in {f} */\n")
    return d


def script(path, name):
    text = open(path).read()
    start = text.index(f"window.{name} = ") + len(f"window.{name} = ")
    return json.loads(text[start:text.index(";\n", start)])


def test_viewer_values_equal_gpkg(lb, score_dir, fake_lib, tmp_path):
    ogr = pytest.importorskip("osgeo.ogr")
    out = tmp_path / "kaart"
    index = lb.viewer(score_dir, out, title="Leefstad", viewer_lib=fake_lib)
    assert index == os.path.join(str(out), "index.html") and os.path.isfile(index)
    meta = script(out / "data" / "meta.js", "LB_META")
    units = script(out / "data" / "units.js", "LB_UNITS")
    assert meta["title"] == "Leefstad" and meta["years"] == [2020, 2022]
    props = {f["properties"]["code"]: f["properties"] for f in units["features"]}
    ds = ogr.Open(os.path.join(score_dir, "scores.gpkg"))
    layer = ds.GetLayerByName("buurten")
    dims = [v["code"] for v in meta["views"] if v["kind"] == "dim"]
    assert dims
    lbm = {}
    n = 0
    for feat in layer:
        code, year = feat.GetField("BU_CODE"), feat.GetField("year")
        for k in ["lbm", "afw"] + dims:
            key = f"{k}_{year}"
            if not feat.IsFieldSetAndNotNull(k):
                assert key not in props[code], (code, key)
                continue
            assert props[code][key] == feat.GetFieldAsDouble(k), (code, key)  # the same double
            n += 1
        if feat.IsFieldSetAndNotNull("lbm"):
            lbm.setdefault(year, []).append(feat.GetFieldAsDouble("lbm"))
    assert n > 800
    # the mean of all units ("") in meta.js lies within the units' range
    for year, vals in lbm.items():
        m = meta["gemeenten"][""][str(year)]["lbm"]
        assert min(vals) <= m <= max(vals)
    # numbers of meta.js as the shortest text (Python's repr is the shortest round trip)
    text = open(out / "data" / "meta.js").read()
    for c in meta["views"][0]["cuts"]:
        assert repr(c) in text


def test_viewer_errors(lb, score_dir, fake_lib, tmp_path):
    with pytest.raises(lb.ArgError, match="no run folder"):
        lb.viewer(str(fake_lib), tmp_path / "v1", viewer_lib=fake_lib)
    os.remove(fake_lib / "LICENSE.txt")
    with pytest.raises(lb.ArgError, match="LICENSE.txt"):
        lb.viewer(score_dir, tmp_path / "v2", viewer_lib=fake_lib)
    assert not (tmp_path / "v2").exists()


def test_change_viewer_true(lb, score_dir, fake_lib, tmp_path):
    out = tmp_path / "ch"
    with lb.change(scores=score_dir, from_year=2020, to_year=2022, viewer=True,
                   viewer_lib=fake_lib) as r:
        r.write(out)
    doc = json.load(open(out / "run.json"))
    assert "viewer" in doc["outputs"] and doc["viewer"]["folder"] == "viewer"
    assert (out / "viewer" / "index.html").is_file()
    before = sorted(os.listdir(out))
    with lb.change(scores=score_dir, from_year=2020, to_year=2022, viewer=True,
                   viewer_lib=fake_lib) as r2:
        with pytest.raises(lb.ArgError, match="--overwrite"):
            r2.write(out)
    assert sorted(os.listdir(out)) == before
