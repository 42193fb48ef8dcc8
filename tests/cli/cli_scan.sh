# SPDX-License-Identifier: MIT
# leefbaar scan end to end: every wijk of the demo ranked, the ranking recomputed from the
# diagnoses' JSON, the index's links resolved, the styled GeoPackage; a hand-made published
# table of three years whose trends are checked against closed-form OLS; bad input refused.
source "$(dirname "$0")/lib.sh"
D=$LB_TEST_DATA/diagnose
S=$LB_SOURCE_ROOT/shapes
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi

# --- Our scores: the demo city, ten wijken, two years ---------------------------------------
if "$LEEFBAAR" scan -q --scores "$TMP/demo/score" --focus "$S/leefstad.gpkg:focus_wijken" \
    -o "$TMP/scan" 2>"$TMP/err"; then
    ok "scan of the demo runs"
else
    bad "scan of the demo: $(cat "$TMP/err")"
fi
[[ $(($(wc -l <"$TMP/scan/scan.csv") - 1)) -eq 10 ]] && ok "ten wijken ranked" \
    || bad "rows of scan.csv: $(wc -l <"$TMP/scan/scan.csv")"

# The ranking recomputed from each wijk's diagnosis JSON (verdict, criteria 1 and 2, lbm of
# the last year, code), independently of the C code.
python3 - "$TMP/scan" >"$TMP/rank.out" 2>&1 <<'PY'
import csv, json, sys, os
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "scan.csv"))))
order = {"sterke aanwijzing": 0, "mogelijke aanwijzing": 1, "geen oordeel mogelijk": 2,
         "geen aanwijzing": 3}
pts = {"voldaan": 2, "deels voldaan": 1}
keys = []
for r in rows:
    j = json.load(open(os.path.join(d, r["diagnosis"][:-5] + ".json")))
    c = j["check"]
    st = {e["criterion"]: e["status"] for e in c["criteria"]}
    lbm = j["years"][-1]["wijk"]["lbm"]
    assert r["verdict"] == c["verdict"], (r["code"], r["verdict"], c["verdict"])
    assert abs(float(r["lbm"]) - lbm) < 6e-5, (r["code"], r["lbm"], lbm)
    assert r["problems"] == st[1] and r["risk"] == st[2] and r["size"] == st[3], r["code"]
    keys.append((order[c["verdict"]], -(pts.get(st[1], 0) + pts.get(st[2], 0)), lbm,
                 j["wijk"]["code"]))
want = [k[3] for k in sorted(keys)]
got = [r["code"] for r in rows]
assert got == want, (got, want)
assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
print("ranking ok:", " ".join(got))
PY
[[ $? -eq 0 ]] && ok "ranking = recomputation from the diagnoses ($(tail -1 "$TMP/rank.out"))" \
    || bad "ranking: $(cat "$TMP/rank.out")"

# Every link of index.html resolves to a diagnosis that is there, one per wijk.
links=$(grep -o 'href="[^"]*"' "$TMP/scan/index.html" | sed 's/href="//; s/"$//')
n_links=0 missing=0
for l in $links; do
    n_links=$((n_links + 1))
    [[ -s "$TMP/scan/$l" ]] || missing=$((missing + 1))
done
[[ $n_links -eq 10 && $missing -eq 0 ]] && ok "index.html: 10 links, all resolve" \
    || bad "index.html: $n_links links, $missing missing"
grep -q 'sterke aanwijzing\|mogelijke aanwijzing\|geen aanwijzing' "$TMP/scan/index.html" \
    && ok "index.html names verdicts" || bad "index.html: no verdicts"
grep -q 'extrapolatie' "$TMP/scan/index.html" && bad "two years: no trend expected" \
    || ok "two years: no trend column"
[[ -z $(cut -d, -f17 "$TMP/scan/scan.csv" | tail -n +2 | sort -u) ]] \
    && ok "two years: trend empty" || bad "two years: trend filled"

# The GeoPackage: one polygon per wijk, styled on the verdict by default.
python3 - "$TMP/scan/scan.gpkg" >"$TMP/gpkg.out" 2>&1 <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("select count(*) from scan where geom is not null").fetchone()[0]
assert n == 10, n
s = c.execute("select styleName, useAsDefault, styleQML from layer_styles "
              "where f_table_name='scan'").fetchall()
