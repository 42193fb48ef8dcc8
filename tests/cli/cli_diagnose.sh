# SPDX-License-Identifier: MIT
# leefbaar diagnose end to end: our demo runs (by wijk code, buurt name, polygon; one year),
# a published-style table joined to polygons, and bad input refused with a clear message,
# exit 1 (2 for bad usage) and no report directory left behind.
source "$(dirname "$0")/lib.sh"
D=$LB_TEST_DATA/diagnose
S=$LB_SOURCE_ROOT/shapes
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi
runs=(--scores "$TMP/demo/score")  # both years, one run

# report DIR BASE: the three files are there, the HTML is one page with its figures.
report() {
    local d=$1 b=$2 what=$3
    for ext in html md json; do
        [[ -s "$d/$b.$ext" ]] && ok "$what: $b.$ext" || bad "$what: no $b.$ext in $d ($(ls "$d" 2>&1))"
    done
    grep -q '<svg class="map"' "$d/$b.html" && ok "$what: map" || bad "$what: no map"
    grep -q 'Preventiebudget-toets' "$d/$b.md" && ok "$what: check in Markdown" || bad "$what: md"
    local verdict
    verdict=$(grep -o '"verdict": *"[^"]*"' "$d/$b.json" | sed 's/.*: *"//; s/"$//')
    [[ -n "$verdict" ]] && grep -qF "$verdict" "$d/$b.html" && grep -qF "$verdict" "$d/$b.md" \
        && ok "$what: verdict '$verdict' in all three" || bad "$what: verdict '$verdict'"
}

# The demo's own diagnosis.
report "$TMP/demo/diagnose" WK990100 "demo"
grep -q '<title>Eerste wijkdiagnose: Centrum</title>' "$TMP/demo/diagnose/WK990100.html" \
    && ok "demo: Centrum by its polygon" || bad "demo: title"

# By wijk code (its buurten), focus wijken as a polygon layer.
"$LEEFBAAR" diagnose -q "${runs[@]}" --wijk WK990107 --focus "$S/leefstad.gpkg:focus_wijken" \
    -o "$TMP/code" && report "$TMP/code" WK990107 "by code" || bad "by code: failed"
grep -q 'met wijkcode WK990107' "$TMP/code/WK990107.html" && ok "by code: rule stated" \
    || bad "by code: rule"
[[ $(grep -o '"BU99010[0-9]*"' "$TMP/code/WK990107.json" | sort -u | wc -l) -ge 8 ]] \
    && ok "by code: its eight buurten" || bad "by code: buurten"

# By the name of a buurt (units that are areas of their own), focus by codes, one year.
"$LEEFBAAR" diagnose -q "${runs[@]}" --wijk Havenpark --focus WK990106,WK990109 --year 2022 \
    --name haven -o "$TMP/name" && report "$TMP/name" haven "by name" || bad "by name: failed"
[[ $(grep -c '"weighted"' "$TMP/name/haven.json") -eq 1 ]] && ok "one year only" \
    || bad "--year 2022: $(grep -c '"weighted"' "$TMP/name/haven.json") years"
grep -q 'maar één jaar' "$TMP/name/haven.html" && ok "one year: development unknown" \
    || bad "one year: development"

# By polygon: a wijk of the wijken layer chosen by its name.
"$LEEFBAAR" diagnose -q "${runs[@]}" --wijk-polygon "$S/leefstad.gpkg:wijken" --wijk Westerkade \
    -o "$TMP/poly" && report "$TMP/poly" WK990107 "by polygon" || bad "by polygon: failed"
grep -q 'Aandeel binnen de wijk' "$TMP/poly/WK990107.html" && ok "by polygon: shares shown" \
    || bad "by polygon: shares"

