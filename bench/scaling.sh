#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scaling check (issue 17): the 20-indicator model t2-20 (--outputs csv) on several tiers, and
# every stage's run.json time per scored cell. A stage whose cost follows the data keeps its
# microseconds per scored cell roughly constant from T0 to T2 (scored cells x3 from T1 to T2);
# one that follows the grid's box grows with cells / scored cells (x10.7 from T1 to T2).
#
# usage: bash bench/scaling.sh [--build DIR] [--reps N] [--threads N] [TIER...]   (default T0 T1 T2)
# env:   LB_TIERS (default /tmp/lb-tiers; a missing tier is generated there with leefbaar-tiers),
#        LB_BENCH_OUT (default /tmp/lb-bench/scaling)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LB_BENCH_BUILD:-/tmp/lb-bench-build}
reps=3
threads=0
tiers=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) build=$2; shift ;;
    --reps) reps=$2; shift ;;
    --threads) threads=$2; shift ;;
    T0 | T1 | T2) tiers+=("$1") ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "scaling: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ ${#tiers[@]} -gt 0 ]] || tiers=(T0 T1 T2)
lb=$build/src/cli/leefbaar
gen=$build/tools/tiers/leefbaar-tiers
[[ -x $lb ]] || { echo "scaling: no $lb (meson setup $build -Dbuildtype=release)" >&2; exit 1; }
out=${LB_BENCH_OUT:-/tmp/lb-bench/scaling}
mkdir -p "$out"

printf '%-4s %-3s %9s %9s' tier rep cells scored
for s in read grid_weights indicators model aggregate write; do printf ' %15s' "$s"; done
printf '   (s, and us per scored cell)\n'
for tier in "${tiers[@]}"; do
    T=${LB_TIERS:-/tmp/lb-tiers}/$tier
    [[ -f $T/tier.txt ]] || "$gen" "$tier" "$T" >/dev/null
    args=(--input "buurten=$T/buurten_2020.gpkg:buurten"
        --input "vierkanten=$T/vierkanten_2020.gpkg:vierkanten"
        --input "amenities=$T/amenities_2020.gpkg:amenities"
        --input "incidents=$T/incidents_2020.gpkg:incidents" --units buurten --year 2020)
    k=1
    for n in noise_lden green_share no2 pm25 tree_cover impervious heat_island flood_depth \
        subsidence night_light; do
        args+=(--input "$(printf 'r%02d' $k)=$T/rasters/$n.tif")
        k=$((k + 1))
    done
    for rep in $(seq 1 "$reps"); do
        o=$out/$tier-$rep
        rm -rf "$o"
        "$lb" score -q --threads "$threads" --model "$root/bench/models/t2-20.yaml" "${args[@]}" \
            --outputs csv -o "$o"
        python3 - "$tier" "$rep" "$o/run.json" <<'PY'
import json, sys
tier, rep, path = sys.argv[1:4]
d = json.load(open(path))
t, c = d["timings_s"], d["counts"]
n = c["scored_cells"]
row = f"{tier:<4} {rep:<3} {c['cells']:>9} {n:>9}"
for s in ["read", "grid_weights", "indicators", "model", "aggregate", "write"]:
    v = t.get(s, 0.0)
    row += f" {v:6.2f} {1e6 * v / n:7.2f}"
print(row)
PY
    done
done
