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

finish
