# SPDX-License-Identifier: MIT
# leefbaar demo OUTDIR: both years scored; the score COG has 7 named Float32 bands in RD New;
# the GeoJSON is lon/lat in the Netherlands; the 2022 run uses the 2020 reference.
source "$(dirname "$0")/lib.sh"
out=$TMP/demo
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$out" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi
ok "demo runs"
for y in 2020 2022; do
    d=$out/score_$y
    for f in scores.gpkg scores_$y.tif class_$y.tif buurten.geojson buurten.csv run.json; do
        [[ -s "$d/$f" ]] && ok "$y: $f" || bad "$y: missing $f"
    done
    info=$(gdalinfo "$d/scores_$y.tif")
    [[ $(grep -c "Type=Float32" <<<"$info") -eq 7 ]] && ok "$y: 7 Float32 bands" || bad "$y: bands"
    for b in lbm won pub vrz bev soc vei; do
        grep -q "Description = $b\$" <<<"$info" && ok "$y: band $b" || bad "$y: no band $b"
    done
    grep -q 'ID\["EPSG",28992\]\]$' <<<"$info" && ok "$y: EPSG:28992" || bad "$y: CRS"
    grep -q "LAYOUT=COG" <<<"$info" && ok "$y: COG layout" || bad "$y: not a COG"
    ext=$(ogrinfo -so -al "$d/buurten.geojson" | grep '^Extent')
    read -r x0 y0 x1 y1 < <(sed -E 's/Extent: \(([-0-9.]+), ([-0-9.]+)\) - \(([-0-9.]+), ([-0-9.]+)\)/\1 \2 \3 \4/' <<<"$ext")
    awk -v a="$x0" -v b="$y0" -v c="$x1" -v d="$y1" 'BEGIN{exit !(a>3.3 && c<7.3 && b>50.7 && d<53.6)}' \
        && ok "$y: GeoJSON lon/lat in NL ($ext)" || bad "$y: GeoJSON extent $ext"
done
grep -q '"reference": *"[^"]*score_2020/run.json"' "$out/score_2022/run.json" \
    && ok "2022 uses the 2020 reference" || bad "2022 reference"
finish
