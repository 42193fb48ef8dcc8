# SPDX-License-Identifier: MIT
# leefbaar score guards of issue 18: many indicators, bad coefficients, duplicate or NULL unit
# ids, bad polygons in grid mode. Every fixture is written here, from the tiny city.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
inputs=(-i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc")

# A model with N attribute indicators on the tiny buurten (coef $2).
many_model() {
    local n=$1 coef=$2
    printf 'name: many\nreference: {mode: per_year, ref: 4.10}\n'
    printf 'weight: {kind: inhabitants, layer: buurten, field: AANT_INW}\n'
    printf 'dimensions:\n  - {code: won}\n  - {code: vrz}\nindicators:\n'
    for ((k = 0; k < n; k++)); do
        printf '  - {id: k%d, dimension: %s, kind: attribute, layer: buurten, field: %s, coef: %s}\n' \
            "$k" "$([[ $((k % 2)) -eq 0 ]] && echo won || echo vrz)" \
            "$([[ $((k % 2)) -eq 0 ]] && echo P_KOOPWON || echo WOZ)" "$coef"
    done
}

# --- 150 indicators run end to end (they failed: "a table has at most 256 columns") --------
many_model 150 0.001 >"$TMP/m150.yaml"
"$LEEFBAAR" model check "$TMP/m150.yaml" >"$TMP/out" 2>&1 && ok "model check: 150 indicators" \
    || bad "model check 150: $(cat "$TMP/out")"
"$LEEFBAAR" score --model "$TMP/m150.yaml" "${inputs[@]}" -q --outputs gpkg,csv -o "$TMP/m150" \
    2>"$TMP/err" && ok "score with 150 indicators" || bad "score with 150 indicators: $(cat "$TMP/err")"
head -1 "$TMP/m150/buurten.csv" | tr ',' '\n' | grep -c '^[xc]_k' >"$TMP/n" 2>/dev/null
[[ "$(cat "$TMP/n")" == 300 ]] && ok "CSV has x_ and c_ for 150 indicators" \
    || bad "CSV has $(cat "$TMP/n") x_/c_ columns"
ogrinfo -so "$TMP/m150/scores.gpkg" buurten 2>/dev/null | grep -q '^c_k149: Real' \
    && ok "GeoPackage layer has c_k149" || bad "GeoPackage lacks c_k149"
# A model beyond what a GeoPackage layer holds is refused by model check, with the bound.
many_model 1000 0.001 >"$TMP/m1000.yaml"
expect_fail "model check refuses 1000 indicators up front" "use at most 987 indicators" \
    "$LEEFBAAR" model check "$TMP/m1000.yaml"

# --- coefficients ---------------------------------------------------------------------------
many_model 2 1e308 >"$TMP/huge.yaml"
expect_fail "coef 1e308 is refused" "'coef' in indicator 'k0' is 1e308" \
    "$LEEFBAAR" score --model "$TMP/huge.yaml" "${inputs[@]}" -q -o "$TMP/huge"
[[ ! -e "$TMP/huge" ]] && ok "coef 1e308 leaves no output" || bad "coef 1e308 left output"

# --- bad polygons in grid mode (issue 18 #5) --------------------------------------------------
# One good square (1000 inhabitants), a NULL geometry (2000), a bow-tie (1000), a hole outside
# its shell (1000) and a figure-8 (3500). All polygons lie in the grid, so the cells must hold
# 1000 + 1000 + 1000 + 3500 = 6500 exactly, and the 2000 without geometry must be named.
bad_polygons() {
    local dup_id=${1:-BU05}
    feat() { printf '{"type":"Feature","properties":{"BU_CODE":%s,"AANT_INW":%s,"P_KOOPWON":%s,"WOZ":%s},"geometry":%s}' "$@"; }
    printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[\n'
    feat '"BU01"' 1000 60 250 '{"type":"Polygon","coordinates":[[[150000,450000],[150500,450000],[150500,450500],[150000,450500],[150000,450000]]]}'; echo ,
    feat '"BU02"' 2000 40 200 'null'; echo ,
    feat '"BU03"' 1000 50 300 '{"type":"Polygon","coordinates":[[[150500,450000],[151000,450500],[151000,450000],[150500,450500],[150500,450000]]]}'; echo ,
    feat '"BU04"' 1000 70 350 '{"type":"Polygon","coordinates":[[[150000,450500],[150500,450500],[150500,451000],[150000,451000],[150000,450500]],[[150600,450600],[150600,450700],[150700,450700],[150700,450600],[150600,450600]]]}'; echo ,
    feat "\"$dup_id\"" 3500 30 150 '{"type":"Polygon","coordinates":[[[151000,450500],[151200,450500],[151200,450700],[151400,450700],[151400,450900],[151200,450900],[151200,450700],[151000,450700],[151000,450500]]]}'
    printf '\n]}\n'
}
bad_polygons >"$TMP/bad.geojson"
{ many_model 2 0.001; printf 'grid: {min_weight: 0}\n'; } >"$TMP/bad.yaml"
"$LEEFBAAR" score --model "$TMP/bad.yaml" -i "buurten=$TMP/bad.geojson" -q --outputs gpkg,grid -o "$TMP/bad" \
    2>"$TMP/err" && ok "score with bad polygons runs" || bad "score with bad polygons: $(cat "$TMP/err")"
grep -q "feature(s) without a geometry (NULL or empty) skipped.*feature 1)" "$TMP/err" \
    && ok "the NULL geometry is named" || bad "no warning naming the NULL geometry: $(cat "$TMP/err")"
grep -q "1 feature(s) without a geometry hold 2000 of 'AANT_INW'.*features 1 (2000)" "$TMP/err" \
    && ok "its 2000 inhabitants are counted as lost" || bad "lost weight not named: $(cat "$TMP/err")"
grep -q "3 invalid polygon(s) repaired with GEOSMakeValid (features 2, 3, 4)" "$TMP/err" \
    && ok "bow-tie, outside hole and figure-8 repaired and named" || bad "repair warning: $(cat "$TMP/err")"
grep -q "the grid cells hold" "$TMP/err" && bad "weight total check fails: $(cat "$TMP/err")" \
    || ok "no weight total difference after the repair"
# Independent check of the totals: sum the written weights with OGR SQL.
sum_of() { ogrinfo -ro -q -sql "SELECT SUM(weight) AS s FROM $2" "$1" 2>/dev/null | sed -n 's/.*s (Real) = //p'; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-9 * b) }'; }
g=$(sum_of "$TMP/bad/scores.gpkg" grid)
near "$g" 6500 && ok "grid weights total 6500 (got $g)" || bad "grid weights total $g, want 6500"
# A unit's weight is the coverage-weighted sum of its cells' weights, so only units whose
# edges follow the cells keep exactly what they hold (the bow-tie's diagonals do not).
for code in BU01 BU04 BU05; do
    w=$(ogrinfo -ro -q -sql "SELECT weight FROM buurten WHERE BU_CODE = '$code'" "$TMP/bad/scores.gpkg" 2>/dev/null | sed -n 's/.*weight (Real) = //p')
    want=$([[ $code == BU05 ]] && echo 3500 || echo 1000)
    near "$w" "$want" && ok "$code keeps its $want inhabitants (got $w)" || bad "$code weight $w, want $want"
done
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["years"][0]["counts"])' "$TMP/bad/run.json" >"$TMP/counts" 2>&1
grep -q "'weight_grid': 6500.0.*'weight_without_geometry': 2000" "$TMP/counts" && ok "run.json counts the lost weight" \
    || bad "run.json counts: $(cat "$TMP/counts")"

