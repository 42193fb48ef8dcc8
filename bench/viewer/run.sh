#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The web-map library comparison of issue 16.2: MapLibre GL JS (WebGL) against Leaflet (canvas
# renderer) on the same data, in headless Chromium (Debian's), RUNS alternating runs per pair.
# Usage: bench/viewer/run.sh DATA_DIR OUT_DIR [RUNS]
#   DATA_DIR holds *.js files in the viewer's data form (bench/viewer/prepare.sh writes
#   buurten.js and grid.js); every one is measured with both libraries.
#   OUT_DIR gets runs.jsonl (one line per run) and the pages. The npm packages (package-lock.json
#   here) are installed with `npm ci` into LB_NODE_CACHE (default ~/.cache/leefbaar/npm).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=${1:?usage: run.sh DATA_DIR OUT_DIR [RUNS]}
out=${2:?usage: run.sh DATA_DIR OUT_DIR [RUNS]}
runs=${3:-3}
cache=${LB_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leefbaar/npm}/bench-viewer-$(sha256sum "$here/package-lock.json" | cut -c1-16)
if [[ ! -f $cache/node_modules/maplibre-gl/package.json ]]; then
    mkdir -p "$cache"
    cp "$here/package.json" "$here/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
fi
nm=$cache/node_modules
mkdir -p "$out"
for set in "$data"/*.js; do
    name=$(basename "$set" .js)
    for lib in maplibre leaflet; do
        d=$out/$name-$lib
        mkdir -p "$d/lib"
        ln -sf "$(readlink -f "$set")" "$d/data.js"
        if [[ $lib == maplibre ]]; then
            cp "$nm/maplibre-gl/dist/maplibre-gl.js" "$nm/maplibre-gl/dist/maplibre-gl.css" "$d/lib/"
            grep -v leaflet "$here/page.html" >"$d/index.html"
        else
            cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$d/lib/"
            grep -v maplibre "$here/page.html" >"$d/index.html"
        fi
        cp "$here/bench.js" "$d/"
    done
done
for ((r = 1; r <= runs; r++)); do
    for set in "$data"/*.js; do
        name=$(basename "$set" .js)
        # alternate which library goes first
        libs=(maplibre leaflet)
        ((r % 2 == 0)) && libs=(leaflet maplibre)
        for lib in "${libs[@]}"; do
            LB_NODE_MODULES=$nm timeout 900 node "$here/bench.mjs" \
                "file://$(readlink -f "$out/$name-$lib")/index.html?lib=$lib" "$name $lib run $r" \
                | tee -a "$out/runs.jsonl"
        done
    done
done