# A published-style table (';' and decimal commas) joined to polygons: no weights.
"$LEEFBAAR" diagnose -q --scores "$D/pc4_scores.csv" --geometry "$D/pc4.geojson" \
    --wijk 3561,3562 --naam 'Proef <&> wijk' --gemeente '356*' --focus 3565 -o "$TMP/pub" \
    && report "$TMP/pub" Proef_____wijk "published" || bad "published: failed"
grep -q 'Proef &lt;&amp;&gt; wijk' "$TMP/pub/Proef_____wijk.html" && ok "published: name escaped" \
    || bad "published: escaping"
grep -q 'Omvang onbekend' "$TMP/pub/Proef_____wijk.html" && ok "published: size unknown" \
    || bad "published: size"
grep -q '3,990' "$TMP/pub/Proef_____wijk.md" && ok "published: Dutch numbers" \
    || bad "published: number 3,990 not in the Markdown"

# Bad input.
expect_fail "unknown wijk" "'WK999999'" "$LEEFBAAR" diagnose -q "${runs[@]}" --wijk WK999999 -o "$TMP/e1"
expect_fail "year absent" "year 2021" "$LEEFBAAR" diagnose -q "${runs[@]}" --wijk WK990100 --year 2021 -o "$TMP/e2"
expect_fail "focus layer absent" "nosuchlayer" "$LEEFBAAR" diagnose -q "${runs[@]}" --wijk WK990100 --focus "$S/leefstad.gpkg:nosuchlayer" -o "$TMP/e3"
expect_fail "missing scores" "nosuch" "$LEEFBAAR" diagnose -q --scores "$TMP/nosuch" --wijk WK990100 -o "$TMP/e4"
expect_fail "bad inside share" "inside share" "$LEEFBAAR" diagnose -q "${runs[@]}" --wijk WK990100 --min-inside 0 -o "$TMP/e5"
expect_fail "polygon without match" "Nergenshuizen" "$LEEFBAAR" diagnose -q "${runs[@]}" --wijk-polygon "$S/leefstad.gpkg:wijken" --wijk Nergenshuizen -o "$TMP/e6"
expect_fail "no scores" "--scores is required" "$LEEFBAAR" diagnose --wijk X -o "$TMP/e7"
expect_fail "no wijk" "--wijk or --wijk-polygon" "$LEEFBAAR" diagnose "${runs[@]}" -o "$TMP/e8"
expect_fail "bad number" "--clear-sd wants a number" "$LEEFBAAR" diagnose "${runs[@]}" --wijk X --clear-sd half -o "$TMP/e9"
for i in 1 2 3 4 5 6 7 8 9; do
    [[ -e "$TMP/e$i" ]] && bad "output e$i left behind" || ok "no output e$i"
done

# A run.json of 84 bytes beside real scores: change, diagnose and waterbed crashed on it
# (reference without means); now each says what is missing and exits 1.
mkdir -p "$TMP/bare"
cp "$TMP/demo/score/scores.gpkg" "$TMP/bare/"
printf '%s' '{"tool":"leefbaar","options":{"units":"buurten","id_field":"BU_CODE"},"reference":{}}' \
    >"$TMP/bare/run.json"
for cmd in "change --scores $TMP/bare --from-year 2020 --to-year 2022 -o $TMP/b1" \
           "diagnose --scores $TMP/bare --wijk WK990100 -o $TMP/b2" \
           "waterbed --scores $TMP/bare --focus-codes WK990100 -o $TMP/b3"; do
    # shellcheck disable=SC2086
    "$LEEFBAAR" $cmd -q >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [[ $rc -eq 1 ]] && grep -qF "reference.means is missing" "$TMP/err" \
        && ok "bare run.json: ${cmd%% *} refuses it" \
        || bad "bare run.json: ${cmd%% *} exit $rc: $(cat "$TMP/err")"
done
"$LEEFBAAR" diagnose --wijk X >/dev/null 2>&1
[[ $? -eq 2 ]] && ok "usage error exits 2" || bad "usage error exit code"
finish
