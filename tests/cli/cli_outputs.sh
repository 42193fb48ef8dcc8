# SPDX-License-Identifier: MIT
# Output directories (issues 11 and 18): a non-empty -o is refused without --overwrite, which
# replaces only a previous run's outputs and never a file leefbaar did not write nor an input;
# failed or interrupted runs (SIGINT, SIGTERM) leave the old state and no debris; reruns write
# byte-identical GeoPackages; a VRT declaring 2^30 x 2^31 pixels is read over the study area
# only; a truncated GeoTIFF and a directory without run.json are named as such.
source "$(dirname "$0")/lib.sh"
R=$LB_SOURCE_ROOT
S=$R/shapes
score() { # score OUTDIR [extra options...]: the demo city's 2020, grid mode
    local out=$1
    shift
    "$LEEFBAAR" score -q --model "$R/models/default.yaml" \
        -i buurten="$S/leefstad_2020.gpkg:buurten" -i amenities="$S/leefstad_2020.gpkg:amenities" \
        -i incidents="$S/leefstad_2020.gpkg:incidents" -i roads="$S/leefstad.gpkg:roads" \
        -i green="$R/rasters/green_share.tif" -o "$out" "$@"
}
debris() { find "$1" -name '.leefbaar-*' 2>/dev/null | head -1; }
sums() { (cd "$1" && find . -type f | sort | xargs sha256sum); }

# A fresh nested directory, then the same again.
A=$TMP/runs/a/b
if score "$A" -i noise="$R/rasters/noise_lden.tif" 2>"$TMP/err"; then ok "score into a new a/b"; else
    bad "score: $(cat "$TMP/err")"
fi
before=$(sums "$A")
expect_fail "non-empty -o refused without --overwrite" "pass --overwrite" \
    score "$A" -i noise="$R/rasters/noise_lden.tif"
[[ "$(sums "$A")" == "$before" ]] && ok "refused run left the outputs alone" || bad "outputs changed"
cp "$A/scores.gpkg" "$TMP/first.gpkg"
sleep 1.1 # GeoPackages used to record the clock to the second
if score "$A" -i noise="$R/rasters/noise_lden.tif" --overwrite 2>"$TMP/err"; then
    ok "--overwrite replaces a previous run"
else
    bad "--overwrite: $(cat "$TMP/err")"
fi
cmp -s "$TMP/first.gpkg" "$A/scores.gpkg" && ok "rerun: scores.gpkg byte-identical" \
    || bad "rerun: scores.gpkg differs ($(cmp "$TMP/first.gpkg" "$A/scores.gpkg"))"
[[ -z "$(debris "$TMP/runs")" ]] && ok "no temporary directories left" || bad "debris: $(debris "$TMP/runs")"

# Files leefbaar did not write are never replaced or deleted, even with --overwrite.
echo "mine" >"$A/notes.txt"
before=$(sums "$A")
expect_fail "foreign file refuses --overwrite" "holds files leefbaar did not write (notes.txt)" \
    score "$A" -i noise="$R/rasters/noise_lden.tif" --overwrite
[[ "$(sums "$A")" == "$before" ]] && ok "foreign file and outputs intact" || bad "directory changed"
rm "$A/notes.txt"

# An output never replaces an input: the inputs' own directory, or a previous output as input.
D=$TMP/inputs
mkdir -p "$D"
ogr2ogr -f GeoJSON "$D/buurten.geojson" "$S/leefstad_2020.gpkg" buurten 2>/dev/null
cp "$D/buurten.geojson" "$TMP/buurten.orig"
expect_fail "area run into its inputs' directory" "would replace the input '$D/buurten.geojson'" \
    "$LEEFBAAR" score -q --mode area --model "$R/models/default.yaml" \
    -i buurten="$D/buurten.geojson" -i amenities="$S/leefstad_2020.gpkg:amenities" \
    -i incidents="$S/leefstad_2020.gpkg:incidents" -i roads="$S/leefstad.gpkg:roads" \
    -i noise="$R/rasters/noise_lden.tif" -i green="$R/rasters/green_share.tif" -o "$D" --overwrite
cmp -s "$D/buurten.geojson" "$TMP/buurten.orig" && ok "input untouched" || bad "input modified"
expect_fail "previous output as input" "would replace the input" \
    score "$A" -i noise="$R/rasters/noise_lden.tif" -i extra="$A/buurten.geojson" --overwrite

# -o "" is an error, not an out-of-bounds read.
expect_fail '-o ""' "the output directory is an empty string" \
    score "" -i noise="$R/rasters/noise_lden.tif"

# A run failing after it opened its output leaves neither the directory nor its parents; a
# truncated GeoTIFF is named as such (it lost its georeferencing tags, not its CRS).
head -c 500 "$R/rasters/noise_lden.tif" >"$TMP/trunc.tif"
expect_fail "truncated GeoTIFF" "is damaged or truncated" score "$TMP/new/x/y" -i noise="$TMP/trunc.tif"
[[ ! -e "$TMP/new" ]] && ok "failed run removed the directories it created" \
    || bad "left: $(find "$TMP/new")"
