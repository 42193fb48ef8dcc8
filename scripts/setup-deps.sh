#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages leefbaar needs, only those that are missing.
# Usage: scripts/setup-deps.sh [--test] [--fuzz] [--bench] [--viewer]
#   --test   adds what the test suites use
#   --fuzz   adds clang with libFuzzer and OpenMP for the fuzz harnesses (tests/fuzz)
#   --viewer adds Node.js and npm, and installs the viewer's web-map library (maplibre-gl, the
#            version pinned in viewer/package-lock.json) from the npm registry with 'npm ci'
#            into .cache/viewer, where meson and the build tree's leefbaar find it
#   --bench  adds the peers of bench/run.sh (PostGIS 3.3, GeoPandas 0.12 with rasterio, GDAL's
#            Python tools) and GNU time; never needed by the build, the tests or CI
set -euo pipefail

pkgs=(gcc libc6-dev pkg-config meson ninja-build
      libgdal-dev libproj-dev proj-data libgeos-dev libgsl-dev libyaml-dev libjson-c-dev
      gdal-bin)
viewer=0
for arg in "$@"; do
    case $arg in
    # a Node.js from elsewhere (e.g. NodeSource, which bundles npm) is used as it is
    --viewer) viewer=1
              command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
              command -v npm >/dev/null 2>&1 || pkgs+=(npm) ;;
    # python3-gdal: GDAL's COG validator; chromium: the browser suite opens the diagnosis
    # report headless (skipped without it); poppler-utils: pdftotext reads the waterbed summary
    # Chromium printed to PDF; groff-base: the man pages render without warnings;
    # python3-*: the Python package's tests (python/) and its example's plot; python3-qgis: the
    # qgis suite opens every output in headless QGIS 3.22 (skipped without it; about 115
    # packages, 2-3 minutes to install once).
    --test) pkgs+=(libcmocka-dev clang-format python3-gdal chromium poppler-utils groff-base
                   python3-pytest python3-pandas python3-geopandas python3-numpy
                   python3-matplotlib python3-qgis)
            # node + npm: the viewer's browser test drives chromium with playwright-core
            # (tests/browser/viewer, installed below); a Node.js already on PATH is kept.
            command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
            npm_test=1
            viewer=1 ;; # the browser test needs the viewer's library too
    --fuzz) pkgs+=(clang libclang-rt-14-dev libomp-dev) ;;
    --bench) pkgs+=(postgresql-15 postgresql-15-postgis-3 postgis python3-gdal python3-numpy
                    python3-geopandas python3-rasterio python3-rtree time) ;;
    *) echo "setup-deps: unknown option '$arg' (use --test, --fuzz, --bench, --viewer)" >&2; exit 2 ;;
    esac
done

npm_test=${npm_test:-0}
# playwright-core for the viewer's browser test: `npm ci` from the committed lock file into a
# cache outside the source tree (tests/browser/viewer/node_modules_dir.sh names it), only when
# that cache lacks it; network only to the npm registry. Runs after the Debian packages.
npm_test_install() {
    [[ $npm_test -eq 1 ]] || return 0
    local src dir
    src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser/viewer" && pwd)
    dir=$(bash "$src/node_modules_dir.sh")
    [[ -f $dir/node_modules/playwright-core/package.json ]] && return 0
    echo "leefbaar: installing playwright-core (npm ci) into $dir" >&2
    mkdir -p "$dir"
    cp "$src/package.json" "$src/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --registry=https://registry.npmjs.org/ \
        >/dev/null)
}

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# The viewer's library: npm ci from the committed lock file (exact version and integrity hash),
# only when the cache lacks it or holds another lock file.
viewer_deps() {
    local root cache
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    cache=$root/.cache/viewer
    if [[ -f $cache/node_modules/maplibre-gl/dist/maplibre-gl.js ]] &&
        cmp -s "$root/viewer/package-lock.json" "$cache/package-lock.json"; then
        return 0
    fi
    echo "leefbaar: installing the viewer's web-map library (npm ci) into $cache" >&2
    mkdir -p "$cache"
    cp "$root/viewer/package.json" "$root/viewer/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}

if [[ ${#missing[@]} -eq 0 ]]; then
    [[ $viewer -eq 1 ]] && viewer_deps
    npm_test_install
    exit 0
fi

echo "leefbaar: installing missing Debian packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "leefbaar: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[[ $viewer -eq 1 ]] && viewer_deps
npm_test_install
exit 0
