#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check (not a test; minutes): coverage of the pooled coefficients' 95 % WCR intervals on the
# generator's cities. N null cities (leefbaar-synth --waterbed-strength 0) and N planted ones
# (the default strength), scored for 2020 and 2022 and analysed around their 2 focus wijken
# with the default options but no placebos. For lbm it reports, per model term (ring_0_250 of
# the ring model, adj_1 of the adjacency model, focus):
# - null cities: how many intervals hold 0 (expected 95 %; the strength-0 cities' first rings
#   drift 0.0027 below the far control without a planted effect, see README "Small areas",
#   so ring_0_250 may fall somewhat short);
# - planted cities: the mean estimate over the cities (the truth on the score scale is not
#   the generator's latent parameter) and how many intervals hold it, and how many exclude 0.
# The fast, exact-truth version of this check is test_wbstats_ci_coverage (tests/test_wbstats.c).
#
# Usage: bench/waterbed_ci.sh [N=20] [BUILD_DIR] [extra waterbed options, e.g. --boot-weights webb]
set -euo pipefail
n=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$here/../build}
shift $(($# < 2 ? $# : 2))
leefbaar=$build/src/cli/leefbaar
synth=$build/tools/synth/leefbaar-synth
for x in "$leefbaar" "$synth"; do
    [[ -x $x ]] || { echo "$0: no executable $x (build first)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/lb-bench-wbci-XXXXXX)
trap 'rm -rf "$work"' EXIT
out=$work/rows.txt
: >"$out"
for strength in 0 default; do
    for seed in $(seq 101 $((100 + n))); do
        city=$work/city
        rm -rf "$city"
        extra=()
        [[ $strength == 0 ]] && extra=(--waterbed-strength 0)
        "$synth" city "$city" --seed "$seed" "${extra[@]}" >/dev/null 2>&1
        S=$city/shapes
        "$leefbaar" score -q --model "$here/../models/default.yaml" --years 2020,2022 \
            -i buurten@2020="$S/leefstad_2020.gpkg:buurten" -i buurten@2022="$S/leefstad_2022.gpkg:buurten" \
            -i amenities@2020="$S/leefstad_2020.gpkg:amenities" -i amenities@2022="$S/leefstad_2022.gpkg:amenities" \
            -i incidents@2020="$S/leefstad_2020.gpkg:incidents" -i incidents@2022="$S/leefstad_2022.gpkg:incidents" \
            -i roads="$S/leefstad.gpkg:roads" -i noise="$city/rasters/noise_lden.tif" \
            -i green="$city/rasters/green_share.tif" -of GTiff -o "$city/score"
        "$leefbaar" waterbed -q --scores "$city/score" --focus "$S/leefstad.gpkg:focus_wijken" \
            --placebos 0 --seed "$seed" "$@" -o "$city/wb"
        awk -F, -v s="$strength" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $(c["outcome"]) == "lbm" && $(c["period_role"]) == "main" &&
            ($(c["term"]) == "ring_0_250" || $(c["term"]) == "adj_1" || $(c["term"]) == "focus") {
                print s, $(c["model"]) "/" $(c["term"]), $(c["estimate"]), $(c["ci_low"]), $(c["ci_high"]) }' \
            "$city/wb/waterbed_pooled.csv" >>"$out"
    done
done
awk '{ k = $1 " " $2; n[k]++; est[k] += $3; lo[k, n[k]] = $4; hi[k, n[k]] = $5
       if ($1 == "0") cover[k] += ($4 <= 0 && 0 <= $5)
       else excl[k] += !($4 <= 0 && 0 <= $5) }
     END { for (k in n) {
             split(k, a, " ")
             if (a[1] == "0") { printf "null    %-22s 0 inside %d of %d\n", a[2], cover[k], n[k]; continue }
             m = est[k] / n[k]; c = 0
             for (i = 1; i <= n[k]; i++) c += (lo[k, i] <= m && m <= hi[k, i])
             printf "planted %-22s mean %.4f inside %d of %d; 0 excluded in %d\n", a[2], m, c, n[k], excl[k] } }' \
    "$out" | sort
