# SPDX-License-Identifier: MIT
"""The five operations on the demo city: in-memory tables equal the files .write() makes of
them, nothing is written before .write(), errors carry the library's message."""

import json
import math
import os

import pytest

import readback
from conftest import has_function

pytestmark = [pytest.mark.needs_data_stack,
              pytest.mark.filterwarnings("ignore::leefbaar.LeefbaarWarning")]


def pending(fn, who):
    """xfail (not skip) while the loaded library lacks the operation's C function."""
    import leefbaar

    return pytest.mark.xfail(
        not has_function(fn), raises=leefbaar.MissingFunctionError, strict=True,
        reason=f"{fn} is not in this libleefbaar yet ({who} adds it)")


def snapshot(d):
    """Every file under d with its size and modification time."""
    out = {}
    for root, _dirs, files in os.walk(d):
        for f in files:
            st = os.stat(os.path.join(root, f))
            out[os.path.relpath(os.path.join(root, f), d)] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def quiet_cwd(tmp_path, monkeypatch):
    """An empty working directory that must stay empty: the operations write nothing."""
    d = tmp_path / "cwd"
    d.mkdir()
    monkeypatch.chdir(d)
    yield d
    assert os.listdir(d) == [], f"an operation wrote into the working directory: {os.listdir(d)}"


def assert_nothing_written(*dirs):
    for d in dirs:
        assert not os.path.exists(d), f"{d} was created by the compute call"


@pending("lb_score_run", "wt-score")
def test_score(lb, demo, tmp_path, quiet_cwd):
    never = tmp_path / "never"
    # the write keys are accepted by the compute call and ignored by it
    with lb.score(**demo["score"], output=str(never), full_precision=True) as r:
        assert_nothing_written(never)
        assert r.operation == "score"
        assert "python: leefbaar.score(model=" in json.dumps(r.provenance)
        assert {"buurten", "grid"} <= set(r.tables)
        assert {"scores_2020", "scores_2022", "class_2020", "class_2022"} <= set(r.rasters)
        b = r.tables["buurten"]
        assert b.crs.to_epsg() == 28992
        assert sorted(b["year"].unique()) == [2020, 2022]
        assert (b["year"] == 2022).sum() == 62
        assert str(b["year"].dtype) == "Int64" and b["lbm"].dtype == "float64"
        assert b["BU_CODE"].map(type).eq(str).all()
        # missing scores stay missing: the uninhabited buurt has no lbm and no class
        unscored = b[b["lbm"].isna()]
        assert len(unscored) >= 1 and unscored["kscore"].isna().all()
        assert r.provenance["reference"]["mode"] == "fixed"
        assert r.provenance["reference"]["year"] == 2020
        assert any("AANT_INW 0" in w for w in r.warnings)
        out = tmp_path / "score"
        assert not out.exists()
        r.write(out)
        assert_nothing_written(never)
        gpkg = out / "scores.gpkg"
        n = readback.assert_frame_equals_gpkg(b, gpkg, "buurten", keys=["BU_CODE", "year"])
        assert n > 62 * 2 * 20
        readback.assert_frame_equals_gpkg(r.tables["grid"], gpkg, "grid",
                                          keys=["cell_id", "year"])
        # full_precision given to score() reaches the writer: the CSV holds every digit
        readback.assert_frame_equals_csv(b.drop(columns="geometry"), out / "buurten.csv",
                                         exact=True)
        with open(out / "run.json") as f:
            written = json.load(f)
        assert written["reference"] == r.provenance["reference"]
        assert_rasters_equal_files(r, out)


