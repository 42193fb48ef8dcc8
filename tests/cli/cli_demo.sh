# SPDX-License-Identifier: MIT
# leefbaar demo OUTDIR: both years scored in one run (7 named Float32 bands per year in RD
# New, a row per buurt and year, one fixed reference from 2020), the GeoJSON in lon/lat in the
# Netherlands, and the development 2020 → 2022 with its maps: the planted waterbed effect
# shows (the focus wijken improve, the rest declines).
source "$(dirname "$0")/lib.sh"
out=$TMP/demo
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$out" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi
ok "demo runs"
d=$out/score
for f in scores.gpkg buurten.geojson buurten.csv run.json; do
    [[ -s "$d/$f" ]] && ok "score: $f" || bad "score: missing $f"
done
for y in 2020 2022; do
    for f in scores_$y.tif class_$y.tif class_$y.png; do
        [[ -s "$d/$f" ]] && ok "$y: $f" || bad "$y: missing $f"
    done
    info=$(gdalinfo "$d/scores_$y.tif")
    [[ $(grep -c "Type=Float32" <<<"$info") -eq 7 ]] && ok "$y: 7 Float32 bands" || bad "$y: bands"
    for b in lbm won pub vrz bev soc vei; do
        grep -q "Description = $b\$" <<<"$info" && ok "$y: band $b" || bad "$y: no band $b"
    done
    grep -q 'ID\["EPSG",28992\]\]$' <<<"$info" && ok "$y: EPSG:28992" || bad "$y: CRS"
    grep -q "LAYOUT=COG" <<<"$info" && ok "$y: COG layout" || bad "$y: not a COG"
    n=$(ogrinfo -ro -q -sql "SELECT COUNT(*) AS n FROM buurten WHERE year = $y" "$d/scores.gpkg" |
        sed -n 's/.*n (Integer.*) = //p')
    [[ "$n" == 62 ]] && ok "$y: 62 buurten" || bad "$y: buurten rows '$n'"
done
ext=$(ogrinfo -so -al "$d/buurten.geojson" | grep '^Extent')
read -r x0 y0 x1 y1 < <(sed -E 's/Extent: \(([-0-9.]+), ([-0-9.]+)\) - \(([-0-9.]+), ([-0-9.]+)\)/\1 \2 \3 \4/' <<<"$ext")
awk -v a="$x0" -v b="$y0" -v c="$x1" -v d="$y1" 'BEGIN{exit !(a>3.3 && c<7.3 && b>50.7 && d<53.6)}' \
    && ok "GeoJSON lon/lat in NL ($ext)" || bad "GeoJSON extent $ext"
tr -d ' \n' <"$d/run.json" | grep -q '"reference":{"mode":"fixed","year":2020' \
    && ok "one fixed reference from 2020" || bad "reference block"

c=$out/change
for f in change.gpkg change.geojson change.csv change.qml run.json change_2020_2022.tif \
    change_class_2020_2022.tif change_class_2020_2022.qml change_class_2020_2022.png; do
    [[ -s "$c/$f" ]] && ok "change: $f" || bad "change: missing $f"
done
gdalinfo "$c/change_class_2020_2022.tif" | grep -q "LAYOUT=COG" && ok "change class COG" \
    || bad "change class raster not a COG"
gdalinfo "$c/change_class_2020_2022.png" | grep -q "Color Table" && ok "change preview PNG" \
    || bad "change preview"
# The change preview draws the wijk outlines as the score previews do: pixels of the outline
# colour (palette index 7 classes + 4, src/io/preview.h) in both, and as many wijken outlined.
outline_px() {
    /usr/bin/python3 -c "
import sys
from osgeo import gdal
ds = gdal.Open(sys.argv[1]); b = ds.GetRasterBand(1); n = b.GetColorTable().GetCount()
a = b.ReadRaster(); line = int(sys.argv[2])
print(sum(1 for v in a if v == line))" "$1" "$2" 2>/dev/null
}
lc=$(outline_px "$c/change_class_2020_2022.png" 11) ls=$(outline_px "$out/score/class_2022.png" 13)
[[ ${lc:-0} -gt 1000 && ${ls:-0} -gt 1000 ]] \
    && ok "change preview: wijk outlines ($lc outline pixels; score preview $ls)" \
    || bad "change preview without outlines: $lc outline pixels (score preview: $ls)"
mean() { # weighted mean Δlbm of the buurten matching WHERE $1
    ogrinfo -ro -q -sql "SELECT SUM(d_lbm * weight_from) / SUM(weight_from) AS m FROM change WHERE $1" \
        "$c/change.gpkg" | sed -n 's/.*m (Real) = //p'
}
focus=$(mean "WK_CODE IN ('WK990106', 'WK990109')")
rest=$(mean "WK_CODE NOT IN ('WK990106', 'WK990109')")
awk -v f="$focus" -v r="$rest" 'BEGIN{exit !(f > 0.1 && r < 0)}' \
    && ok "focus wijken improve (Δlbm $focus), the rest declines ($rest)" \
    || bad "planted effect not seen: focus $focus, rest $rest"
finish