mkdir -p "$TMP/norun"
expect_fail "directory without run.json" "a directory without run.json" \
    "$LEEFBAAR" change -q --scores "$TMP/norun" --from-year 2020 --to-year 2022 -o "$TMP/ch"

# A VRT of 1073807362 x 2147352580 pixels (a few hundred bytes): size overflow, and read over
# the study area only.
gt=$(gdalinfo -json "$R/rasters/noise_lden.tif" | python3 -c \
    'import json,sys; print(", ".join("%.17g" % v for v in json.load(sys.stdin)["geoTransform"]))')
cat >"$TMP/huge.vrt" <<EOF
<VRTDataset rasterXSize="1073807362" rasterYSize="2147352580">
  <SRS>EPSG:28992</SRS>
  <GeoTransform>$gt</GeoTransform>
  <VRTRasterBand dataType="Float32" band="1">
    <NoDataValue>-9999</NoDataValue>
    <SimpleSource>
      <SourceFilename relativeToVRT="0">$R/rasters/noise_lden.tif</SourceFilename>
      <SourceBand>1</SourceBand>
    </SimpleSource>
  </VRTRasterBand>
</VRTDataset>
EOF
score "$TMP/huge" -i noise="$TMP/huge.vrt" >/dev/null 2>"$TMP/err"
rc=$?
[[ $rc -eq 0 ]] && ok "huge VRT: read over the study area" || bad "huge VRT: exit $rc: $(cat "$TMP/err")"
[[ -z "$(debris "$TMP/huge")" ]] && ok "huge VRT: no debris" || bad "huge VRT: debris"
score "$TMP/plain" -i noise="$R/rasters/noise_lden.tif" 2>/dev/null
cmp -s "$TMP/plain/buurten.csv" "$TMP/huge/buurten.csv" && ok "huge VRT: same scores as the tif" \
    || bad "huge VRT: scores differ"

# SIGINT / SIGTERM during a run: exit 128+n, the previous outputs intact, no debris.
for sig in INT TERM; do
    before=$(sums "$A")
    # not through a function: $! must be leefbaar itself
    "$LEEFBAAR" score -q --model "$R/models/default.yaml" \
        -i buurten="$S/leefstad_2020.gpkg:buurten" -i amenities="$S/leefstad_2020.gpkg:amenities" \
        -i incidents="$S/leefstad_2020.gpkg:incidents" -i roads="$S/leefstad.gpkg:roads" \
        -i green="$R/rasters/green_share.tif" -i noise="$R/rasters/noise_lden.tif" \
        -o "$A" --overwrite 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 1 400); do
        [[ -n "$(debris "$A")" ]] && break
        sleep 0.01
    done
    kill -$sig $pid
    wait $pid
    rc=$?
    want=$((128 + $(kill -l $sig)))
    [[ $rc -eq $want ]] && ok "SIG$sig: exit $want" || bad "SIG$sig: exit $rc: $(cat "$TMP/err")"
    grep -q "interrupted by SIG$sig" "$TMP/err" && ok "SIG$sig: says so" || bad "SIG$sig: $(cat "$TMP/err")"
    [[ -z "$(debris "$A")" ]] && ok "SIG$sig: no debris" || bad "SIG$sig: left $(debris "$A")"
    [[ "$(sums "$A")" == "$before" ]] && ok "SIG$sig: old outputs intact" || bad "SIG$sig: outputs changed"
done

# diagnose shares its directory: only BASE.* are its own.
"$LEEFBAAR" demo -q --data "$R" "$TMP/demo" 2>/dev/null || bad "demo"
expect_fail "demo twice without --overwrite" "pass --overwrite" "$LEEFBAAR" demo -q --data "$R" "$TMP/demo"
if "$LEEFBAAR" demo -q --overwrite --data "$R" "$TMP/demo" 2>"$TMP/err"; then
    ok "demo twice with --overwrite"
else
    bad "demo --overwrite: $(cat "$TMP/err")"
fi
expect_fail "change into its own run directory" "is the input" "$LEEFBAAR" change -q \
    --scores "$TMP/demo/score" --from-year 2020 --to-year 2022 -o "$TMP/demo/score" --overwrite
dx() {
    "$LEEFBAAR" diagnose -q --scores "$TMP/demo/score" --wijk WK990100 -o "$TMP/demo/diagnose" "$@"
}
echo "other" >"$TMP/demo/diagnose/other.txt"
expect_fail "diagnose: existing report refused" "pass --overwrite" dx
dx --overwrite 2>"$TMP/err" && ok "diagnose --overwrite" || bad "diagnose --overwrite: $(cat "$TMP/err")"
[[ -f "$TMP/demo/diagnose/other.txt" ]] && ok "diagnose: other files stay" || bad "other.txt gone"
echo '{"mine": 1}' >"$TMP/demo/diagnose/WK990100.json"
expect_fail "diagnose: foreign BASE.json" "which leefbaar did not write" dx --overwrite
[[ "$(cat "$TMP/demo/diagnose/WK990100.json")" == '{"mine": 1}' ]] && ok "foreign BASE.json intact" \
    || bad "foreign BASE.json replaced"
finish