assert len(s) == 1 and s[0][1] == 1 and "verdict_class" in s[0][2], s
PY
[[ $? -eq 0 ]] && ok "scan.gpkg: 10 polygons, default style on the verdict" \
    || bad "scan.gpkg: $(cat "$TMP/gpkg.out")"
grep -q '"scan.gpkg"' "$TMP/scan/run.json" && grep -q '"WK990100.json"' "$TMP/scan/run.json" \
    && ok "run.json lists the outputs" || bad "run.json outputs"

# The focus areas are read once per run, not once per wijk: a focus layer with a feature
# without geometry warns when it is read, and that warning is in run.json once, not grouped
# over the ten wijken. (A box around the focus wijk WK990106, by hand, in RD.)
cat >"$TMP/focus.geojson" <<'JSON'
{"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
 "features": [
  {"type": "Feature", "properties": {"WK_CODE": "F1", "WK_NAAM": "box"},
   "geometry": {"type": "Polygon", "coordinates": [[[151900, 461015], [153846, 461015],
     [153846, 463067], [151900, 463067], [151900, 461015]]]}},
  {"type": "Feature", "properties": {"WK_CODE": "F2", "WK_NAAM": "leeg"}, "geometry": null}]}
JSON
if "$LEEFBAAR" scan -q --scores "$TMP/demo/score" --focus "$TMP/focus.geojson" -o "$TMP/f1" \
    2>"$TMP/err"; then
    n=$(grep -c 'without a geometry' "$TMP/f1/run.json")
    [[ $n -eq 1 ]] && ! grep -q 'wijken (.*without a geometry' "$TMP/f1/run.json" \
        && ok "the focus layer is read once: its warning once in run.json" \
        || bad "focus read per wijk: $(grep 'without a geometry' "$TMP/f1/run.json" | head -2)"
else
    bad "scan with a focus layer: $(cat "$TMP/err")"
fi

# --gemeente restricts: a prefix of the demo's gemeente keeps all; a wijk code keeps one.
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" --gemeente 'WK990107' -o "$TMP/one" \
    && [[ $(wc -l <"$TMP/one/scan.csv") -eq 2 ]] && ok "--gemeente WK990107: one wijk" \
    || bad "--gemeente one wijk"
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" --gemeente 'GM99*' -o "$TMP/pre" \
    && [[ $(wc -l <"$TMP/pre/scan.csv") -eq 11 ]] && ok "--gemeente GM99*: all ten" \
    || bad "--gemeente prefix"

# --- Published scores, three years: the forward signal ------------------------------------
# Five PC4 areas; 3565 is the aandachtswijk. Values by hand: different slopes plus a wobble so
# the residuals (and the SE) are not zero.
cat >"$TMP/pub3.csv" <<'CSV'
PC4,jaar,lbm,afw,fys,onv,soc,vrz,won
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
CSV
if "$LEEFBAAR" scan -q --scores "$TMP/pub3.csv" --focus 3565 -o "$TMP/pub3" 2>"$TMP/err"; then
    ok "scan of a published three-year table"
else
    bad "published three years: $(cat "$TMP/err")"
fi
python3 - "$TMP/pub3.csv" "$TMP/pub3/scan.csv" >"$TMP/ols.out" 2>&1 <<'PY'
import csv, math, sys
data = {}
for r in csv.DictReader(open(sys.argv[1])):
    data.setdefault(r["PC4"], []).append((float(r["jaar"]), float(r["lbm"])))
