# SPDX-License-Identifier: MIT
# leefbaar change: a two-year run and a published-style table through the command line;
# usage errors exit 2, data errors exit 1, and no output is left after a failure.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
sed 's/"P_KOOPWON": 60/"P_KOOPWON": 30/' "$T/buurten.geojson" >"$TMP/buurten_2021.geojson"
"$LEEFBAAR" score -q --model "$T/tiny.yaml" -i "amenities=$T/amenities.geojson" \
    -i "noise=$T/noise.asc" -i "buurten@2020=$T/buurten.geojson" \
    -i "buurten@2021=$TMP/buurten_2021.geojson" --years 2020,2021 -o "$TMP/run" 2>"$TMP/err" \
    || bad "score two years: $(cat "$TMP/err")"

if "$LEEFBAAR" change --scores "$TMP/run" -o "$TMP/ch" 2>"$TMP/err"; then ok "change runs"; else
    bad "change runs: $(cat "$TMP/err")"; fi
grep -q "100 - done" "$TMP/err" && ok "progress" || bad "no progress"
for f in change.gpkg change.geojson change.csv run.json change_2020_2021.tif \
    change_class_2020_2021.tif change_class_won_2020_2021.tif change_class_won_2020_2021.qml \
    change_class_pub_2020_2021.tif change_class_vrz_2020_2021.tif; do
    [[ -s "$TMP/ch/$f" ]] && ok "wrote $f" || bad "missing $f"
done
[[ $(tail -n +2 "$TMP/ch/change.csv" | wc -l) -eq 4 ]] && ok "4 buurten" || bad "rows"
grep -q '^BU00010001,.*,both,' "$TMP/ch/change.csv" && ok "codes as text, status" || bad "csv row"
gdalinfo "$TMP/ch/change_class_2020_2021.tif" | grep -q "geen verandering" \
    && ok "class COG has category names" || bad "class COG categories"
# a dimension's development raster holds the class of its Δ band on the development cuts
gdal_translate -q -of XYZ -b 2 "$TMP/ch/change_2020_2021.tif" "$TMP/d_won.xyz" 2>/dev/null
gdal_translate -q -of XYZ "$TMP/ch/change_class_won_2020_2021.tif" "$TMP/k_won.xyz" 2>/dev/null
python3 - "$TMP/d_won.xyz" "$TMP/k_won.xyz" <<'PY' >"$TMP/cmp" 2>&1 &&
import math, sys
cuts = [-0.20, -0.1333, -0.0666, 0.0666, 0.1333, 0.20]
d = [line.split() for line in open(sys.argv[1])]
k = [line.split() for line in open(sys.argv[2])]
assert len(d) == len(k) and d, "grids differ"
n = 0
for (x, y, v), (x2, y2, c) in zip(d, k):
    assert (x, y) == (x2, y2)
    v = float(v)
    if math.isnan(v):
        assert int(float(c)) == 0, (x, y, c)
        continue
    assert int(float(c)) == 1 + sum(v >= t for t in cuts), (x, y, v, c)
    n += 1
assert n > 0
PY
    ok "change_class_won: the class of d_won per cell" || bad "change_class_won: $(cat "$TMP/cmp")"
# change.gpkg's named styles: the development of lbm (default) and of each dimension, the class
# of lbm in either year, each on its own field
styles=$(ogrinfo -q "$TMP/ch/change.gpkg" -sql "SELECT styleName || ':' || useAsDefault || ':' ||
    (instr(styleQML, 'attr=\"' || CASE WHEN styleName LIKE 'd\\_%' ESCAPE '\\'
     THEN 'dk_' || substr(styleName, 3) WHEN styleName = 'lbm_2020' THEN 'kscore_from'
     ELSE 'kscore_to' END || '\"') > 0) AS s FROM layer_styles WHERE f_table_name = 'change'
     ORDER BY styleName" 2>&1 | sed -n 's/^ *s (String) = //p' | tr '\n' ' ')
[[ "$styles" == "d_lbm:1:1 d_pub:0:1 d_vrz:0:1 d_won:0:1 lbm_2020:0:1 lbm_2021:0:1 " ]] \
    && ok "change.gpkg: a style per development and year, d_lbm the default" \
    || bad "change.gpkg styles: $styles"

printf 'PC4;jaar;lbm;afw\n1000;2018;4,0;0\n1000;2022;4,1;0,1\n' >"$TMP/pub.csv"
"$LEEFBAAR" change -q --scores "$TMP/pub.csv" --csv-sep ';' --dev-classes 9 -o "$TMP/pub" \
    2>"$TMP/err" && ok "published table" || bad "published table: $(cat "$TMP/err")"
grep -q '^"1000";2018;2022;both;4;4.1;0.1;6;licht vooruit;' "$TMP/pub/change.csv" \
    && ok "CSV with ';', code as text, 9-class label" \
    || bad "CSV: $(sed -n 2p "$TMP/pub/change.csv")"

expect_fail "--from without --to" "--to is required" "$LEEFBAAR" change --from "$TMP/run" -o "$TMP/x"
expect_fail "--dev-classes 8" "--dev-classes wants 7 or 9" \
    "$LEEFBAAR" change --scores "$TMP/run" --dev-classes 8 -o "$TMP/x"
expect_fail "unknown year" "has no year 2019" \
    "$LEEFBAAR" change --scores "$TMP/run" --from-year 2019 --to-year 2021 -o "$TMP/x"
[[ ! -e "$TMP/x" ]] && ok "no output after failures" || bad "output left"
"$LEEFBAAR" change --scores "$TMP/run" --dev-classes 8 -o "$TMP/x" 2>/dev/null
[[ $? -eq 2 ]] && ok "usage error exits 2" || bad "usage exit status"
finish
