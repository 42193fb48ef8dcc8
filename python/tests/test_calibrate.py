# SPDX-License-Identifier: MIT
"""leefbaar.calibrate(): the fit as DataFrames, equal to an independent weighted least squares
on the transformed indicators, the files .write() makes, and the library's errors."""

import json
import math

import pytest

from conftest import has_function

pytestmark = [pytest.mark.filterwarnings("ignore::leefbaar.LeefbaarWarning"),
              pytest.mark.skipif(not has_function("lb_calibrate_run"),
                                 reason="lb_calibrate_run is not in this libleefbaar")]

MODEL = """# calibrate test model
name: cal-py
version: 1
reference: {mode: per_year, ref: 4.10}
weight: {kind: inhabitants, layer: buurten, field: AANT_INW}
dimensions:
  - {code: won, label: Woningvoorraad}
  - {code: vrz, label: Voorzieningen}
indicators:
  - {id: woz, dimension: won, kind: attribute, layer: buurten, field: WOZ,
     transform: {log1p: true, zscore: true}, coef: 0.04, sign: "+"}
  - {id: koop, dimension: won, kind: attribute, layer: buurten, field: P_KOOPWON,
     transform: zscore, coef: 0.025}
  - {id: superm, dimension: vrz, kind: attribute, layer: buurten, field: AF_SUPERM,
     transform: zscore, coef: -0.03, sign: "-"}
"""


@pytest.fixture
def fixture(tmp_path):
    """36 buurten in 6 gemeenten (GeoJSON in RD), a target per buurt, the model."""
    feats, rows, s = [], ["BU_CODE,cijfer,dim_won"], 777
    for i in range(36):
        r = []
        for _ in range(4):
            s = (s * 1103515245 + 12345) % 2147483648
            r.append(s / 2147483648)
        g, x0, y0 = i // 6 + 1, 100000 + (i % 6) * 500, 450000 + (i // 6) * 500
        p = {"BU_CODE": f"BU98{g:02d}{i:04d}", "AANT_INW": 300 + int(1500 * r[3]),
             "WOZ": 150 + 300 * r[0], "P_KOOPWON": 10 + 80 * r[1], "AF_SUPERM": 0.2 + 3 * r[2]}
        ring = [[x0, y0], [x0 + 500, y0], [x0 + 500, y0 + 500], [x0, y0 + 500], [x0, y0]]
        feats.append({"type": "Feature", "properties": p,
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
        y = 7 + 0.004 * p["WOZ"] + 0.01 * p["P_KOOPWON"] - 0.2 * p["AF_SUPERM"] \
            + 0.5 * (r[2] * r[1] - 0.25)
        rows.append(f"{p['BU_CODE']},{y:.4f},{0.001 * p['WOZ'] + 0.1 * r[0] * r[3]:.4f}")
    gj = {"type": "FeatureCollection", "name": "buurten",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
          "features": feats}
    (tmp_path / "buurten.geojson").write_text(json.dumps(gj))
    (tmp_path / "target.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "model.yaml").write_text(MODEL)
    return tmp_path


def wls(X, y, w):
    """Weighted least squares by Gauss-Jordan on the normal equations (intercept first)."""
    p = len(X[0]) + 1
    A = [[1.0] + list(row) for row in X]
    M = [[sum(w[i] * A[i][a] * A[i][b] for i in range(len(y))) for b in range(p)]
         + [sum(w[i] * A[i][a] * y[i] for i in range(len(y)))] for a in range(p)]
    for c in range(p):
        piv = max(range(c, p), key=lambda r: abs(M[r][c]))
        M[c], M[piv] = M[piv], M[c]
        for r in range(p):
            if r != c:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return [M[i][p] / M[i][i] for i in range(p)]


@pytest.mark.needs_data_stack
def test_calibrate_dataframes(lb, fixture, tmp_path):
    d = fixture
    with lb.calibrate(model=str(d / "model.yaml"), inputs={"buurten": str(d / "buurten.geojson")},
                      target=f"{d / 'target.csv'}:cijfer",
                      target_dims={"won": f"{d / 'target.csv'}:dim_won"}) as r:
        assert r.operation == "calibrate"
        assert set(r.tables) == {"coefficients", "fit", "predictions"}
        fit, co, pred = r.tables["fit"], r.tables["coefficients"], r.tables["predictions"]
        assert list(fit["target"]) == ["total", "won"]
        assert list(fit["n"]) == [36, 36] and list(fit["n_clusters"]) == [6, 6]
        assert "python: leefbaar.calibrate(model=" in json.dumps(r.provenance)
        # an independent WLS on the f_ columns gives the same coefficients
        for target, ids in (("total", ["woz", "koop", "superm"]), ("won", ["woz", "koop"])):
            p = pred[pred["target"] == target]
            beta = wls(p[[f"f_{i}" for i in ids]].values.tolist(), p["observed"].tolist(),
                       p["weight"].tolist())
            c = co[co["target"] == target].set_index("indicator")
            got = [c.loc["(intercept)", "coef"]] + [c.loc[i, "coef"] for i in ids]
            assert got == pytest.approx(beta, rel=1e-9, abs=1e-12)
            assert (p["fitted"] + p["residual"] - p["observed"]).abs().max() < 1e-9
            r2 = fit.set_index("target").loc[target, "r2"]
            assert 0 < r2 <= 1 and fit.set_index("target").loc[target, "cv_r2"] < r2
        # the won indicators come from the won fit, superm from the total
        used = co[co["used"] == 1].set_index("indicator")
        assert dict(used["target"]) == {"woz": "won", "koop": "won", "superm": "total"}
        out = tmp_path / "out" / "fitted.yaml"
        r.write(out)
        text = out.read_text()
        assert "calibration:" in text
        doc = json.loads((tmp_path / "out" / "fitted.calibrate.json").read_text())
        assert doc["fitted_coefficients"]["superm"]["from"] == "total"
        for i in ("woz", "koop", "superm"):
            assert math.isclose(doc["fitted_coefficients"][i]["coef"],
                                used.loc[i, "coef"], rel_tol=1e-12)
        assert (tmp_path / "out" / "fitted.predictions.csv").exists()
        # the fitted model scores as it is
        with lb.score(model=str(out), inputs={"buurten": str(d / "buurten.geojson")},
                      mode="area") as s:
            assert s.provenance["model"]["calibration"]["n"] == 36


def test_calibrate_errors(lb, fixture):
    d = fixture
    with pytest.raises(lb.ArgError, match="--target or --target-dim is required"):
        lb.calibrate(model=str(d / "model.yaml"), inputs={"buurten": str(d / "buurten.geojson")})
    with pytest.raises(lb.DataError, match="none of its 36 codes"):
        lb.calibrate(model=str(d / "model.yaml"), inputs={"buurten": str(d / "buurten.geojson")},
                     target=f"{d / 'target.csv'}:cijfer", target_id="dim_won")
    with pytest.raises(lb.ArgError, match="unknown option .--targt. of calibrate"):
        lb.calibrate(model=str(d / "model.yaml"), targt="x.csv:y")
