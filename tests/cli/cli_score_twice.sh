# SPDX-License-Identifier: MIT
# One input bound to several files (-i NAME=A -i NAME=B) is read as one layer: the tiny city split
# in two files, one of them in WGS84, scores as the single file does.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
base=(score --model "$T/tiny.yaml" -i "noise=$T/noise.asc" --year 2021 -q)

# The halves: buurten 1 and 3 stay in RD, 2 and 4 go to WGS84 (full precision); amenities are
# split by category (the supermarket filter finds none in one file).
ogr2ogr -f GeoJSON "$TMP/bu_a.geojson" "$T/buurten.geojson" -where "BU_CODE IN ('BU00010001','BU00010003')"
ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco COORDINATE_PRECISION=15 "$TMP/bu_b.geojson" "$T/buurten.geojson" \
    -where "BU_CODE IN ('BU00010002','BU00010004')"
ogr2ogr -f GeoJSON "$TMP/am_a.geojson" "$T/amenities.geojson" -where "CATEGORY = 'school'"
ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco COORDINATE_PRECISION=15 "$TMP/am_b.geojson" "$T/amenities.geojson" \
    -where "CATEGORY <> 'school'"
grep -q '4326\|CRS84' "$TMP/bu_b.geojson" && [[ -s "$TMP/am_a.geojson" && -s "$TMP/am_b.geojson" ]] \
    && ok "fixture halves written" || bad "fixture halves"

# Same numbers (by unit code, to 1e-9: the WGS84 round trip moves vertices by nanometres).
same_scores() {
    python3 - "$1" "$2" 2>&1 <<'PY'
import csv, sys
def rows(p):
    return {r["BU_CODE"]: r for r in csv.DictReader(open(p))}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
if sorted(a) != sorted(b):
    sys.exit(f"units differ: {sorted(a)} vs {sorted(b)}")
for k in a:
    for c in ("lbm", "afw", "won", "vrz", "pub", "kscore"):
        x, y = a[k][c], b[k][c]
        if (x == "") != (y == "") or (x and abs(float(x) - float(y)) > 1e-9):
            sys.exit(f"{k} {c}: {x} vs {y}")
n = sum(1 for k in a for c in ("lbm",) if a[k][c])
if n < 2:
    sys.exit(f"only {n} scored units")
PY
}
"$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" -o "$TMP/one" 2>"$TMP/e1" \
    && ok "single files score" || bad "single files: $(cat "$TMP/e1")"
"$LEEFBAAR" "${base[@]}" -i "buurten=$TMP/bu_a.geojson" -i "buurten=$TMP/bu_b.geojson" \
    -i "amenities=$TMP/am_b.geojson" -i "amenities=$TMP/am_a.geojson" -o "$TMP/two" 2>"$TMP/e2" \
    && ok "split files score" || bad "split files: $(cat "$TMP/e2")"
msg=$(same_scores "$TMP/one/buurten.csv" "$TMP/two/buurten.csv") \
    && ok "split files give the single file's scores" || bad "scores differ: $msg"
python3 -c 'import json, sys
ins = json.load(open(sys.argv[1]))["inputs"]
p = sorted(i["path"].rsplit("/", 1)[-1] for i in ins if i["name"] in ("buurten", "amenities"))
assert p == ["am_a.geojson", "am_b.geojson", "bu_a.geojson", "bu_b.geojson"], p
assert all(i.get("bytes", 0) > 0 and len(i.get("sha256", "")) == 64 for i in ins), ins' "$TMP/two/run.json" \
    && ok "run.json lists every file with size and hash" || bad "run.json inputs: $(grep -A40 '"inputs"' "$TMP/two/run.json" | head -40)"