level = dict(data["3565"])[2022.0]  # the one focus area's lbm in the last year
tq = 12.706204736174698  # Student t(0.975, 1): three years leave one degree of freedom
rows = {r["code"]: r for r in csv.DictReader(open(sys.argv[2]))}
# The focus area itself cannot be compared with the focus areas: diagnose refuses it, the scan
# leaves it out with a warning.
assert set(rows) == set(data) - {"3565"}, rows.keys()
for code, pts in data.items():
    if code == "3565":
        continue
    n = len(pts)
    tm = sum(t for t, _ in pts) / n
    ym = sum(y for _, y in pts) / n
    sxx = sum((t - tm) ** 2 for t, _ in pts)
    b = sum((t - tm) * (y - ym) for t, y in pts) / sxx
    rss = sum((y - ym - b * (t - tm)) ** 2 for t, y in pts)
    se = math.sqrt(rss / (n - 2) / sxx)
    r = rows[code]
    assert int(r["trend_years"]) == 3, r
    assert abs(float(r["trend_per_year"]) - b) < 6e-5, (code, r["trend_per_year"], b)
    assert abs(float(r["trend_se"]) - se) < 6e-5, (code, r["trend_se"], se)
    assert abs(float(r["trend_lo95"]) - (b - tq * se)) < 1e-4, (code, r["trend_lo95"])
    assert abs(float(r["trend_hi95"]) - (b + tq * se)) < 1e-4, (code, r["trend_hi95"])
    last = dict(pts)[2022.0]
    y = r["years_to_focus_level_extrapolated"]
    assert abs(float(r["focus_level"]) - level) < 6e-5, r
    if last <= level:
        assert float(y) == 0, (code, y)
    elif b < 0:
        want = (level - last) / b
        assert abs(float(y) - want) < 6e-5 * max(1, want), (code, y, want)
    else:
        assert y == "", (code, y)
print("ols ok")
PY
[[ $? -eq 0 ]] && ok "trend slope, SE, 95 % interval and years to the level = closed-form OLS" \
    || bad "trend: $(cat "$TMP/ols.out")"
grep -q 'wijk 3565 left out' "$TMP/pub3/run.json" && ok "the focus area left out, with a warning" \
    || bad "focus area: no warning in run.json"
grep -q 'extrapolatie' "$TMP/pub3/index.html" && ok "three years: extrapolation marked" \
    || bad "three years: no extrapolation note in index.html"
[[ ! -e "$TMP/pub3/scan.gpkg" ]] && ok "no polygons: no GeoPackage" || bad "gpkg without polygons"

# Published scores with polygons: the PC4 fixture.
"$LEEFBAAR" scan -q --scores "$D/pc4_scores.csv" --geometry "$D/pc4.geojson" --focus 3565 \
    -o "$TMP/pc4" 2>"$TMP/err" && [[ -s "$TMP/pc4/scan.gpkg" && -s "$TMP/pc4/3561.html" ]] \
    && ok "published with polygons: gpkg and diagnoses" || bad "published pc4: $(cat "$TMP/err")"

# --- Bad input: clear message, exit 1 (2 for usage), nothing left behind -------------------
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" --gemeente GM0000 -o "$TMP/bad1" 2>"$TMP/err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "no wijk of gemeente 'GM0000'" "$TMP/err" && [[ ! -e "$TMP/bad1" ]] \
    && ok "unknown gemeente refused" || bad "unknown gemeente: rc $rc, $(cat "$TMP/err")"
"$LEEFBAAR" scan -q -o "$TMP/bad2" 2>"$TMP/err"
rc=$?
[[ $rc -eq 2 ]] && grep -q -- "--scores" "$TMP/err" && [[ ! -e "$TMP/bad2" ]] \
    && ok "no --scores: usage error" || bad "no --scores: rc $rc, $(cat "$TMP/err")"
"$LEEFBAAR" scan -q --scores "$TMP/nonexistent.csv" -o "$TMP/bad3" 2>"$TMP/err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "nonexistent.csv" "$TMP/err" && [[ ! -e "$TMP/bad3" ]] \
    && ok "missing scores file refused" || bad "missing file: rc $rc, $(cat "$TMP/err")"
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" --clear-sd -1 -o "$TMP/bad4" 2>"$TMP/err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "clear-sd" "$TMP/err" && [[ ! -e "$TMP/bad4" ]] \
    && ok "negative --clear-sd refused" || bad "--clear-sd -1: rc $rc, $(cat "$TMP/err")"
# An existing scan is not replaced without --overwrite, and is with it.
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" -o "$TMP/scan" 2>"$TMP/err" \
    && bad "existing output replaced without --overwrite" || ok "existing output kept"
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" -o "$TMP/scan" --overwrite 2>"$TMP/err" \
    && ok "--overwrite replaces an earlier scan" || bad "--overwrite: $(cat "$TMP/err")"
finish
