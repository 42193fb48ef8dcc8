#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real data (skipped, exit 77, without ../shared/data or pandas): `leefbaar scan` on the
# published Leefbaarometer 3.0 PC4 scores around Utrecht (2002-2022, PC4 3400-3599) with the
# PC4 polygons, every PC4 area a wijk. The ranking, the three criteria, the verdict counts and
# the trend are recomputed with pandas from the raw CSV alone, following the rules of the README
# ("The preventiebudget check", "leefbaar scan") and the class and development tables of
# DESIGN.md, not the C code. Run twice: all 85 areas against all of them, and the gemeente
# '35*' (the PC4 areas of Utrecht and surroundings) against those areas only. The GeoPackage
# holds one polygon per wijk, every link of index.html resolves, and a warning repeated for
# every wijk is reported once with its count.
source "$(dirname "$0")/lib.sh"
ROOT=${LB_SOURCE_ROOT:?}
DATA=${LB_SHARED_DATA:-$ROOT/../shared/data}
CSV=$DATA/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv
GEO=$DATA/utrecht-pc4-lbm3/pc4_utrecht.geojson
for f in "$CSV" "$GEO"; do
    if [[ ! -r $f ]]; then
        echo "SKIP: $f is absent (real data lives in ../shared/data, never in the repo)"
        exit 77
    fi
done
PY=/usr/bin/python3
"$PY" -c 'import pandas' 2>/dev/null || { echo "SKIP: /usr/bin/python3 has no pandas"; exit 77; }

# Kanaleneiland (aandachtswijk) is PC4 3526 and 3527 (README, "leefbaar diagnose").
FOCUS=3526,3527
run_scan() { # OUT [extra options]
    local out=$1
    shift
    "$LEEFBAAR" scan --scores "$CSV" --geometry "$GEO" --focus $FOCUS -o "$out" "$@" \
        2>"$out.err"
}
if run_scan "$TMP/all"; then ok "scan of all 85 PC4 areas runs"; else
    bad "scan of all: $(cat "$TMP/all.err")"
fi
if run_scan "$TMP/g35" --gemeente '35*'; then ok "scan of gemeente '35*' runs"; else
    bad "scan of 35*: $(cat "$TMP/g35.err")"
fi