def assert_rasters_equal_files(result, outdir):
    gdal = pytest.importorskip("osgeo.gdal", reason="python3-gdal reads the GeoTIFFs back")
    import numpy as np

    for name, rast in result.rasters.items():
        ds = gdal.Open(str(outdir / f"{name}.tif"))
        assert ds is not None, name
        assert (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == \
            (rast.nx, rast.ny, rast.n_bands), name
        assert ds.GetGeoTransform() == pytest.approx(rast.geotransform, abs=0), name
        data = rast.data
        assert data.shape == (rast.n_bands, rast.ny, rast.nx) and data.dtype == np.float32
        for b in range(rast.n_bands):
            band = ds.GetRasterBand(b + 1)
            # a class raster's band is described for people ("Ontwikkeling 2020-2022"); its
            # name in memory is the column it classes ("dk_lbm")
            if band.DataType != gdal.GDT_Byte:
                assert band.GetDescription() == rast.band_names[b], name
            f = band.ReadAsArray().astype(np.float32)
            m = data[b]
            if band.DataType == gdal.GDT_Byte:  # classes: 0 is no class
                assert np.array_equal(np.isnan(m), f == 0), f"{name} band {b}: no-data cells"
                assert np.array_equal(m[~np.isnan(m)], f[f != 0]), f"{name} band {b}"
            else:
                assert np.array_equal(m, f, equal_nan=True), f"{name} band {b}"
        assert np.isfinite(data).any(), f"{name}: no data at all"


@pending("lb_change_run", "wt-api")
def test_change(lb, score_dir, tmp_path, quiet_cwd):
    before = snapshot(score_dir)
    with lb.change(scores=score_dir, from_year=2020, to_year=2022) as r:
        assert snapshot(score_dir) == before
        c = r.tables["change"]
        assert len(c) == 62
        assert r.provenance["command"].startswith("python: leefbaar.change(scores=")
        # the planted effect: the focus wijken improve, the rest declines (weighted)
        focus = c["WK_CODE"].isin(["WK990106", "WK990109"])
        w = c["weight_from"]
        ok = c["d_lbm"].notna()
        mf = (c["d_lbm"] * w)[focus & ok].sum() / w[focus & ok].sum()
        mr = (c["d_lbm"] * w)[~focus & ok].sum() / w[~focus & ok].sum()
        assert mf > 0.1 and mr < 0
        # Δ is to − from, computed here independently
        both = c[c["status"] == "both"]
        assert ((both["lbm_to"] - both["lbm_from"]) == both["d_lbm"]).all()
        out = tmp_path / "change"
        r.write(out, full_precision=True)
        readback.assert_frame_equals_gpkg(c, out / "change.gpkg", "change", keys=["BU_CODE"])
        readback.assert_frame_equals_csv(c.drop(columns="geometry"), out / "change.csv",
                                         exact=True)
        assert_rasters_equal_files(r, out)


@pending("lb_diagnose_run", "wt-api")
def test_diagnose(lb, demo, score_dir, tmp_path, quiet_cwd):
    before = snapshot(score_dir)
    with lb.diagnose(scores=score_dir, wijk="WK990100", wijk_polygon=demo["wijken"],
                     gemeente_polygon=demo["gemeente"], focus=demo["focus"]) as r:
        assert snapshot(score_dir) == before
        assert r.tables, "diagnose gives tables"
        d = r.tables["diagnosis"]
        # the wijk's weighted mean lbm per year, computed here from the run's GeoPackage
        cols, rows, *_ = readback.gpkg_layer(os.path.join(score_dir, "scores.gpkg"), "buurten")
        ix = {c: cols.index(c) for c in ("WK_CODE", "year", "lbm", "weight")}
        for year in (2020, 2022):
            sel = [r_ for r_ in rows if r_[ix["WK_CODE"]] == "WK990100" and
                   r_[ix["year"]] == year and r_[ix["lbm"]] is not None]
            w = sum(r_[ix["weight"]] for r_ in sel)
            lbm = sum(r_[ix["weight"]] * r_[ix["lbm"]] for r_ in sel) / w
            row = d[(d["year"] == year) & (d["group"] == "wijk")]
            assert len(row) == 1 and row["units"].iloc[0] == len(sel)
            assert row["lbm"].iloc[0] == pytest.approx(lbm, rel=1e-12)
            assert row["weight"].iloc[0] == pytest.approx(w, rel=1e-12)
        out = tmp_path / "diagnose"
        r.write(out)
        assert sorted(os.listdir(out)) == ["WK990100.html", "WK990100.json", "WK990100.md"]
        with open(out / "WK990100.json") as f:
            report = json.load(f)
        assert report == r.provenance
        n = assert_tables_in_report(r.tables, report)
        assert n == d.size - d["group"].size


def _numbers(obj, out):
    if isinstance(obj, dict):
        for v in obj.values():
            _numbers(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _numbers(v, out)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out.add(float(obj))
    return out


def assert_tables_in_report(tables, report):
    """Every number of every diagnose table is one the JSON report holds (the report keeps
    them unrounded)."""
    import pandas as pd

    nums = _numbers(report, set())
    n = 0
    for name, df in tables.items():
        for c in df.columns:
            if c == "geometry":
                continue
            for v in df[c].to_list():
                if v is pd.NA or v is None or isinstance(v, str):
                    continue
                if not (isinstance(v, float) and math.isnan(v)):
                    assert float(v) in nums, f"diagnose table {name}.{c}: {v!r} not in report"
                    n += 1
    return n


@pending("lb_waterbed_run", "wt-api")
def test_waterbed(lb, demo, score_dir, tmp_path, quiet_cwd):
    before = snapshot(score_dir)
    with lb.waterbed(scores=score_dir, focus=demo["focus"], seed=1) as r:
        assert snapshot(score_dir) == before
        w = r.tables["waterbed"]
        assert "python: leefbaar.waterbed(scores=" in json.dumps(r.provenance)
        first = w[(w["zone"] == "ring_0_250") & (w["outcome"] == "lbm") &
                  (w["period_role"] == "main")]
        assert len(first) == 2 and (first["did"] < 0).all()  # the planted waterbed effect
        out = tmp_path / "waterbed"
        r.write(out)
        readback.assert_frame_equals_csv(w, out / "waterbed.csv")
        readback.assert_frame_equals_csv(r.tables["waterbed_pooled"],
                                         out / "waterbed_pooled.csv")
        n_layers = 0
        for layer in readback.gpkg_layers(out / "zones.gpkg"):
            if layer in r.tables:
                readback.assert_frame_equals_gpkg(r.tables[layer], out / "zones.gpkg", layer,
                                                  exact=False)
                n_layers += 1
        assert n_layers >= 2


@pending("lb_scores_open", "wt-api")
def test_scores_open(lb, score_dir, quiet_cwd):
    import shapely.wkb

    before = snapshot(score_dir)
    with lb.scores_open(score_dir) as r:
        assert snapshot(score_dir) == before
        s = r.tables["scores"]
        assert s.crs.to_epsg() == 28992
        # the scored units of the run's own GeoPackage, every column the same
        cols, rows, gcol, *_ = readback.gpkg_layer(os.path.join(score_dir, "scores.gpkg"),
                                                   "buurten")
        ix = {c: i for i, c in enumerate(cols)}
        scored = {(row[ix["BU_CODE"]], row[ix["year"]]): row for row in rows
                  if row[ix["lbm"]] is not None}
        assert len(s) == len(scored) == 122  # 62 buurten × 2 years, less the uninhabited one
        shared = [c for c in s.columns if c in ix and c != gcol]
        assert {"BU_CODE", "year", "weight", "lbm", "kscore", "afw", "won", "vei"} <= set(shared)
        n = 0
        for rec, geom in zip(s[shared].itertuples(index=False), s.geometry):
            row = scored[(rec.BU_CODE, int(rec.year))]
            for c, v in zip(shared, rec):
                assert v == row[ix[c]], (rec.BU_CODE, rec.year, c, v, row[ix[c]])
                n += 1
            assert geom.equals(shapely.wkb.loads(readback.gpkg_wkb(row[ix[gcol]])))
        assert n == len(s) * len(shared)


@pending("lb_scores_open", "wt-api")
def test_scores_open_published_table(lb, quiet_cwd):
    """Utrecht's Leefbaarometer 3.0 PC4 table (../shared/data): every value as in the CSV,
    NA missing, codes as text."""
    import csv

    d = os.path.join(os.environ.get("LB_SHARED_DATA", ""), "utrecht-pc4-lbm3")
    if not os.path.isdir(d):
        pytest.skip(f"real data absent ({d}); LB_SHARED_DATA names ../shared/data")
    table = os.path.join(d, "lbm3_pc4_scores_utrecht.csv")
    with lb.scores_open(table, geometry=os.path.join(d, "pc4_utrecht.geojson")) as r:
        s = r.tables["scores"]
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(s) == len(rows)
    assert s["PC4"].map(type).eq(str).all() and s.geometry.notna().all()
    mem = {(rec["PC4"], int(rec["year"])): rec for rec in s.to_dict("records")}
    n = 0
    for row in rows:
        rec = mem[(row["PC4"], int(row["jaar"]))]
        for c in ("lbm", "afw", "fys", "onv", "soc", "vrz", "won"):
            if row[c] == "NA":
                assert math.isnan(rec[c]), (row, c)
            else:
                assert rec[c] == float(row[c]), (row, c, rec[c])
            n += 1
    assert n == 7 * len(rows)


# --- errors ------------------------------------------------------------------------------

@pending("lb_score_run", "wt-score")
def test_score_errors_carry_the_message(lb, demo, tmp_path, quiet_cwd):
    missing = tmp_path / "no-such-model.yaml"
    opts = dict(demo["score"], model=str(missing))
    with pytest.raises(lb.Error) as e:
        lb.score(**opts)
    assert str(missing) in str(e.value) and e.value.message == str(e.value)
    assert e.value.status in (3, 7) and isinstance(e.value, (lb.IOError, lb.ModelError))
    with pytest.raises(lb.ArgError) as e:
        lb.score(**demo["score"], frobnicate=1)
    msg = str(e.value)
    assert "frobnicate" in msg and "model" in msg and "input" in msg  # lists the keys
    with pytest.raises(lb.ArgError) as e:
        lb.score(**demo["score"], mode="circle")
    assert "mode" in str(e.value) and "circle" in str(e.value)


@pending("lb_score_run", "wt-score")
def test_threads(lb, demo):
    """threads= sets the call's context (score has no such option key): one thread gives
    the very numbers of all cores; a negative number is the library's error."""
    import numpy as np

    with lb.score(**demo["score"], threads=1) as one, lb.score(**demo["score"]) as all_:
        a, b = one.tables["buurten"], all_.tables["buurten"]
        for c in ("lbm", "afw", "won", "vei", "weight"):
            assert np.array_equal(a[c].to_numpy(), b[c].to_numpy(), equal_nan=True), c
    with pytest.raises(lb.ArgError) as e:
        lb.score(**demo["score"], threads=-1)
    assert "-1" in str(e.value) or "thread" in str(e.value)


@pending("lb_waterbed_run", "wt-api")
def test_waterbed_errors_carry_the_message(lb, demo, score_dir, quiet_cwd):
    with pytest.raises(lb.Error) as e:
        lb.waterbed(scores=score_dir, focus=demo["city"] + ":no_such_layer")
    assert "no_such_layer" in str(e.value)
    with pytest.raises(lb.Error) as e:
        lb.waterbed(scores=os.path.join(score_dir, "missing"), focus=demo["focus"])
    assert os.path.join(score_dir, "missing") in str(e.value)


def test_unknown_operation_key_lists_keys(lb):
    if not has_function("lb_opts_create"):
        pytest.xfail("lb_opts_create is not in this libleefbaar yet (wt-api's foundation)")
    keys = lb.option_keys("waterbed")
    assert {"scores", "focus", "rings", "seed", "output"} <= set(keys)
    with pytest.raises(lb.ArgError) as e:
        lb.Options(lb.Context(), "frobnicate")
    assert "waterbed" in str(e.value)


# --- callbacks ---------------------------------------------------------------------------

@pending("lb_waterbed_run", "wt-api")
def test_progress_cancel_and_log(lb, demo, score_dir, tmp_path):
    wb = dict(scores=score_dir, focus=demo["focus"])
    seen = []
    with pytest.raises(lb.Cancelled) as e:
        lb.waterbed(**wb, progress=lambda done, stage: seen.append((done, stage)) or
                    len(seen) < 3)
    assert len(seen) == 3 and all(0 <= d <= 1 and s for d, s in seen)
    assert e.value.status == 9 and "cancelled" in str(e.value)

    class Boom(Exception):
        pass

    def boom(done, stage):
        raise Boom(stage)

    with pytest.raises(Boom) as e:
        lb.waterbed(**wb, progress=boom)
    assert isinstance(e.value.__cause__, lb.Cancelled)

    # Ctrl-C during a call: Python's handler runs in the next callback, which cancels the
    # call; the KeyboardInterrupt comes out of it
    import signal

    def interrupt(done, stage):
        if done > 0.3:
            os.kill(os.getpid(), signal.SIGINT)
        return True

    with pytest.raises(KeyboardInterrupt):
        lb.waterbed(**wb, progress=interrupt)

    logged = []
    with lb.waterbed(**wb, log=lambda level, msg: logged.append((level, msg))) as r:
        warned = [m for lvl, m in logged if lvl == "warning"]
        assert warned == r.warnings and len(warned) == 1  # one note for both focus areas
    # without a log callback the warnings come as LeefbaarWarning, from the caller's line
    with pytest.warns(lb.LeefbaarWarning, match="disjoint placebo areas") as w:
        lb.waterbed(**wb).close()
    assert w[0].filename == __file__
    # a cancelled call wrote nothing and a later call on a new context runs as usual
    with lb.waterbed(**wb) as r:
        out = tmp_path / "after-cancel"
        r.write(out)
        assert (out / "waterbed.csv").exists()


@pending("lb_change_run", "wt-api")
def test_write_refuses_a_foreign_directory(lb, score_dir, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("not leefbaar's")
    with lb.change(scores=score_dir, from_year=2020, to_year=2022) as r:
        with pytest.raises(lb.Error) as e:
            r.write(out, overwrite=True)
        assert str(out) in str(e.value) and "mine.txt" in str(e.value)
        assert os.listdir(out) == ["mine.txt"]
        # a bad write option: the library's message, nothing created
        with pytest.raises(lb.ArgError, match="BOGUS"):
            r.write(tmp_path / "bad", co=["BOGUS=1"])
        assert not (tmp_path / "bad").exists()
        with pytest.raises(lb.ArgError, match="unknown option '--outputs' of change"):
            r.write(tmp_path / "bad", outputs="csv")
        # writing twice: the second needs overwrite, which replaces the first run's files
        r.write(tmp_path / "twice")
        with pytest.raises(lb.Error):
            r.write(tmp_path / "twice")
        r.write(tmp_path / "twice", overwrite=True, csv_sep=";")
        assert ";" in (tmp_path / "twice" / "change.csv").read_text().split("\n")[0]
        r.rasters["change_2020_2022"]  # a raster handle, not read yet
    with pytest.raises(ValueError, match="closed"):
        r.rasters["change_2020_2022"].read_band(0)
    with pytest.raises(ValueError, match="closed"):
        r.write(tmp_path / "closed")