# Without --year (one unnamed year) as well.
"$LEEFBAAR" score --model "$T/tiny.yaml" -i "noise=$T/noise.asc" -q -i "buurten=$TMP/bu_a.geojson" \
    -i "buurten=$TMP/bu_b.geojson" -i "amenities=$TMP/am_a.geojson" -i "amenities=$TMP/am_b.geojson" \
    -o "$TMP/noyear" 2>"$TMP/e4" && msg=$(same_scores "$TMP/one/buurten.csv" "$TMP/noyear/buurten.csv") \
    && ok "split files without --year" || bad "split files without --year: $msg $(cat "$TMP/e4")"
# NAME@YEAR twice for the same year, and --where on every file of the name.
"$LEEFBAAR" "${base[@]}" -i "buurten@2021=$TMP/bu_a.geojson" -i "buurten@2021=$TMP/bu_b.geojson" \
    -i "amenities=$TMP/am_a.geojson" -i "amenities=$TMP/am_b.geojson" -o "$TMP/yr" 2>"$TMP/e3" \
    && msg=$(same_scores "$TMP/one/buurten.csv" "$TMP/yr/buurten.csv") \
    && ok "NAME@YEAR twice scores as the single file" || bad "NAME@YEAR twice: $msg $(cat "$TMP/e3")"
"$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" \
    --where "buurten=BU_CODE <> 'BU00010004'" -o "$TMP/w1" 2>/dev/null \
    && "$LEEFBAAR" "${base[@]}" -i "buurten=$TMP/bu_a.geojson" -i "buurten=$TMP/bu_b.geojson" \
        -i "amenities=$TMP/am_a.geojson" -i "amenities=$TMP/am_b.geojson" \
        --where "buurten=BU_CODE <> 'BU00010004'" -o "$TMP/w2" 2>/dev/null \
    && ! grep -q BU00010004 "$TMP/w2/buurten.csv" && msg=$(same_scores "$TMP/w1/buurten.csv" "$TMP/w2/buurten.csv") \
    && ok "--where applies to every file of the name" || bad "--where on split files: $msg"

# Fields that differ: one error naming both files and the fields.
ogr2ogr -f GeoJSON "$TMP/bu_c.geojson" "$T/buurten.geojson" \
    -sql "SELECT BU_CODE, BU_NAAM, WK_CODE, GM_CODE, AANT_INW, P_KOOPWON, CAST(WOZ AS character(10)) AS WOZ, P_LINK_HH AS LINK FROM buurten WHERE BU_CODE = 'BU00010002'"
expect_fail "fields that differ are refused" "only in the first: P_LINK_HH; only in the second: LINK; other type: WOZ" \
    "$LEEFBAAR" "${base[@]}" -i "buurten=$TMP/bu_a.geojson" -i "buurten=$TMP/bu_c.geojson" \
    -i "amenities=$T/amenities.geojson" -o "$TMP/bad"
grep -qF "bu_a.geojson' and '$TMP/bu_c.geojson'" "$TMP/err" && ok "the error names both files" || bad "files not named: $(cat "$TMP/err")"
[[ ! -e "$TMP/bad" ]] && ok "no output after the error" || bad "output left after the error"
# The same units in both files: the duplicate-id check refuses them.
expect_fail "a unit in both files is refused" "BU00010001" \
    "$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten.geojson" -i "buurten=$TMP/bu_a.geojson" \
    -i "amenities=$T/amenities.geojson" -o "$TMP/dup"
# The same file twice is a mistake, not a union.
expect_fail "the same file bound twice is refused" "is bound twice to" \
    "$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten.geojson" -i "buurten=$T/buurten.geojson" \
    -i "amenities=$T/amenities.geojson" -o "$TMP/same"
# A raster bound to two files: mosaic them first.
cp "$T/noise.asc" "$TMP/noise2.asc" && cp "$T/noise.prj" "$TMP/noise2.prj"
expect_fail "a raster bound twice is refused" "gdalbuildvrt" \
    "$LEEFBAAR" score --model "$T/tiny.yaml" -i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" \
    -i "noise=$T/noise.asc" -i "noise=$TMP/noise2.asc" --year 2021 -o "$TMP/ras"
finish
