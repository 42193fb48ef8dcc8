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
# per layer (the long ones and the year's views): styles lbm (the default) and one per dimension
styles=$(ogrinfo -q "$TMP/a/scores.gpkg" -sql \
    "SELECT f_table_name || ':' || styleName || ':' || useAsDefault AS s FROM layer_styles
     ORDER BY f_table_name, styleName" 2>&1 | sed -n 's/^ *s (String) = //p' | tr '\n' ' ')
want=""
for l in buurten buurten_2021 grid grid_2021; do want+="$l:lbm:1 $l:pub:0 $l:vrz:0 $l:won:0 "; done
[[ "$styles" == "$want" ]] && ok "layer_styles: lbm (default) and a style per dimension, per layer" ||
    bad "layer_styles: $styles"
layers=$(ogrinfo -q "$TMP/a/scores.gpkg" 2>&1 | sed -n 's/^[0-9]*: \([a-z_0-9]*\).*/\1/p' | tr '\n' ' ')
[[ "$layers" == "grid grid_2021 buurten buurten_2021 layer_styles " ]] &&
    ok "scores.gpkg lists a layer per year" || bad "scores.gpkg layers: $layers"
# the dimension maps: a paletted class raster per dimension with a 9-class legend around 0
for code in won vrz pub; do
    f=$TMP/a/dim_${code}_2021.tif
    info=$(gdalinfo "$f" 2>&1)
    grep -q "Color Table" <<<"$info" && grep -q "gemiddeld (" <<<"$info" &&
        ok "dim_${code}_2021.tif: paletted, with category names" || bad "dim_${code}_2021.tif: $info"
    [[ $(grep -c '<paletteEntry ' "$TMP/a/dim_${code}_2021.qml") -eq 9 ]] &&
        grep -q 'label="gemiddeld (−0,02 tot 0,02)"' "$TMP/a/dim_${code}_2021.qml" &&
        ok "dim_${code}_2021.qml: 9 classes, the middle one around 0" || bad "dim_${code}_2021.qml"
done
# every dimension class raster agrees with the dimension's column of the grid layer
ogr2ogr -f CSV "$TMP/grid.csv" "$TMP/a/scores.gpkg" grid_2021 -select cell_id,won,k_won >/dev/null 2>&1
gdal_translate -q -of XYZ "$TMP/a/dim_won_2021.tif" "$TMP/dim.xyz" 2>/dev/null
python3 - "$TMP/grid.csv" "$TMP/dim.xyz" <<'PY' >"$TMP/cmp" 2>&1 && ok "dim_won_2021.tif = k_won of grid_2021" || bad "dim raster vs grid: $(cat "$TMP/cmp")"
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cls = {}
for line in open(sys.argv[2]):
    x, y, v = line.split()
    # cell ids E<x/100>N<y/100> of the lower-left corner (tiny.yaml: 100 m cells)
    cls[f"E{math.floor(float(x) / 100)}N{math.floor(float(y) / 100)}"] = int(float(v))
bands = [-0.20, -0.10, -0.05, -0.02, 0.02, 0.05, 0.10, 0.20]
for r in rows:
    k = 1 + sum(float(r["won"]) >= b for b in bands)
    assert int(r["k_won"]) == k, (r, k)
    assert cls[r["cell_id"]] == k, (r, cls.get(r["cell_id"]))
assert rows and sum(v > 0 for v in cls.values()) == len(rows), "scored cells differ"
PY
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
