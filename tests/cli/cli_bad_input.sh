# SPDX-License-Identifier: MIT
# Bad input, case by case (issue 18): files, layers, fields, YAML, CRS, geometry, rasters, CSV,
# outputs, signals and the inputs of change / diagnose / waterbed. Each case asserts
#   - the exit status (1 when the library refuses, 130 after SIGINT), no crash, no hang,
#     no sanitizer report;
#   - a message on stderr that names what is wrong (an extended regular expression);
#   - no leftovers: no .leefbaar-tmp-* anywhere under the test directory and no output
#     directory (or the one that was there before, unchanged);
#   - untouched inputs: every file under the inputs directory has the same SHA-256 and no file
#     was added or removed there.
source "$(dirname "$0")/lib.sh"

# Cases whose fix is on another branch (named after each); they are skipped with "SKIP (pending
# fix)". Empty this list once those branches are merged. Their expected messages follow the
# wording on those branches when this was written.
PENDING_CASES=(
)

T=$LB_TEST_DATA/tiny
SRC=$TMP/src # pristine inputs, copied to $IN for every case
IN=$TMP/in   # what each case reads
OUT=$TMP/out # where each case may write
mkdir -p "$SRC" "$OUT"
cp "$T"/* "$SRC/"

# A valid score run of the tiny city, for the consumers; then broken copies of it.
"$LEEFBAAR" score -q --model "$SRC/tiny.yaml" -i "buurten=$SRC/buurten.geojson" \
    -i "amenities=$SRC/amenities.geojson" -i "noise=$SRC/noise.asc" -o "$SRC/run" 2>"$TMP/err" ||
    bad "set-up: score the tiny city: $(cat "$TMP/err")"
mkdir -p "$SRC/run_badjson" "$SRC/run_nomeans" "$SRC/run_none"
cp "$SRC/run/scores.gpkg" "$SRC/run_badjson/"
cp "$SRC/run/scores.gpkg" "$SRC/run_nomeans/"
cp "$SRC/run/scores.gpkg" "$SRC/run_none/"
printf '{"tool": "leefbaar", "reference": {"ref": 4.1, "means": {"won": \n' \
    >"$SRC/run_badjson/run.json"
# run.json is written one member per line: drop every "means" block
sed '/"means":{/,/}/d' "$SRC/run/run.json" >"$SRC/run_nomeans/run.json"
grep -q '"means"' "$SRC/run_nomeans/run.json" && bad "set-up: means still in run_nomeans"

# A model with 2 m cells (a run of several seconds, to interrupt), one with an unknown key.
sed 's/^name: tiny$/name: tiny\ngrid: {cell_m: 2, min_weight: 0.0001}/' "$SRC/tiny.yaml" \
    >"$SRC/slow.yaml"
sed 's/^name: tiny$/name: tiny\ncolour_scheme: viridis/' "$SRC/tiny.yaml" >"$SRC/unknown_key.yaml"
# A GeoTIFF of the noise grid cut after 600 bytes (the header and part of the directory).
gdal_translate -q -of GTiff "$SRC/noise.asc" "$TMP/noise.tif" &&
    head -c 600 "$TMP/noise.tif" >"$SRC/noise_cut.tif" || bad "set-up: truncated GeoTIFF"
# CSV: a published table whose lbm is not a number; a table without any id column.
printf 'BU_CODE,jaar,lbm,afw,won\nBU00010001,2020,4.1,0.0,0.0\nBU00010001,2022,vier,0.1,0.1\n' \
    >"$SRC/bad_number.csv"
printf 'naam,jaar,lbm,afw,won\nNoord,2020,4.1,0.0,0.0\nNoord,2022,4.2,0.1,0.1\n' >"$SRC/no_id.csv"
printf 'BU_CODE,jaar,lbm,afw\n"BU00010001,2020,4.1,0.0\n' >"$SRC/unclosed_quote.csv"

# fingerprint PATH: every file's SHA-256 and the list of files, one line each (a file: its own).
fingerprint() {
    if [[ -d $1 ]]; then
        (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
    elif [[ -e $1 ]]; then
        sha256sum <"$1"
    fi
}

pending() {
    local c
    for c in "${PENDING_CASES[@]}"; do [[ $c == "$1" ]] && return 0; done
    return 1
}

# check NAME STATUS REGEX OUTDIR CMD...: run CMD on fresh inputs (in $IN) and assert the exit
# status, a message matching REGEX on stderr, no leftovers, untouched inputs. OUTDIR is the
# output directory of the command ("" when it has none); it must not exist afterwards unless it
# existed before (a directory or a file), and then be unchanged.
check() {
    local name=$1 want=$2 regex=$3 outdir=$4
    shift 4
    if pending "$name"; then
        echo "SKIP (pending fix): $name"
        return
    fi
    local before_in before_out="" status
    before_in=$(fingerprint "$IN")
    [[ -n $outdir && -e $outdir ]] && before_out=$(fingerprint "$outdir")
    timeout 300 "$@" >"$TMP/out.txt" 2>"$TMP/err"
    status=$?
    after_checks "$name" "$want" "$regex" "$outdir" "$status" "$before_in" "$before_out"
}

after_checks() {
    local name=$1 want=$2 regex=$3 outdir=$4 status=$5 before_in=$6 before_out=$7 problems=()
    [[ $status -eq 124 ]] && problems+=("hung (killed after 300 s)")
    [[ $status -ne $want && $status -ne 124 ]] && problems+=("exit status $status, not $want")
    grep -qE 'Sanitizer|runtime error:' "$TMP/err" && problems+=("sanitizer report")
    grep -qE -- "$regex" "$TMP/err" || problems+=("stderr lacks /$regex/")
    local debris
    debris=$(find "$TMP" -name '.leefbaar-tmp-*' 2>/dev/null | head -n 3)
    [[ -n $debris ]] && problems+=("left $debris")
    if [[ -n $outdir ]]; then
        if [[ -n $before_out ]]; then
            [[ $(fingerprint "$outdir") == "$before_out" ]] || problems+=("changed $outdir")
        elif [[ -e $outdir ]]; then
            problems+=("left the output $outdir")
        fi
    fi
    [[ $(fingerprint "$IN") == "$before_in" ]] || problems+=("changed the inputs")
    if [[ ${#problems[@]} -eq 0 ]]; then
        ok "$name"
    else
        local IFS=';'
        bad "$name: ${problems[*]}: $(head -c 600 "$TMP/err")"
    fi
    rm -rf "$IN" "$OUT" && cp -r "$SRC" "$IN" && mkdir -p "$OUT"
}

rm -rf "$IN" && cp -r "$SRC" "$IN"
tiny=(--model "$IN/tiny.yaml" -i "amenities=$IN/amenities.geojson" -i "noise=$IN/noise.asc")
score=("$LEEFBAAR" score -q)

# ---- files, layers, fields ----------------------------------------------------------------
check "missing file" 1 "nosuch\.geojson.*No such file" "$OUT/o" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/nosuch.geojson" -o "$OUT/o"
check "directory as input file" 1 "input 'buurten': '$IN/run' is not a readable" "$OUT/o" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/run" -o "$OUT/o"
check "wrong layer" 1 "no layer 'wijk'.*buurten" "$OUT/o" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson:wijk" -o "$OUT/o"
check "missing field" 1 "badfield\.yaml|no field 'P_KOOPWONINGEN'" "$OUT/o" \
    "${score[@]}" --model "$IN/badfield.yaml" -i "buurten=$IN/buurten.geojson" -o "$OUT/o"

# ---- model files ----------------------------------------------------------------------------
check "malformed YAML" 1 "malformed\.yaml:[0-9]+:[0-9]+: " "$OUT/o" \
    "${score[@]}" --model "$IN/malformed.yaml" -i "buurten=$IN/buurten.geojson" -o "$OUT/o"
check "unknown model key" 1 "unknown_key\.yaml:3:1: unknown key 'colour_scheme'" "$OUT/o" \
    "${score[@]}" --model "$IN/unknown_key.yaml" -i "buurten=$IN/buurten.geojson" \
    -i "amenities=$IN/amenities.geojson" -i "noise=$IN/noise.asc" -o "$OUT/o"
check "model check on malformed YAML" 1 "malformed\.yaml:[0-9]+:[0-9]+: " "" \
    "$LEEFBAAR" model check "$IN/malformed.yaml"
check "missing model" 1 "nosuch\.yaml" "$OUT/o" \
    "${score[@]}" --model "$IN/nosuch.yaml" -i "buurten=$IN/buurten.geojson" -o "$OUT/o"

# ---- CRS, geometry ----------------------------------------------------------------------------
check "CRS-less RD GeoJSON" 1 "buurten_nocrs\.geojson.*--s-srs EPSG:28992" "$OUT/o" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten_nocrs.geojson" -o "$OUT/o"
check "bad --s-srs" 1 "EPSG:999999" "$OUT/o" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten_nocrs.geojson" --s-srs EPSG:999999 \
    -o "$OUT/o"
check "non-polygon units" 1 "units 'amenities'.*amenities\.geojson.*polygon" "$OUT/o" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" --units amenities -o "$OUT/o"
check "empty layer" 1 "empty\.geojson.*has no features" "$OUT/o" \
    "${score[@]}" --model "$IN/tiny.yaml" -i "buurten=$IN/buurten.geojson" \
    -i "amenities=$IN/empty.geojson" -i "noise=$IN/noise.asc" -o "$OUT/o"

# ---- rasters ----------------------------------------------------------------------------------
check "bad raster path" 1 "noise.*nosuch\.tif" "$OUT/o" \
    "${score[@]}" --model "$IN/tiny.yaml" -i "buurten=$IN/buurten.geojson" \
    -i "amenities=$IN/amenities.geojson" -i "noise=$IN/nosuch.tif" -o "$OUT/o"
check "vector file as raster" 1 "noise.*amenities\.geojson" "$OUT/o" \
    "${score[@]}" --model "$IN/tiny.yaml" -i "buurten=$IN/buurten.geojson" \
    -i "amenities=$IN/amenities.geojson" -i "noise=$IN/amenities.geojson" -o "$OUT/o"
check "truncated GeoTIFF" 1 "noise_cut\.tif.*(runcated|amaged|orrupt|ncomplete|roken)" \
    "$OUT/o" "${score[@]}" --model "$IN/tiny.yaml" -i "buurten=$IN/buurten.geojson" \
    -i "amenities=$IN/amenities.geojson" -i "noise=$IN/noise_cut.tif" -o "$OUT/o"

# ---- CSV ----------------------------------------------------------------------------------
check "CSV number that is not a number" 1 "bad_number\.csv.*(line 3|row 2).*lbm.*vier" \
    "$OUT/o" "$LEEFBAAR" change -q --scores "$IN/bad_number.csv" -o "$OUT/o"
check "CSV without an id column" 1 "no_id\.csv.*(id|BU_CODE)" "$OUT/o" \
    "$LEEFBAAR" change -q --scores "$IN/no_id.csv" -o "$OUT/o"
check "CSV with an unclosed quote" 1 "unclosed_quote\.csv" "$OUT/o" \
    "$LEEFBAAR" change -q --scores "$IN/unclosed_quote.csv" -o "$OUT/o"

# ---- outputs ------------------------------------------------------------------------------
check "output into an input directory" 1 "(would replace|is) the input '$IN" "$IN" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" -o "$IN"
mkdir -p "$OUT/full" && echo "keep me" >"$OUT/full/notes.txt"
check "output directory not empty" 1 "'$OUT/full'.*not empty.*--overwrite" "$OUT/full" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" -o "$OUT/full"
check "output directory empty string" 1 "output directory is an empty string" "" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" -o ""
echo "a file" >"$OUT/file"
check "output is a file" 1 "'$OUT/file'.*not a directory" "$OUT/file" \
    "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" -o "$OUT/file"

# ---- unreadable input (as root: run as nobody, who cannot read a mode-000 file) --------------
unreadable() {
    chmod 000 "$IN/buurten.geojson"
    if [[ $(id -u) -ne 0 ]]; then
        check "unreadable file" 1 "buurten\.geojson.*(Permission denied|not a readable)" "$OUT/o" \
            "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" -o "$OUT/o"
    elif command -v setpriv >/dev/null && [[ $(stat -c %a "$LEEFBAAR") == *5 ]]; then
        chmod 755 "$TMP" "$IN"
        chmod 777 "$OUT"
        check "unreadable file" 1 "buurten\.geojson.*(Permission denied|not a readable)" "$OUT/o" \
            setpriv --reuid=65534 --regid=65534 --clear-groups \
            "${score[@]}" "${tiny[@]}" -i "buurten=$IN/buurten.geojson" -o "$OUT/o"
    else
        echo "SKIP (root without setpriv): unreadable file"
        rm -rf "$IN" && cp -r "$SRC" "$IN"
    fi
}
unreadable

# ---- the consumers' inputs: change, diagnose, waterbed ---------------------------------------
for cmd in change diagnose waterbed; do
    case $cmd in
    change) extra=() ;;
    diagnose) extra=(--wijk WK000100) ;;
    waterbed) extra=(--focus-codes BU00010001) ;;
    esac
    check "$cmd on bad run.json" 1 "run_badjson/run\.json" "$OUT/o" \
        "$LEEFBAAR" "$cmd" -q --scores "$IN/run_badjson" "${extra[@]}" -o "$OUT/o"
    check "$cmd on run.json without means" 1 "run_nomeans/run\.json.*reference\.means" "$OUT/o" \
        "$LEEFBAAR" "$cmd" -q --scores "$IN/run_nomeans" "${extra[@]}" -o "$OUT/o"
    check "$cmd on a directory without run.json" 1 "run_none.*run\.json" "$OUT/o" \
        "$LEEFBAAR" "$cmd" -q --scores "$IN/run_none" "${extra[@]}" -o "$OUT/o"
    check "$cmd on a missing run" 1 "nosuch_run" "$OUT/o" \
        "$LEEFBAAR" "$cmd" -q --scores "$IN/nosuch_run" "${extra[@]}" -o "$OUT/o"
done

# ---- SIGINT during a run: exit 130, the run's temporary files and output directory gone ------
sigint() {
    local name="SIGINT during a run"
    if pending "$name"; then
        echo "SKIP (pending fix): $name"
        return
    fi
    local before_in
    before_in=$(fingerprint "$IN")
    # job control on, so that the background run does not start with SIGINT ignored
    set -m
    "${score[@]}" --model "$IN/slow.yaml" -i "buurten=$IN/buurten.geojson" \
        -i "amenities=$IN/amenities.geojson" -i "noise=$IN/noise.asc" -o "$OUT/o" \
        >"$TMP/out.txt" 2>"$TMP/err" &
    local pid=$! i
    set +m
    # interrupt once the run has started writing (its temporary directory exists)
    for ((i = 0; i < 600; i++)); do
        compgen -G "$OUT/o/.leefbaar-tmp-*" >/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    after_checks "$name" 130 "interrupted" "$OUT/o" $? "$before_in" ""
}
sigint

finish