# --- duplicate and NULL unit ids are refused by score (change/diagnose/waterbed refuse them) ---
bad_polygons BU01 | sed 's/"BU04"/null/' >"$TMP/dup.geojson"
for mode in grid area; do
    expect_fail "$mode mode refuses a duplicated and a NULL unit id" \
        "id field 'BU_CODE' must identify every unit: 1 without an id (feature 3); 1 duplicated id(s): 'BU01' (features 0 and 4)" \
        "$LEEFBAAR" score --model "$TMP/bad.yaml" -i "buurten=$TMP/dup.geojson" --mode $mode -q -o "$TMP/dup_$mode"
    [[ ! -e "$TMP/dup_$mode" ]] && ok "$mode: no output" || bad "$mode: output left"
done

# --- a buurt without inhabitants is not scored from its neighbour's slivers -----------------
# BU06 (0 inhabitants) reaches 1 m into BU01's cells (40 inhabitants each): it catches 5 cells
# x 40 x 1% = 2 inhabitants, above min_weight 1, all from BU01.
{
    printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[\n'
    printf '{"type":"Feature","properties":{"BU_CODE":"BU01","AANT_INW":1000,"P_KOOPWON":60,"WOZ":250},"geometry":{"type":"Polygon","coordinates":[[[150000,450000],[150500,450000],[150500,450500],[150000,450500],[150000,450000]]]}},\n'
    printf '{"type":"Feature","properties":{"BU_CODE":"BU07","AANT_INW":500,"P_KOOPWON":20,"WOZ":150},"geometry":{"type":"Polygon","coordinates":[[[150000,450500],[150500,450500],[150500,451000],[150000,451000],[150000,450500]]]}},\n'
    printf '{"type":"Feature","properties":{"BU_CODE":"BU06","AANT_INW":0,"P_KOOPWON":50,"WOZ":300},"geometry":{"type":"Polygon","coordinates":[[[150499,450000],[151000,450000],[151000,450500],[150499,450500],[150499,450000]]]}}\n'
    printf ']}\n'
} >"$TMP/sliver.geojson"
many_model 2 0.001 >"$TMP/sliver.yaml"
"$LEEFBAAR" score --model "$TMP/sliver.yaml" -i "buurten=$TMP/sliver.geojson" -q --outputs csv -o "$TMP/sliver" \
    2>"$TMP/err" && ok "score with a zero-inhabitant buurt runs" || bad "sliver run: $(cat "$TMP/err")"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i } $1 == "BU06" { print $col["lbm"] "|" $col["weight"] }' \
    "$TMP/sliver/buurten.csv" >"$TMP/bu06"
[[ "$(cut -d'|' -f1 "$TMP/bu06")" == "" ]] && ok "BU06 (0 inhabitants) has no score" \
    || bad "BU06 scored from slivers: lbm|weight = $(cat "$TMP/bu06")"
grep -q "1 unit(s) of .* with AANT_INW 0 are not scored" "$TMP/err" && ok "and a warning says why" \
    || bad "no sliver warning: $(cat "$TMP/err")"
awk -F, '$1 == "BU01" && $3 != "" { found = 1 } END { exit !found }' "$TMP/sliver/buurten.csv" \
    && ok "BU01 keeps its score" || bad "BU01 lost its score"

finish
