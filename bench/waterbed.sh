#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark (not a test): leefbaar waterbed at national scale — 40 focus areas x 4 rings x
# 7 outcomes (lbm + 6 dimensions) x 2 periods with 199 placebos per focus area and a 999-draw
# wild cluster bootstrap. Target (DESIGN.md §10, issue 5): <= 30 s on 2 cores.
#
# Usage: bench/waterbed.sh [buurt|pc4] [BUILD_DIR]
#   buurt: ~14,000 buurt-like units (the T2 tier's buurten); pc4: ~3,700 PC4-like units.
# The units are synthetic (bench/waterbed_gen.awk: a quadtree over the RD extent of the
# Netherlands with small units near 40 city centres, three years of scores with a planted
# ring effect, 40 focus areas); they are made once per tier under $LB_BENCH_DIR.
set -euo pipefail
tier=${1:-buurt}
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$here/../build}
leefbaar=$build/src/cli/leefbaar
work=${LB_BENCH_DIR:-/tmp/lb-bench-waterbed}/$tier
case $tier in
buurt) min_m=625 ;;
pc4) min_m=1250 ;;
*) echo "usage: $0 [buurt|pc4] [BUILD_DIR]" >&2; exit 2 ;;
esac
[[ -x $leefbaar ]] || { echo "$0: no executable $leefbaar (build first)" >&2; exit 1; }

if [[ ! -s $work/units.gpkg || ! -s $work/focus.gpkg ]]; then
    rm -rf "$work"
    mkdir -p "$work"
    echo "generating the $tier tier in $work ..." >&2
    awk -v dir="$work" -v min_m="$min_m" -v seed=1 -f "$here/waterbed_gen.awk" >&2
    ogr2ogr -f GPKG "$work/units.gpkg" "$work/units.csv" -oo GEOM_POSSIBLE_NAMES=WKT \
        -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:28992 -nln units -nlt POLYGON
    ogr2ogr -f GPKG "$work/focus.gpkg" "$work/focus.csv" -oo GEOM_POSSIBLE_NAMES=WKT \
        -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:28992 -nln focus -nlt POLYGON
    rm -f "$work/units.csv" "$work/focus.csv"
fi
units=$(ogrinfo -so "$work/units.gpkg" units | awk -F': ' '/Feature Count/ {print $2}')
rm -rf "$work/out"
echo "leefbaar waterbed: $units units, 40 focus areas, rings 250,500,1000,2000, 7 outcomes," \
     "periods 2016-2018,2018-2020, 199 placebos, 999 bootstrap draws" >&2
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M kB" \
    "$leefbaar" waterbed -q --scores "$work/scores.csv" --geometry "$work/units.gpkg:units" \
    --focus "$work/focus.gpkg:focus" --periods 2016-2018,2018-2020 --placebos 199 \
    --bootstrap 999 --seed 1 -o "$work/out"
rows=$(($(wc -l <"$work/out/waterbed.csv") - 1))
echo "rows in waterbed.csv: $rows" >&2
grep -o '"seconds":[0-9.]*' "$work/out/run.json" >&2
