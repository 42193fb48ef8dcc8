#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the demo city with the default options into a temporary directory and compare the
# sha256 of every generated file with the committed shapes/ and rasters/. Exits 0 when all files
# are bit-identical, 1 on any difference or missing file, 2 on a usage error.
#
#   tools/synth/check_identical.sh PATH/TO/leefbaar-synth [SOURCE_ROOT]
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 PATH/TO/leefbaar-synth [SOURCE_ROOT]" >&2
    exit 2
fi
exe=$1
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ ! -x "$exe" ]; then
    echo "check_identical: '$exe' is not an executable" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/leefbaar-synth-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$exe" city "$tmp" >"$tmp/synth.log" 2>&1; then
    echo "check_identical: generator failed:" >&2
    cat "$tmp/synth.log" >&2
    exit 1
fi

status=0
# Every file the generator writes: the GeoPackages, the GeoTIFFs, the resident judgements
# (leefstad_oordelen.csv) and the planted model behind them (leefstad_oordeel.yaml).
list() {
    (cd "$1" && find shapes rasters -type f \( -name '*.gpkg' -o -name '*.tif' \
        -o -name 'leefstad_oordel*.csv' -o -name 'leefstad_oordeel*.yaml' \) | sort)
}
if [ "$(list "$tmp")" != "$(list "$root")" ]; then
    echo "check_identical: the set of files differs" >&2
    echo "generated:" >&2; list "$tmp" | sed 's/^/  /' >&2
    echo "committed:" >&2; list "$root" | sed 's/^/  /' >&2
    status=1
fi
for f in $(list "$tmp"); do
    new=$(sha256sum "$tmp/$f" | cut -d' ' -f1)
    if [ ! -f "$root/$f" ]; then
        echo "DIFF $f: not committed" >&2
        status=1
        continue
    fi
    old=$(sha256sum "$root/$f" | cut -d' ' -f1)
    if [ "$new" = "$old" ]; then
        echo "OK   $f $new"
    else
        echo "DIFF $f: committed $old, regenerated $new" >&2
        status=1
    fi
done
exit $status
