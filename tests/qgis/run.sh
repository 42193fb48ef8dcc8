#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The outputs as QGIS shows them: the demo (score, change, waterbed, scan) and an area-mode run,
# opened with PyQGIS in headless QGIS and checked by check_styles.py. Skipped (77) without
# Debian's python3-qgis (scripts/setup-deps.sh --test installs it).
set -u
py=/usr/bin/python3
export QT_QPA_PLATFORM=offscreen
if ! "$py" -c 'import qgis.core' 2>/dev/null; then
    echo "SKIP: python3-qgis is missing (bash scripts/setup-deps.sh --test installs it)"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export HOME=$TMP XDG_RUNTIME_DIR=$TMP # QGIS writes its profile and runtime files there
"$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/err" ||
    { echo "demo failed: $(cat "$TMP/err")"; exit 1; }
"$LEEFBAAR" score -q --mode area --units buurten \
    --model "$LB_SOURCE_ROOT/models/kwb-area-2016-2021.yaml" \
    -i "buurten=$LB_TEST_DATA/kwb/kwb_buurten.geojson" --year 2022 -o "$TMP/area" 2>"$TMP/err" ||
    { echo "area mode failed: $(cat "$TMP/err")"; exit 1; }
"$py" "$(dirname "$0")/check_styles.py" "$TMP/demo" "$TMP/area" 2>&1 |
    grep -v 'QStandardPaths\|^Warning: '
rc=${PIPESTATUS[0]}
# The scan of the demo: scan.gpkg styled on the verdict, index.html's links resolve.
"$LEEFBAAR" scan -q --scores "$TMP/demo/score" --focus "$LB_SOURCE_ROOT/shapes/leefstad.gpkg:focus_wijken" \
    -o "$TMP/scan" 2>"$TMP/err" || { echo "scan failed: $(cat "$TMP/err")"; exit 1; }
"$py" "$(dirname "$0")/check_scan.py" "$TMP/scan" 2>&1 | grep -v 'QStandardPaths\|^Warning: '
[[ ${PIPESTATUS[0]} -eq 0 && $rc -eq 0 ]]
