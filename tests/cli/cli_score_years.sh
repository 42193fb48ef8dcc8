# SPDX-License-Identifier: MIT
# leefbaar score with several years: NAME@YEAR bindings, --year repeated or --years, one
# output directory with a row per unit and year and rasters per year.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
base=(score --model "$T/tiny.yaml" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc")
sed 's/"P_KOOPWON": 60/"P_KOOPWON": 30/' "$T/buurten.geojson" >"$TMP/buurten_2021.geojson"

if "$LEEFBAAR" "${base[@]}" -q -i "buurten@2020=$T/buurten.geojson" \
    -i "buurten@2021=$TMP/buurten_2021.geojson" --years 2020,2021 -o "$TMP/a" 2>"$TMP/err"; then
    ok "two years in one run"
else
    bad "two years in one run: $(cat "$TMP/err")"
fi
for f in scores_2020.tif class_2020.tif scores_2021.tif class_2021.tif buurten.csv run.json; do
    [[ -s "$TMP/a/$f" ]] && ok "wrote $f" || bad "missing $f"
done
[[ $(tail -n +2 "$TMP/a/buurten.csv" | wc -l) -eq 8 ]] && ok "8 buurt-year rows" \
    || bad "rows: $(wc -l <"$TMP/a/buurten.csv")"
[[ $(grep -c ',2021,' "$TMP/a/buurten.csv") -eq 4 ]] && ok "4 rows of 2021" || bad "2021 rows"
n=$(ogrinfo -ro -q -sql "SELECT COUNT(*) AS n FROM grid WHERE year = 2021" "$TMP/a/scores.gpkg" \
    | sed -n 's/.*n (Integer.*) = //p')
[[ "$n" == 75 ]] && ok "grid layer: 75 cells in 2021" || bad "grid cells 2021: $n"

"$LEEFBAAR" "${base[@]}" -q -i "buurten=$T/buurten.geojson" --year 2020 --year 2021 \
    -o "$TMP/b" 2>"$TMP/err" && ok "--year repeated" || bad "--year repeated: $(cat "$TMP/err")"
tr -d ' \n' <"$TMP/b/run.json" | grep -q '"years":\[2020,2021\]' && ok "run.json lists the years" \
    || bad "run.json years"

expect_fail "bad --years" "--years wants years like 2020,2022" \
    "$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten.geojson" --years 2020,,2021 -o "$TMP/c"
expect_fail "binding for a year not scored" "bound for 2019" \
    "$LEEFBAAR" "${base[@]}" -i "buurten@2019=$T/buurten.geojson" --year 2020 -o "$TMP/c"
[[ ! -e "$TMP/c" ]] && ok "no output after a failure" || bad "output left after a failure"
finish
