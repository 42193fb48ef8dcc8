#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The data of the library comparison (bench/viewer/run.sh) in the viewer's form: GeoJSON in
# WGS84 with 6 decimals (what `leefbaar viewer` writes) assigned to a global in a .js file,
# because a page opened from disk may load scripts but not fetch files.
#   buurten.js  every buurt of a tier (T2: 14,000, 4.9M vertices) with code, name and the class
#               (1-9) of lbm and six dimensions, made up from the feature id (the drawing cost
#               does not depend on the values; the recolour needs classes that differ per view)
#   grid.js     every inhabited 100 m square of the tier's vierkanten in a 20 x 20 km window
# Usage: bench/viewer/prepare.sh TIER_DIR OUT_DIR [XMIN YMIN] (the window's lower left corner in
#        RD metres; default 200000 520000, the T2 window with the most squares)
set -euo pipefail
tier=${1:?usage: prepare.sh TIER_DIR OUT_DIR [XMIN YMIN]}
out=${2:?usage: prepare.sh TIER_DIR OUT_DIR [XMIN YMIN]}
x0=${3:-200000}
y0=${4:-520000}
x1=$((x0 + 20000))
y1=$((y0 + 20000))
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Classes 1-9 that differ between views: a multiplicative hash of the fid per view.
classes="((fid * 7919) % 9) + 1 AS k_lbm, ((fid * 104729) % 9) + 1 AS k_won,
         ((fid * 1299709) % 9) + 1 AS k_pub, ((fid * 15485863) % 9) + 1 AS k_vrz,
         ((fid * 32452843) % 9) + 1 AS k_bev, ((fid * 49979687) % 9) + 1 AS k_soc,
         ((fid * 67867967) % 9) + 1 AS k_vei"
ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco COORDINATE_PRECISION=6 -lco RFC7946=YES \
    -dialect sqlite -nln buurten \
    -sql "SELECT BU_CODE AS code, BU_NAAM AS name, $classes, geom FROM buurten" \
    "$tmp/buurten.geojson" "$tier/buurten_2022.gpkg"
ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco COORDINATE_PRECISION=6 -lco RFC7946=YES \
    -dialect sqlite -nln grid -spat "$x0" "$y0" "$x1" "$y1" \
    -sql "SELECT crs28992res100m AS code, crs28992res100m AS name, $classes, geom
          FROM vierkanten WHERE ST_MinX(geom) >= $x0 AND ST_MinY(geom) >= $y0
          AND ST_MaxX(geom) <= $x1 AND ST_MaxY(geom) <= $y1" \
    "$tmp/grid.geojson" "$tier/vierkanten_2022.gpkg"
for n in buurten grid; do
    { printf 'window.LB_UNITS = '; tr -d '\n' <"$tmp/$n.geojson"; printf ';\n'; } >"$out/$n.js"
    echo "$n.js: $(grep -o '"type": *"Feature"' "$out/$n.js" | wc -l) features, $(stat -c %s "$out/$n.js") bytes"
done
