# SPDX-License-Identifier: MIT
# The map outputs from the outside: COGs pass GDAL's own COG validator (when python3-gdal is
# installed), QGIS styles are where QGIS looks for them, -of/-co reach the rasters and bad ones
# fail cleanly, the demo writes PNG previews.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
inputs=(-i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc")

# GDAL's validate_cloud_optimized_geotiff.py from Debian's python3-gdal, if some python has it
validator=()
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 &&
        "$py" -c 'import osgeo_utils.samples.validate_cloud_optimized_geotiff' 2>/dev/null; then
        validator=("$py" -m osgeo_utils.samples.validate_cloud_optimized_geotiff --full-check=yes)
        break
    fi
done
[[ ${#validator[@]} -gt 0 ]] || echo "# GDAL's COG validator is not installed (python3-gdal): skipping those checks"
validate() { # validate NAME FILE
    [[ ${#validator[@]} -gt 0 ]] || return 0
    if "${validator[@]}" "$2" >"$TMP/val" 2>&1; then ok "$1: GDAL's COG validator"; else
        bad "$1: GDAL's COG validator: $(cat "$TMP/val")"; fi
}

# A 3.5 m grid (286 × 286 cells): large enough for overviews.
fine=(score --model "$LB_TEST_DATA/maps/fine.yaml" "${inputs[@]}" --year 2021 --units grid -q)
if "$LEEFBAAR" "${fine[@]}" --preview -o "$TMP/fine" 2>"$TMP/err"; then
    ok "fine grid scores"
    for f in scores_2021.tif class_2021.tif; do
        validate "fine $f" "$TMP/fine/$f"
        gdalinfo "$TMP/fine/$f" | grep -q "Overviews: 143x143" && ok "fine $f has overviews" ||
            bad "fine $f: no overviews"
    done
    gdalinfo "$TMP/fine/scores_2021.tif" | grep -q "PREDICTOR=3" && ok "scores: predictor 3" ||
        bad "scores: predictor"
    gdalinfo "$TMP/fine/class_2021.tif" | grep -q "PREDICTOR=2" && ok "classes: predictor 2" ||
        bad "classes: predictor"
    [[ -s "$TMP/fine/class_2021.png" ]] && ok "--preview writes class_2021.png" || bad "no preview"
else
    bad "fine grid scores: $(cat "$TMP/err")"
fi

# The default run: sidecars beside each output, styles inside the GeoPackage.
"$LEEFBAAR" score --model "$T/tiny.yaml" "${inputs[@]}" --year 2021 -q -o "$TMP/a" 2>"$TMP/err" ||
    bad "score: $(cat "$TMP/err")"
for f in scores_2021.qml class_2021.qml buurten.qml class_2021.tif.aux.xml; do
    [[ -s "$TMP/a/$f" ]] && ok "wrote $f" || bad "missing $f"
done
[[ -e "$TMP/a/class_2021.png" ]] && bad "a preview without --preview" || ok "no preview by default"
grep -q 'type="singlebandpseudocolor"' "$TMP/a/scores_2021.qml" && ok "scores style: pseudocolour" ||
    bad "scores style"
[[ $(grep -c '<paletteEntry ' "$TMP/a/class_2021.qml") -eq 9 ]] && ok "class style: 9 entries" ||
    bad "class style entries"
[[ $(grep -c '<category ' "$TMP/a/buurten.qml") -eq 9 ]] && ok "buurten style: 9 categories" ||
    bad "buurten style"
styles=$(ogrinfo -q "$TMP/a/scores.gpkg" -sql \
    "SELECT f_table_name, useAsDefault FROM layer_styles ORDER BY f_table_name" 2>&1)
grep -q "f_table_name (String) = buurten" <<<"$styles" && grep -q "f_table_name (String) = grid" <<<"$styles" &&
    [[ $(grep -c "useAsDefault (Integer(Boolean)) = 1" <<<"$styles") -eq 2 ]] &&
    ok "layer_styles: a default style per layer" || bad "layer_styles: $styles"
validate "tiny scores" "$TMP/a/scores_2021.tif"
validate "tiny classes" "$TMP/a/class_2021.tif"
grep -q '"class_2021.tif.aux.xml"' "$TMP/a/run.json" && ok "run.json lists the sidecars" ||
    bad "run.json outputs"

# -of and -co reach the rasters (-of/--of, -co/--co both spelt both ways)
"$LEEFBAAR" score --model "$T/tiny.yaml" "${inputs[@]}" -q -of GTiff --co COMPRESS=LZW -o "$TMP/g" \
    2>"$TMP/err" || bad "-of GTiff: $(cat "$TMP/err")"
info=$(gdalinfo "$TMP/g/scores.tif" 2>&1)
grep -q "COMPRESSION=LZW" <<<"$info" && ok "-co COMPRESS=LZW" || bad "-co: $info"
grep -q "LAYOUT=COG" <<<"$info" && bad "-of GTiff wrote a COG" || ok "-of GTiff"
grep -q "Block=256x256" <<<"$info" && ok "GTiff is tiled" || bad "GTiff tiling"
grep -q '"raster_format": *"GTiff"' "$TMP/g/run.json" && ok "run.json records -of" || bad "run.json -of"

expect_fail "bad -co value" "COMPRESS=NOPE" \
    "$LEEFBAAR" score --model "$T/tiny.yaml" "${inputs[@]}" -q -co COMPRESS=NOPE -o "$TMP/x1"
[[ -e "$TMP/x1" ]] && bad "bad -co left $TMP/x1" || ok "bad -co leaves no output"
expect_fail "unknown -co" "FROBNICATE" \
    "$LEEFBAAR" score --model "$T/tiny.yaml" "${inputs[@]}" -q --co FROBNICATE=1 -o "$TMP/x2"
expect_fail "bad -of" "'HFA' is not supported" \
    "$LEEFBAAR" score --model "$T/tiny.yaml" "${inputs[@]}" -q -of HFA -o "$TMP/x3"
"$LEEFBAAR" score --model "$T/tiny.yaml" "${inputs[@]}" -co COMPRESS -o "$TMP/x4" 2>"$TMP/err"
[[ $? -eq 2 ]] && grep -q "NAME=VALUE" "$TMP/err" && ok "-co without = is a usage error" ||
    bad "-co without =: $(cat "$TMP/err")"
"$LEEFBAAR" model check "$LB_SOURCE_ROOT/models/default.yaml" -of COG >/dev/null 2>"$TMP/err"
[[ $? -eq 2 ]] && ok "model check refuses -of" || bad "model check -of: $(cat "$TMP/err")"

for sub in score demo; do
    help=$("$LEEFBAAR" "$sub" --help)
    grep -q -- "-of FORMAT" <<<"$help" && grep -q -- "-co NAME=VALUE" <<<"$help" &&
        grep -q -- "--config KEY VALUE" <<<"$help" && ok "$sub --help lists -of, -co, --config" ||
        bad "$sub --help"
done

# The demo: previews of both years, valid COGs, styles
if "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/err"; then
    for y in 2020 2022; do
        d=$TMP/demo/score
        png=$(gdalinfo "$d/class_$y.png" 2>&1)
        grep -q "Driver: PNG" <<<"$png" && grep -q "Color Table" <<<"$png" &&
            ok "$y: class_$y.png is a paletted PNG" || bad "$y: preview: $png"
        size=$(sed -n 's/^Size is \([0-9]*\), \([0-9]*\)/\1 \2/p' <<<"$png")
        read -r pw ph <<<"$size"
        [[ ${pw:-0} -ge 800 && ${pw:-0} -le 1400 && ${ph:-0} -ge 300 ]] &&
            ok "$y: preview is ${pw}x${ph}" || bad "$y: preview size '$size'"
        validate "demo $y scores" "$d/scores_$y.tif"
        validate "demo $y classes" "$d/class_$y.tif"
        for f in scores_$y.qml class_$y.qml buurten.qml; do
            [[ -s "$d/$f" ]] && ok "$y: $f" || bad "$y: missing $f"
        done
    done
else
    bad "demo: $(cat "$TMP/err")"
fi
finish
