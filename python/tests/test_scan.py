# SPDX-License-Identifier: MIT
"""leefbaar.scan(): the ranking as a DataFrame, checked against the per-wijk diagnoses the same
library makes one at a time (leefbaar.diagnose) and against closed-form least squares for the
trend; the files .write() makes; the library's errors."""

import json
import math

import pytest

from conftest import has_function

pytestmark = [pytest.mark.filterwarnings("ignore::leefbaar.LeefbaarWarning"),
              pytest.mark.skipif(not has_function("lb_scan_run"),
                                 reason="lb_scan_run is not in this libleefbaar")]

# Five PC4 areas over three years, by hand; 3565 is the aandachtswijk. Different slopes with a
# wobble so that the residuals (and the standard errors) are not zero.
PUB = """PC4,jaar,lbm,afw,fys,onv,soc,vrz,won
3561,2016,4.20,0.10,0.02,0.03,0.01,0.02,0.02
3561,2019,4.12,0.02,0.00,0.01,0.00,0.00,0.01
3561,2022,4.07,-0.03,-0.01,-0.01,0.00,-0.01,0.00
3562,2016,4.05,-0.05,-0.01,-0.02,-0.01,0.00,-0.01
3562,2019,4.07,-0.03,-0.01,-0.01,0.00,0.00,-0.01
3562,2022,4.10,0.00,0.00,0.00,0.00,0.00,0.00
3563,2016,4.15,0.05,0.01,0.01,0.01,0.01,0.01
3563,2019,4.06,-0.04,-0.02,-0.01,0.00,0.00,-0.01
3563,2022,4.00,-0.10,-0.04,-0.03,-0.01,-0.01,-0.01
3564,2016,4.00,-0.10,-0.03,-0.03,-0.02,-0.01,-0.01
3564,2019,4.01,-0.09,-0.03,-0.02,-0.02,-0.01,-0.01
3564,2022,3.99,-0.11,-0.03,-0.03,-0.02,-0.02,-0.01
3565,2016,3.90,-0.20,-0.05,-0.06,-0.04,-0.02,-0.03
3565,2019,3.88,-0.22,-0.06,-0.06,-0.04,-0.03,-0.03
3565,2022,3.86,-0.24,-0.06,-0.07,-0.05,-0.03,-0.03
"""


@pytest.fixture
def pub(tmp_path):
    p = tmp_path / "pub.csv"
    p.write_text(PUB)
    return str(p)


def ols(pts):
    n = len(pts)
    tm = sum(t for t, _ in pts) / n
    ym = sum(y for _, y in pts) / n
    sxx = sum((t - tm) ** 2 for t, _ in pts)
    b = sum((t - tm) * (y - ym) for t, y in pts) / sxx
    rss = sum((y - ym - b * (t - tm)) ** 2 for t, y in pts)
    return b, math.sqrt(rss / (n - 2) / sxx)


@pytest.mark.needs_data_stack
def test_scan_dataframe(lb, pub, tmp_path):
    with lb.scan(scores=pub, focus="3565") as r:
        assert r.operation == "scan"
        t = r.tables["scan"]
        # the focus area is left out (it cannot be its own yardstick), with a warning
        assert sorted(t["code"]) == ["3561", "3562", "3563", "3564"]
        assert any("3565" in w and "left out" in w for w in r.warnings)
        assert list(t["rank"]) == [1, 2, 3, 4]
        assert "python: leefbaar.scan(scores=" in json.dumps(r.provenance)
        rows = {}
        for line in PUB.splitlines()[1:]:
            f = line.split(",")
            rows.setdefault(f[0], []).append((float(f[1]), float(f[2])))
        order = {"sterke aanwijzing": 0, "mogelijke aanwijzing": 1, "geen oordeel mogelijk": 2,
                 "geen aanwijzing": 3}
        pts = {"voldaan": 2, "deels voldaan": 1}
        keys = []
        for _, row in t.iterrows():
            # each row is the diagnosis `diagnose` makes of that wijk alone
            dx = lb.diagnose(scores=pub, wijk=row["code"], focus="3565")
            check = dx.provenance["check"]
            assert row["verdict"] == check["verdict"], row["code"]
            status = {c["criterion"]: c["status"] for c in check["criteria"]}
            assert (row["problems"], row["risk"], row["size"]) == (status[1], status[2],
                                                                   status[3])
            # the trend: closed-form OLS on the raw table
            b, se = ols(rows[row["code"]])
            assert row["trend_per_year"] == pytest.approx(b, abs=6e-5)
            assert row["trend_se"] == pytest.approx(se, abs=6e-5)
            assert row["focus_level"] == pytest.approx(3.86, abs=1e-9)
            keys.append((order[row["verdict"]],
                         -(pts.get(row["problems"], 0) + pts.get(row["risk"], 0)),
                         row["lbm"], row["code"]))
        assert keys == sorted(keys)
        r.write(tmp_path / "out")
    for f in ("scan.csv", "index.html", "run.json", "3561.html", "3564.json"):
        assert (tmp_path / "out" / f).exists(), f


@pytest.mark.needs_data_stack
def test_scan_geodataframe(lb, source_root):
    import geopandas

    d = f"{source_root}/tests/data/diagnose"
    with lb.scan(scores=f"{d}/pc4_scores.csv", geometry=f"{d}/pc4.geojson", focus="3565") as r:
        t = r.tables["scan"]
        assert isinstance(t, geopandas.GeoDataFrame)
        assert t.geometry.notna().all() and len(t) == t["code"].nunique()


def test_scan_errors(lb, pub):
    with pytest.raises(lb.ArgError, match="no-such-key"):
        lb.scan(scores=pub, no_such_key=1)
    with pytest.raises(lb.DataError, match="no wijk of gemeente '99\\*'"):
        lb.scan(scores=pub, gemeente="99*")
