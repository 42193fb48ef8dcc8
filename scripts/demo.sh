#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set up, build and run the demo: maps and tables of the demo city in OUTDIR (default demo-out).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-demo-out}
"$root/scripts/setup-deps.sh"
[[ -f "$root/build/build.ninja" ]] || meson setup "$root/build" "$root" -Dtests=false >/dev/null
meson compile -C "$root/build" leefbaar:executable >/dev/null
"$root/build/src/cli/leefbaar" demo --overwrite --data "$root" "$out"
echo "Open $out/score/scores.gpkg (layers buurten_2022, grid_2022, ...), $out/score/scores_2022.tif,"
echo "a dimension map such as $out/score/dim_won_2022.tif, or $out/change/change.gpkg in QGIS;"
echo "previews: $out/score/class_2022.png and $out/change/change_class_2020_2022.png."
