# SPDX-License-Identifier: MIT
# leefbaar score output options: Dutch CSV, RD GeoJSON, progress on stderr, -q, run.json.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
args=(score --model "$T/tiny.yaml" -i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc" --year 2021)

"$LEEFBAAR" "${args[@]}" -o "$TMP/a" 2>"$TMP/err" && ok "score runs" || bad "score runs: $(cat "$TMP/err")"
grep -q "0\.\.\.10\.\.\.20" "$TMP/err" && ok "GDAL-style progress" || bad "no progress on stderr"
grep -q "100 - done" "$TMP/err" && ok "progress completes" || bad "progress does not complete"
for f in scores.gpkg scores_2021.tif class_2021.tif buurten.geojson buurten.csv run.json; do
    [[ -s "$TMP/a/$f" ]] && ok "wrote $f" || bad "missing $f"
done
ls -A "$TMP/a" | grep -q '^\.leefbaar-tmp' && bad "temporary dir left" || ok "no temporary dir left"
head -1 "$TMP/a/buurten.csv" | grep -q '^BU_CODE,BU_NAAM,WK_CODE,GM_CODE,year,lbm,afw,won,vrz,pub,kscore' \
    && ok "CSV header" || bad "CSV header: $(head -1 "$TMP/a/buurten.csv")"
python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["peak_rss_mb"]; sys.exit(not (0 < p["read"] <= p["write"]))' \
    "$TMP/a/run.json" && ok "run.json records the peak memory per stage" || bad "run.json peak_rss_mb"
grep -q '"command": *"score --model .*-i buurten=' "$TMP/a/run.json" \
    && ok "run.json records the full command" || bad "run.json command"

"$LEEFBAAR" "${args[@]}" -q --csv-sep ';' --geojson-crs rd -o "$TMP/b" 2>"$TMP/err2"
# -q silences progress, not warnings: the fixture's noise raster is nodata under one scored cell.
grep -v ': warning: ' "$TMP/err2" | grep -q . && bad "-q printed: $(cat "$TMP/err2")" || ok "-q prints no progress"
[[ $(grep -c 'no valid pixel' "$TMP/err2") == 1 ]] \
    && grep -q "indicator 'noise' (model line [0-9]*): 1 of 75 scored cell(s) have no valid pixel of input 'noise' .*(E1500N4509); .*imputed" "$TMP/err2" \
    && ok "one warning for the cell without a valid noise pixel" || bad "no-pixel warning: $(cat "$TMP/err2")"
grep -q 'no valid pixel' "$TMP/b/run.json" && ok "run.json lists the no-pixel warning" || bad "run.json lacks the no-pixel warning"
head -1 "$TMP/b/buurten.csv" | grep -q '^BU_CODE;BU_NAAM;' && ok "CSV with ;" || bad "CSV separator"
grep -q 'EPSG::28992' "$TMP/b/buurten.geojson" && ok "RD GeoJSON has crs member" || bad "RD GeoJSON crs"
grep -q '"crs"' "$TMP/a/buurten.geojson" && bad "RFC 7946 GeoJSON has a crs member" || ok "RFC 7946 without crs"

# The same numbers on one thread and on two.
"$LEEFBAAR" "${args[@]}" -q --threads 1 -o "$TMP/t1" && "$LEEFBAAR" "${args[@]}" -q --threads 2 -o "$TMP/t2" \
    && cmp -s "$TMP/t1/buurten.csv" "$TMP/t2/buurten.csv" && cmp -s "$TMP/t1/buurten.csv" "$TMP/a/buurten.csv" \
    && ok "--threads 1 and 2 give the same CSV" || bad "--threads changes the numbers"
# The files are written concurrently on the run's threads: every one the same on 1 and 2
# threads, and run.json lists them (and their write timings) in the same order.
same=1
for f in $(cd "$TMP/t1" && ls -A); do
    [[ $f == run.json ]] && continue
    cmp -s "$TMP/t1/$f" "$TMP/t2/$f" || { same=0; echo "# differs: $f"; }
done
[[ $(ls -A "$TMP/t1" | wc -l) -ge 10 && $(ls -A "$TMP/t1") == $(ls -A "$TMP/t2") ]] || same=0
py_order='import json, sys; d = json.load(open(sys.argv[1])); print(d["outputs"], list(d["write_timings_s"]), d["warnings"])'
python3 -c "$py_order" "$TMP/t1/run.json" >"$TMP/order-t1"
python3 -c "$py_order" "$TMP/t2/run.json" >"$TMP/order-t2"
cmp -s "$TMP/order-t1" "$TMP/order-t2" || { same=0; diff "$TMP/order-t1" "$TMP/order-t2" | sed 's/^/# /'; }
[[ $same == 1 ]] && ok "--threads 1 and 2 write the same files, listed in the same order" \
    || bad "--threads 1 and 2 write different files"
expect_fail "--threads -1 is refused" "--threads needs a whole number" "$LEEFBAAR" "${args[@]}" --threads -1 -o "$TMP/t3"
expect_fail "--threads 100000 is refused, not a crash in the OpenMP runtime" "from 0 (all cores) to 256" \
    "$LEEFBAAR" "${args[@]}" --threads 100000 -o "$TMP/t4"
[[ ! -e "$TMP/t4" ]] && ok "--threads 100000 leaves no output" || bad "--threads 100000 left $TMP/t4"
# --outputs: only the chosen files (and run.json), the same numbers as the full run.
"$LEEFBAAR" "${args[@]}" -q --outputs csv,tif -o "$TMP/o1" 2>"$TMP/err" \
    && ok "--outputs csv,tif runs" || bad "--outputs csv,tif: $(cat "$TMP/err")"
[[ "$(ls "$TMP/o1" | grep -Ev '\.(qml|aux\.xml)$' | tr '\n' ' ')" == "buurten.csv class_2021.tif dim_pub_2021.tif dim_vrz_2021.tif dim_won_2021.tif run.json scores_2021.tif " ]] \
    && ok "--outputs csv,tif writes only those" || bad "--outputs csv,tif wrote: $(ls "$TMP/o1" | tr '\n' ' ')"
cmp -s "$TMP/o1/buurten.csv" "$TMP/a/buurten.csv" && ok "--outputs keeps the numbers" \
    || bad "--outputs csv changes the CSV"
grep -q '"scores.gpkg"' "$TMP/o1/run.json" && bad "run.json lists an unwritten scores.gpkg" \
    || ok "run.json lists only what was written"
"$LEEFBAAR" "${args[@]}" -q --outputs gpkg -o "$TMP/o2" 2>"$TMP/err" \
    && [[ "$(ls "$TMP/o2" | tr '\n' ' ')" == "run.json scores.gpkg " ]] \
    && ogrinfo -ro -q "$TMP/o2/scores.gpkg" 2>/dev/null | grep -q "buurten" \
    && ! ogrinfo -ro -q "$TMP/o2/scores.gpkg" 2>/dev/null | grep -q "grid" \
    && ok "--outputs gpkg: the units layer without the grid layer" \
    || bad "--outputs gpkg: $(ls "$TMP/o2" | tr '\n' ' ') $(cat "$TMP/err")"
# --units grid: csv is grid.csv, the cells without their squares, the numbers of the grid layer.
"$LEEFBAAR" "${args[@]}" -q --units grid --outputs csv,grid -o "$TMP/o4" 2>"$TMP/err" \
    && ogr2ogr -f CSV "$TMP/o4-layer.csv" "$TMP/o4/scores.gpkg" grid >/dev/null 2>&1 \
    && awk -F, 'NR == FNR { if (FNR > 1) v[$1] = $3; next }
                FNR > 1 { n++; d = $3 - v[$1]; if (!($1 in v) || d > 5e-7 || d < -5e-7) bad++ }
                END { exit !(n == 75 && bad == 0) }' "$TMP/o4-layer.csv" "$TMP/o4/grid.csv" \
    && ok "--units grid --outputs csv: grid.csv has the 75 cells of the grid layer" \
    || bad "grid.csv: $(head -3 "$TMP/o4/grid.csv") $(cat "$TMP/err")"
expect_fail "unknown output" "--outputs wants a comma-separated list" \
    "$LEEFBAAR" "${args[@]}" --outputs csv,shp -o "$TMP/o3"
expect_fail "empty output list" "--outputs wants" "$LEEFBAAR" "${args[@]}" --outputs , -o "$TMP/o3"
expect_fail "--preview without tif" "add tif to --outputs" \
    "$LEEFBAAR" "${args[@]}" --preview --outputs csv -o "$TMP/o3"
[[ ! -e "$TMP/o3" ]] && ok "nothing written on a refused --outputs" || bad "$TMP/o3 exists"
finish
