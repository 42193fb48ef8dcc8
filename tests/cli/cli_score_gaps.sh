# SPDX-License-Identifier: MIT
# Raster indicators that have no valid pixel at exactly the same scored cells share one warning
# naming each of them (id, model line, input, file, band) with the common count; indicators
# whose gaps differ, even by one cell at the same count, keep a warning each. run.json lists
# the warnings as printed.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
# The tiny model plus a second noise indicator that reads its own input.
sed 's/layer: noise, coef: -0.01}/&\n  - {id: noise2, dimension: pub, kind: raster_mean, layer: noise2, coef: -0.01}/' \
    "$T/tiny.yaml" >"$TMP/two.yaml"
grep -q 'id: noise2' "$TMP/two.yaml" || bad "could not add noise2 to the model"
# same.asc: the fixture's raster (nodata at the top-left pixel, under scored cell E1500N4509);
# moved.asc: nodata one pixel further south instead (E1500N4508), so one cell at each.
cp "$T/noise.asc" "$TMP/same.asc" && cp "$T/noise.prj" "$TMP/same.prj"
awk 'NR == 7 { sub(/^-9999 /, "40 ") } NR == 8 { sub(/^42 /, "-9999 ") } { print }' \
    "$T/noise.asc" >"$TMP/moved.asc" && cp "$T/noise.prj" "$TMP/moved.prj"
[[ $(grep -c -- '-9999 ' "$TMP/moved.asc") == 1 ]] && ! cmp -s "$T/noise.asc" "$TMP/moved.asc" \
    || bad "moved.asc is not a one-pixel move"
args=(score -q --model "$TMP/two.yaml" -i "buurten=$T/buurten.geojson"
    -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc" --year 2021)

"$LEEFBAAR" "${args[@]}" -i "noise2=$TMP/same.asc" -o "$TMP/same" 2>"$TMP/err1" \
    && ok "score with two rasters with the same gap" || bad "score (same gap): $(cat "$TMP/err1")"
[[ $(grep -c 'no valid pixel' "$TMP/err1") == 1 ]] \
    && ok "identical gaps: one warning" || bad "identical gaps: $(cat "$TMP/err1")"
grep -q "2 indicators have no valid pixel at the same 1 of 75 scored cell(s) (E1500N4509): 'noise' (model line [0-9]*) of input 'noise' ('[^']*noise.asc' band 1), 'noise2' (model line [0-9]*) of input 'noise2' ('$TMP/same.asc' band 1): nodata or outside the raster; .*imputed" "$TMP/err1" \
    && ok "the shared warning names both indicators, inputs and files" \
    || bad "shared warning: $(cat "$TMP/err1")"
python3 - "$TMP/same/run.json" <<'PY' && ok "run.json keeps the shared warning" || bad "run.json"
import json, sys
w = [x for x in json.load(open(sys.argv[1]))["warnings"] if "no valid pixel" in x]
sys.exit(not (len(w) == 1 and "'noise'" in w[0] and "'noise2'" in w[0] and "1 of 75" in w[0]))
PY

"$LEEFBAAR" "${args[@]}" -i "noise2=$TMP/moved.asc" -o "$TMP/moved" 2>"$TMP/err2" \
    && ok "score with two rasters with different gaps" || bad "score (moved gap): $(cat "$TMP/err2")"
[[ $(grep -c 'no valid pixel' "$TMP/err2") == 2 ]] \
    && grep -q "indicator 'noise' (model line [0-9]*): 1 of 75 scored cell(s) have no valid pixel of input 'noise' .*(E1500N4509);" "$TMP/err2" \
    && grep -q "indicator 'noise2' (model line [0-9]*): 1 of 75 scored cell(s) have no valid pixel of input 'noise2' .*(E1500N4508);" "$TMP/err2" \
    && ok "different gaps of the same size: a warning each" || bad "different gaps: $(cat "$TMP/err2")"
finish
