#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GDAL command-line peer of bench/run.sh (GDAL 3.6 from Debian): the steps as far as the GDAL
# tools can do them.
#   zonal N_SAMPLE OUT.csv RASTER...  gdalwarp -cutline per buurt + gdalinfo -stats, on an even
#                                     sample of N_SAMPLE buurten (one gdalwarp per buurt: the
#                                     caller extrapolates the time to all buurten); several
#                                     rasters go through one -separate VRT
#   nearest OUT.tif                   gdal_rasterize the amenities on the 100 m grid, then
#                                     gdal_proximity.py: distance between cell centres
#   areaweight OUT.tif                gdal_rasterize inhabitants per 20 m pixel, gdalwarp -r sum
#                                     to 100 m
# usage: peer_gdal.sh STEP TIER_DIR WORKDIR ARGS...
set -euo pipefail
step=$1; tier=$2; work=$3; shift 3
mkdir -p "$work"
export GDAL_PAM_ENABLED=NO
read -r xmin ymin xmax ymax < <(sed -n 's/^extent: //p' "$tier/tier.txt")

case $step in
zonal)
    nsample=$1; out=$2; shift 2
    src=$1
    if [[ $# -gt 1 ]]; then
        gdalbuildvrt -q -separate "$work/stack.vrt" "$@"
        src=$work/stack.vrt
    fi
    n=$(ogrinfo -ro -q -sql "SELECT COUNT(*) AS n FROM buurten" "$tier/buurten_2020.gpkg" \
        | sed -n 's/.*n (Integer[^=]*= *\([0-9]*\).*/\1/p')
    echo "fid,band,value" >"$out"
    for ((k = 0; k < nsample; k++)); do
        fid=$((1 + k * n / nsample))
        gdalwarp -q -overwrite -cutline "$tier/buurten_2020.gpkg" -cl buurten -cwhere "fid = $fid" \
            -crop_to_cutline -dstnodata -9999 "$src" "$work/clip.tif"
        gdalinfo -stats "$work/clip.tif" 2>/dev/null \
            | awk -v fid="$fid" '/^Band /{b=$2} /STATISTICS_MEAN=/{split($0,a,"="); print fid "," b "," a[2]}' \
            >>"$out"
    done
    echo "sampled $nsample of $n"
    ;;
nearest)
    out=$1
    gdal_rasterize -q -burn 1 -init 0 -ot Byte -tr 100 100 -te "$xmin" "$ymin" "$xmax" "$ymax" \
        -co TILED=YES -l amenities "$tier/amenities_2020.gpkg" "$work/amenities.tif"
    gdal_proximity.py -q "$work/amenities.tif" "$out" -values 1 -distunits GEO -ot Float32 \
        -co TILED=YES
    ;;
areaweight)
    out=$1
    ogr2ogr -q -overwrite -dialect SQLITE \
        -sql "SELECT geom, AANT_INW * 400.0 / ST_Area(geom) AS d FROM buurten WHERE AANT_INW > 0" \
        -nln dens "$work/dens.gpkg" "$tier/buurten_2020.gpkg"
    gdal_rasterize -q -a d -init 0 -ot Float32 -tr 20 20 -te "$xmin" "$ymin" "$xmax" "$ymax" \
        -co TILED=YES -co BIGTIFF=YES -l dens "$work/dens.gpkg" "$work/dens20.tif"
    gdalwarp -q -overwrite -r sum -tr 100 100 -co TILED=YES "$work/dens20.tif" "$out"
    rm -f "$work/dens20.tif"
    ;;
*)
    echo "peer_gdal.sh: unknown step '$step'" >&2
    exit 2
    ;;
esac