# The independent computation. Published PC4 scores carry no weights and no gemeente codes:
# means are plain means over the units with a value; the gemeente is every unit (first run)
# or the units whose id matches the --gemeente pattern (second run); the sd of a dimension is
# the population sd over all units of the input in the last year.
check() { # OUTDIR GEMEENTE_PATTERN_OR_EMPTY
    "$PY" - "$CSV" "$1" "$2" "$FOCUS" <<'PY'
import math, os, sys
import numpy as np
import pandas as pd

csv, out, gem_pat, focus = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
raw = pd.read_csv(csv, dtype={"PC4": str}, na_values=["NA"])
dims = ["fys", "onv", "soc", "vrz", "won"]
last_year = raw["jaar"].max()
years = sorted(raw["jaar"].unique())
wide = {y: raw[raw["jaar"] == y].set_index("PC4") for y in years}
units = sorted(raw["PC4"].unique())
L = wide[last_year]

# DESIGN.md: class thresholds on lbm; development cut-points ±0.0666, ±0.1333, ±0.20.
thresholds = [3.46, 3.557, 3.6955, 3.8971, 3.9972, 4.1924, 4.3044, 4.3926]
cuts = [-0.20, -0.1333, -0.0666, 0.0666, 0.1333, 0.20]
def klass(v, cut):
    return 0 if pd.isna(v) else 1 + sum(v >= c for c in cut)

if gem_pat:
    pre = gem_pat.rstrip("*")
    wijken = [u for u in units if u.startswith(pre)]
    gem_units = wijken
else:
    wijken, gem_units = units, units
sd = {d: float(np.sqrt(((L[d] - L[d].mean()) ** 2).mean())) for d in dims}  # population sd
gmean = {d: L.loc[gem_units, d].mean() for d in dims}
order = {"sterke aanwijzing": 0, "mogelijke aanwijzing": 1, "geen oordeel mogelijk": 2,
         "geen aanwijzing": 3}
pts = {"voldaan": 2, "deels voldaan": 1}
expect = []
for w in wijken:
    if w in focus and len([f for f in focus if f != w]) == 0:
        continue  # the only focus area cannot be compared with itself
    lbm = L.loc[w, "lbm"]
    below = sum(1 for d in dims if L.loc[w, d] - gmean[d] < 0
                and L.loc[w, d] - gmean[d] <= -0.5 * sd[d])
    problems = "voldaan" if below >= 2 else "deels voldaan" if below == 1 else "niet voldaan"
    others = [f for f in focus if f != w]
    level = L.loc[others, "lbm"].mean()
    near = lbm - level <= 0.20
    # The most recent period of consecutive years with a score at both ends: 2020-2022.
    d_last = lbm - wide[years[-2]].loc[w, "lbm"]
    declining = klass(d_last, cuts) < 4  # below "geen verandering" (class 4 of 7)
    risk = ("voldaan" if near and declining else
            "deels voldaan" if near or declining else "niet voldaan")
    size = "onbekend"  # published scores carry no inhabitants
    if problems == "voldaan" or risk == "voldaan" or (
            problems == "deels voldaan" and risk == "deels voldaan"):
        verdict = "mogelijke aanwijzing"  # never "sterke": (3) is unknown
    else:
        verdict = "geen aanwijzing"
    # Trend: OLS of lbm on the year over all years with a score.
    t = np.array([y for y in years if not pd.isna(wide[y].loc[w, "lbm"])], float)
    v = np.array([wide[y].loc[w, "lbm"] for y in t.astype(int)], float)
    b, a = np.polyfit(t, v, 1)
    se = math.sqrt(((v - a - b * t) ** 2).sum() / (len(t) - 2) / ((t - t.mean()) ** 2).sum())
    ytl = 0.0 if lbm <= level else (level - lbm) / b if b < 0 else None
    expect.append(dict(code=w, lbm=lbm, klass=klass(lbm, thresholds), problems=problems,
                       risk=risk, size=size, verdict=verdict, below=below, gap=lbm - level,
                       slope=b, se=se, level=level, ytl=ytl,
                       key=(order[verdict], -(pts.get(problems, 0) + pts.get(risk, 0)), lbm, w)))
expect.sort(key=lambda e: e["key"])

got = pd.read_csv(os.path.join(out, "scan.csv"), dtype={"code": str}, keep_default_na=False)
fails = []
if list(got["code"]) != [e["code"] for e in expect]:
    fails.append("ranking differs:\n got  %s\n want %s" % (list(got["code"]),
                                                            [e["code"] for e in expect]))
want_counts = pd.Series([e["verdict"] for e in expect]).value_counts().to_dict()
got_counts = got["verdict"].value_counts().to_dict()
if got_counts != want_counts:
    fails.append("verdict counts %s, want %s" % (got_counts, want_counts))
for e in expect:
    r = got[got["code"] == e["code"]]
    if len(r) != 1:
        continue
    r = r.iloc[0]
    for col, key in (("problems", "problems"), ("risk", "risk"), ("size", "size"),
                     ("verdict", "verdict")):
        if r[col] != e[key]:
            fails.append("%s %s: %s, want %s" % (e["code"], col, r[col], e[key]))
    for col, key in (("class", "klass"), ("dims_below", "below")):
        if int(r[col]) != e[key]:
            fails.append("%s %s: %s, want %s" % (e["code"], col, r[col], e[key]))
    for col, key, tol in (("lbm", "lbm", 6e-5), ("gap_focus", "gap", 6e-5),
                          ("trend_per_year", "slope", 6e-5), ("trend_se", "se", 6e-5),
                          ("focus_level", "level", 6e-5)):
        if abs(float(r[col]) - e[key]) > tol:
            fails.append("%s %s: %s, want %.6f" % (e["code"], col, r[col], e[key]))
    y = r["years_to_focus_level_extrapolated"]
    if (e["ytl"] is None) != (y == "") or (
            e["ytl"] is not None and abs(float(y) - e["ytl"]) > 0.06):
        fails.append("%s years to level: %r, want %r" % (e["code"], y, e["ytl"]))
    if gem_pat and r["gemeente"] != gem_pat:
        fails.append("%s compared with gemeente %r, want %r" % (e["code"], r["gemeente"],
                                                                 gem_pat))
if list(got["rank"]) != list(range(1, len(got) + 1)):
    fails.append("ranks are not 1..n")
if fails:
    print("\n".join(fails[:20]))
    sys.exit(1)
print("%d wijken, verdicts %s" % (len(got), want_counts))
PY
}
for run in "all:" "g35:35*"; do
    dir=${run%%:*} pat=${run#*:}
    if check "$TMP/$dir" "$pat" >"$TMP/$dir.py" 2>&1; then
        ok "$dir: ranking, criteria, verdict counts and trend = pandas ($(tail -1 "$TMP/$dir.py"))"
    else
        bad "$dir: $(cat "$TMP/$dir.py")"
    fi
done

# One polygon per wijk in the GeoPackage; every link of index.html resolves.
for dir in all g35; do
    n=$(($(wc -l <"$TMP/$dir/scan.csv") - 1))
    g=$("$PY" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
        'select count(*) from scan where geom is not null').fetchone()[0])" "$TMP/$dir/scan.gpkg")
    [[ $g -eq $n ]] && ok "$dir: scan.gpkg has $g polygons, one per wijk" \
        || bad "$dir: scan.gpkg has $g polygons for $n wijken"
    links=$(grep -o 'href="[^"]*"' "$TMP/$dir/index.html" | sed 's/href="//; s/"$//')
    nl=0 miss=0
    for l in $links; do
        nl=$((nl + 1))
        [[ -s "$TMP/$dir/$l" ]] || miss=$((miss + 1))
    done
    [[ $nl -eq $n && $miss -eq 0 ]] && ok "$dir: index.html links $nl diagnoses, all present" \
        || bad "$dir: index.html $nl links for $n wijken, $miss missing"
done

# A warning every wijk would repeat (no gemeente codes in published PC4 scores) comes once,
# with the number of wijken and the first few codes; run.json keeps that one line too.
nw=$(grep -c 'no gemeente codes' "$TMP/all.err")
[[ $nw -eq 1 ]] && grep -q '85 wijken' "$TMP/all.err" \
    && ok "the repeated warning is reported once, with its count" \
    || bad "repeated warning: $nw times: $(grep 'no gemeente codes' "$TMP/all.err" | head -2)"
nj=$(grep -c 'no gemeente codes' "$TMP/all/run.json")
[[ $nj -eq 1 ]] && ok "run.json: the warning once" || bad "run.json: the warning $nj times"
finish
