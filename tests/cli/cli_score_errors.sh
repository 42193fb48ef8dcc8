# SPDX-License-Identifier: MIT
# leefbaar score refuses bad input with a clear message, exit 1 (2 for bad usage), no output.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
base=(score -q --model "$T/tiny.yaml" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc")

expect_fail "missing file" "nosuch.gpkg" "$LEEFBAAR" "${base[@]}" -i buurten=/nonexistent/nosuch.gpkg -o "$TMP/o1"
expect_fail "missing layer" "no layer 'wijk'" "$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten.geojson:wijk" -o "$TMP/o2"
expect_fail "missing field" "no field 'P_KOOPWONINGEN'" "$LEEFBAAR" score -q --model "$T/badfield.yaml" -i "buurten=$T/buurten.geojson" -o "$TMP/o3"
expect_fail "malformed yaml" "malformed.yaml:" "$LEEFBAAR" score -q --model "$T/malformed.yaml" -i "buurten=$T/buurten.geojson" -o "$TMP/o4"
expect_fail "unknown kind" "unknown indicator kind 'nearest'" "$LEEFBAAR" score -q --model "$T/badkind.yaml" -i "buurten=$T/buurten.geojson" -o "$TMP/o5"
expect_fail "crs-less RD GeoJSON" "--s-srs EPSG:28992" "$LEEFBAAR" "${base[@]}" -i "buurten=$T/buurten_nocrs.geojson" -o "$TMP/o6"
expect_fail "empty layer" "has no features" "$LEEFBAAR" score -q --model "$T/tiny.yaml" -i "buurten=$T/buurten.geojson" -i "amenities=$T/empty.geojson" -i "noise=$T/noise.asc" -o "$TMP/o7"
expect_fail "unbound input" "--input noise=" "$LEEFBAAR" score -q --model "$T/tiny.yaml" -i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" -o "$TMP/o8"
expect_fail "no model" "--model is required" "$LEEFBAAR" score -o "$TMP/o9"
expect_fail "bad option" "unknown option '--frob'" "$LEEFBAAR" score --frob

for i in 1 2 3 4 5 6 7 8 9; do
    if [[ -e "$TMP/o$i" ]]; then bad "output o$i left behind"; else ok "no output o$i"; fi
done
"$LEEFBAAR" score --model "$T/tiny.yaml" >/dev/null 2>&1
[[ $? -eq 2 ]] && ok "usage error exits 2" || bad "usage error exit code"
finish
