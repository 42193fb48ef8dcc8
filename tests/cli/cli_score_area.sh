# SPDX-License-Identifier: MIT
# leefbaar score --mode area: the KWB-like fixture scored per buurt without a grid, a table
# joined on a code, and the errors of area mode.
source "$(dirname "$0")/lib.sh"
K=$LB_TEST_DATA/kwb/kwb_buurten.geojson
M=$LB_SOURCE_ROOT/models/kwb-area-2016-2021.yaml

"$LEEFBAAR" score -q --mode area --units buurten --model "$M" -i "buurten=$K" --year 2022 \
    -o "$TMP/a" 2>"$TMP/err" && ok "area mode runs" || bad "area mode runs: $(cat "$TMP/err")"
for f in scores.gpkg buurten.geojson buurten.csv run.json; do
    [[ -s "$TMP/a/$f" ]] && ok "wrote $f" || bad "missing $f"
done
ls "$TMP/a" | grep -q '\.tif$' && bad "area mode wrote rasters" || ok "no rasters"
grep -q '"mode": *"area"' "$TMP/a/run.json" && ok "run.json records the mode" || bad "mode in run.json"
grep -q '"grid"' "$TMP/a/run.json" && bad "run.json has a grid" || ok "run.json without grid"
grep -Eq '^BU99990001,Centrum-Noord,WK999900,GM9999,"?2022"?,4.048043,' "$TMP/a/buurten.csv" \
    && ok "Centrum-Noord lbm 4.048043 (hand-computed)" \
    || bad "Centrum-Noord row: $(grep BU99990001 "$TMP/a/buurten.csv")"

# The KWB fields from a table without geometry, joined to the polygons on BU_CODE.
ogr2ogr -f CSV "$TMP/kwb.csv" "$K" -lco SEPARATOR=SEMICOLON >/dev/null 2>&1
"$LEEFBAAR" score -q --mode area --units polygons --model "$M" -i "buurten=$TMP/kwb.csv" \
    -i "polygons=$K" --join buurten=BU_CODE --year 2022 -o "$TMP/b" 2>"$TMP/err" \
    && ok "joined table runs" || bad "joined table runs: $(cat "$TMP/err")"
cut -d, -f1,6-9 "$TMP/a/buurten.csv" >"$TMP/a.cut"
cut -d, -f1,6-9 "$TMP/b/polygons.csv" >"$TMP/b.cut"
cmp -s "$TMP/a.cut" "$TMP/b.cut" && ok "joined table gives the same scores" \
    || bad "joined scores differ: $(diff "$TMP/a.cut" "$TMP/b.cut")"

expect_fail "area mode with rasters asked" "leave grid and tif out of --outputs" \
    "$LEEFBAAR" score -q --mode area --units buurten --model "$M" -i "buurten=$K" --outputs csv,tif \
    -o "$TMP/c"
"$LEEFBAAR" score -q --mode area --units buurten --model "$M" -i "buurten=$K" --year 2022 \
    --outputs csv -o "$TMP/d" 2>"$TMP/err" && [[ "$(ls "$TMP/d" | tr '\n' ' ')" == "buurten.csv run.json " ]] \
    && cmp -s "$TMP/d/buurten.csv" "$TMP/a/buurten.csv" && ok "area mode --outputs csv" \
    || bad "area mode --outputs csv: $(ls "$TMP/d" | tr '\n' ' ') $(cat "$TMP/err")"
expect_fail "join outside area mode" "area mode only" \
    "$LEEFBAAR" score -q --model "$M" -i "buurten=$K" --join buurten=BU_CODE -o "$TMP/c"
expect_fail "area mode on the grid" "area mode scores polygons" \
    "$LEEFBAAR" score -q --mode area --units grid --model "$M" -i "buurten=$K" -o "$TMP/c"
expect_fail "bad --mode" "--mode wants grid or area" \
    "$LEEFBAAR" score -q --mode cells --model "$M" -i "buurten=$K" -o "$TMP/c"
expect_fail "bad --join" "--join wants NAME=KEY" \
    "$LEEFBAAR" score -q --mode area --model "$M" -i "buurten=$K" --join buurten -o "$TMP/c"
expect_fail "table without join" "table without geometry" \
    "$LEEFBAAR" score -q --mode area --units polygons --model "$M" -i "buurten=$TMP/kwb.csv" \
    -i "polygons=$K" -o "$TMP/c"
[[ -e "$TMP/c" ]] && bad "a failed run left $TMP/c" || ok "failed runs leave nothing"
finish
