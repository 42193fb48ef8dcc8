#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark (not a test): leefbaar waterbed on the national tier T2 of DESIGN.md §10 — 40 focus
# areas x 4 rings x 7 outcomes (lbm + 6 dimensions) x 2 periods, 199 placebos per focus area,
# a 999-draw wild cluster bootstrap. Target (issue 5): <= 30 s on 2 cores.
#
# Usage: bench/waterbed.sh [buurt|pc4] [BUILD_DIR] [extra waterbed options, e.g. --region-radius 20000]
#   buurt: the 14,000 T2 buurten (focus areas: 40 dense wijken, one per gemeente);
#   pc4:   the 4,000 T2 PC4 areas (focus areas: 40 populous PC4s at least 10 km apart).
# The tier comes from tools/tiers (`leefbaar-tiers T2 DIR --rasters 0`, made once under
# $LB_TIERS, default /tmp/lb-tiers/T2-norasters); the scores (three years, a planted ring
# effect in the last period) from bench/waterbed_scores.awk.
set -euo pipefail
kind=${1:-buurt}
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$here/../build}
shift $(($# < 2 ? $# : 2))
leefbaar=$build/src/cli/leefbaar
tiers=$build/tools/tiers/leefbaar-tiers
tier=${LB_TIERS:-/tmp/lb-tiers/T2-norasters}
work=${LB_BENCH_DIR:-/tmp/lb-bench-waterbed}/$kind
for x in "$leefbaar" "$tiers"; do
    [[ -x $x ]] || { echo "$0: no executable $x (build first)" >&2; exit 1; }
done
case $kind in buurt | pc4) ;; *) echo "usage: $0 [buurt|pc4] [BUILD_DIR]" >&2; exit 2 ;; esac

if [[ ! -s $tier/pc4.gpkg ]]; then
    echo "generating T2 (no rasters) in $tier ..." >&2
    "$tiers" T2 "$tier" --rasters 0 >&2
fi
mkdir -p "$work"
if [[ ! -s $work/scores.csv ]]; then
    if [[ $kind == buurt ]]; then
        layer=$tier/buurten_2020.gpkg:buurten
        ogr2ogr -f CSV /vsistdout/ "$tier/buurten_2020.gpkg" -dialect SQLite -sql \
            "SELECT WK_CODE, GM_CODE, SUM(AANT_INW) * 1.0 / SUM(OPP_TOT) AS dens,
                    AVG(ST_X(ST_Centroid(geom))) AS x, AVG(ST_Y(ST_Centroid(geom))) AS y
             FROM buurten GROUP BY WK_CODE, GM_CODE HAVING COUNT(*) >= 3 ORDER BY dens DESC" |
            awk -F, 'NR > 1 && !seen[$2]++ && n < 40 { n++; print $1 "," $4 "," $5 > "/dev/stderr"
                     print $1 ",Wijk " $1 "," $2 "," $1 }' 2>"$work/focus_xy.csv" \
            >"$work/focus.body"
        ogr2ogr -f CSV /vsistdout/ "$tier/buurten_2020.gpkg" -dialect SQLite -sql \
            "SELECT BU_CODE, GM_CODE, WK_CODE, AANT_INW, ST_X(ST_Centroid(geom)) AS x,
                    ST_Y(ST_Centroid(geom)) AS y FROM buurten" | tail -n +2 >"$work/units.csv"
    else
        layer=$tier/pc4.gpkg:pc4
        ogr2ogr -f CSV /vsistdout/ "$tier/pc4.gpkg" -dialect SQLite -sql \
            "SELECT PC4, AANT_INW, ST_X(ST_Centroid(geom)) AS x, ST_Y(ST_Centroid(geom)) AS y
             FROM pc4 ORDER BY AANT_INW DESC" |
            awk -F, 'NR > 1 { for (i = 0; i < n; i++) if (($3 - x[i]) ^ 2 + ($4 - y[i]) ^ 2 < 1e8) next
                     if (n < 40) { x[n] = $3; y[n] = $4; n++; print $1 "," $3 "," $4 > "/dev/stderr"
                     print $1 ",PC4 " $1 ",," $1 } }' 2>"$work/focus_xy.csv" >"$work/focus.body"
        ogr2ogr -f CSV /vsistdout/ "$tier/pc4.gpkg" -dialect SQLite -sql \
            "SELECT PC4, '' AS gm, '' AS wk, AANT_INW, ST_X(ST_Centroid(geom)) AS x,
                    ST_Y(ST_Centroid(geom)) AS y FROM pc4" | tail -n +2 >"$work/units.csv"
    fi
    { echo "id,name,gm_code,codes"; cat "$work/focus.body"; } >"$work/focus.csv"
    echo "$layer" >"$work/layer.txt"
    awk -v focus="$work/focus_xy.csv" -f "$here/waterbed_scores.awk" "$work/units.csv" \
        >"$work/scores.csv"
fi
layer=$(cat "$work/layer.txt")
units=$(($(wc -l <"$work/units.csv")))
rm -rf "$work/out"
echo "leefbaar waterbed: $units $kind units of T2, 40 focus areas, rings 250,500,1000,2000," \
     "7 outcomes, periods 2016-2018,2018-2020, 199 placebos, 999 bootstrap draws" >&2
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M kB" \
    "$leefbaar" waterbed -q --scores "$work/scores.csv" --id-field CODE --geometry "$layer" \
    --focus "$work/focus.csv" --periods 2016-2018,2018-2020 --placebos 199 --bootstrap 999 \
    --seed 1 "$@" -o "$work/out"
echo "rows in waterbed.csv: $(($(wc -l <"$work/out/waterbed.csv") - 1))" >&2
grep -o '"seconds":[0-9.]*' "$work/out/run.json" >&2
sed -n '/"cpu_seconds"/,/}/p' "$work/out/run.json" | tr -d ' \n' >&2
echo >&2
