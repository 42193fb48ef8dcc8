#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make the seed corpora of the fuzz harnesses, tests/fuzz/corpus/<harness>/, from the project's
# own fixtures (tests/data, models/) and one score run of the tiny fixture city; never from
# real data. Usage: tests/fuzz/make_corpus.sh [LEEFBAAR]   (default: build/src/cli/leefbaar)
# The corpora are committed; run this again when the fixtures or the file formats change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
leefbaar=${1:-build/src/cli/leefbaar}
[[ -x $leefbaar ]] || { echo "make_corpus: no leefbaar at '$leefbaar' (build first)" >&2; exit 2; }
out=tests/fuzz/corpus
tmp=$(mktemp -d /tmp/lb-corpus-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"/{model,vtable,attrtable,vector,scores,runjson,diagnose}

# model: every model file of the project, valid and deliberately broken ones
for f in models/*.yaml tests/data/*/*.yaml; do
    cp "$f" "$out/model/$(basename "$(dirname "$f")")_$(basename "$f")"
done

# The tiny city scored twice (two years, fixed reference; and per_year as the model says), and
# scored as units with its CSV output.
T=tests/data/tiny
inputs=(-i "buurten=$T/buurten.geojson" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc")
"$leefbaar" score -q --model "$T/tiny.yaml" "${inputs[@]}" --units buurten -o "$tmp/run1"
"$leefbaar" score -q --model "$T/tiny.yaml" "${inputs[@]}" --units buurten --year 2020 \
    -o "$tmp/run2"
# run.json with the model path as the harness resolves it (relative to the source root, where
# the harnesses run) and nothing of this machine in it
for r in run1 run2; do
    sed -e "s|\"path\":\"[^\"]*tiny.yaml\"|\"path\":\"$T/tiny.yaml\"|" \
        -e 's|"command":"[^"]*"|"command":"score"|' -e "s|$tmp/||g" \
        "$tmp/$r/run.json" >"$out/runjson/$r.json"
done
# a grid run.json: the same with units "grid"
sed -e 's|"units":"buurten"|"units":"grid"|' "$out/runjson/run1.json" >"$out/runjson/grid.json"
# the reference block only (what --reference reads)
printf '%s\n' '{"tool":"leefbaar","reference":{"mode":"fixed","year":2020,"ref":4.1,' \
    '"means":{"won":0.5,"vrz":-0.05,"pub":-0.5},"indicators":{"koop":{"mean":34,"sd":17},' \
    '"woz":{"mean":203,"sd":33},"dist_super":{"mean":399,"sd":150},' \
    '"schools":{"mean":0.6,"sd":0.9},"noise":{"mean":52,"sd":5}}}}' >"$out/runjson/reference.json"

# tables: CSV as the readers meet them
csvs=("$tmp/run1/buurten.csv" tests/data/diagnose/pc4_scores.csv)
printf 'CODE;NAAM;INW;P_KOOP\nGM0363    ;Amsterdam;921402;30,5\nGM0518;Den Haag;.;x\n' \
    >"$tmp/statline_symbols.csv"
printf '\xef\xbb\xbfBU_CODE,AANT_INW,WOZ\nBU00010001,1000,250\nBU00010002,500,-99999997\n' \
    >"$tmp/bom_sentinel.csv"
printf '"Onderwerp";"Perioden";"Regio'"'"'s"\n"Inwoners";"2022";"1"\n' >"$tmp/statline_layout.csv"
printf 'a,b\n1,"two, quoted"\n3,\n' >"$tmp/quoted.csv"
csvs+=("$tmp/statline_symbols.csv" "$tmp/bom_sentinel.csv" "$tmp/statline_layout.csv"
       "$tmp/quoted.csv")
for f in "${csvs[@]}"; do
    cp "$f" "$out/vtable/$(basename "$f")"
    cp "$f" "$out/attrtable/$(basename "$f")"
done

# vector layers: the GeoJSON fixtures (with and without CRS, points, polygons, empty)
for f in tests/data/*/*.geojson; do
    cp "$f" "$out/vector/$(basename "$(dirname "$f")")_$(basename "$f")"
done

# published scores, and the same tables for the diagnosis
printf 'BU_CODE,BU_NAAM,WK_CODE,GM_CODE,jaar,weight,lbm,afw,fys,onv,soc,vrz,won\n%s\n%s\n%s\n%s\n' \
    'BU00010001,Noord,WK000100,GM0001,2020,1000,4.2,0.1,0.02,0.02,0.02,0.02,0.02' \
    'BU00010002,Zuid,WK000100,GM0001,2020,500,3.9,-0.2,-0.04,-0.04,-0.04,-0.04,-0.04' \
    'BU00010001,Noord,WK000100,GM0001,2022,1000,4.0,-0.1,-0.02,-0.02,-0.02,-0.02,-0.02' \
    'BU00010003,Oost,WK000101,GM0001,2022,NA,4.3,0.2,0.04,0.04,0.04,0.04,0.04' \
    >"$tmp/buurten_years.csv"
for f in "$tmp/run1/buurten.csv" tests/data/diagnose/pc4_scores.csv "$tmp/buurten_years.csv"; do
    cp "$f" "$out/scores/$(basename "$f")"
    cp "$f" "$out/diagnose/$(basename "$f")"
done
echo "make_corpus: $(find "$out" -type f | wc -l) seeds in $out"
