#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages leefbaar needs, only those that are missing.
# Usage: scripts/setup-deps.sh [--test] [--fuzz] [--bench]
#   --test   adds what the test suites use
#   --fuzz   adds clang with libFuzzer and OpenMP for the fuzz harnesses (tests/fuzz)
#   --bench  adds the peers of bench/run.sh (PostGIS 3.3, GeoPandas 0.12 with rasterio, GDAL's
#            Python tools) and GNU time; never needed by the build, the tests or CI
set -euo pipefail

pkgs=(gcc libc6-dev pkg-config meson ninja-build
      libgdal-dev libproj-dev proj-data libgeos-dev libgsl-dev libyaml-dev libjson-c-dev
      gdal-bin)
for arg in "$@"; do
    case $arg in
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
            npm_test=1 ;;
    --fuzz) pkgs+=(clang libclang-rt-14-dev libomp-dev) ;;
    --bench) pkgs+=(postgresql-15 postgresql-15-postgis-3 postgis python3-gdal python3-numpy
                    python3-geopandas python3-rasterio python3-rtree time) ;;
    *) echo "setup-deps: unknown option '$arg' (use --test, --fuzz, --bench)" >&2; exit 2 ;;
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
if [[ ${#missing[@]} -eq 0 ]]; then
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
npm_test_install
