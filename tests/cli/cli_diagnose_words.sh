#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The diagnosis as a wethouder reads it (issue 15): the demo's report and two more runs checked
# by diagnose_words.py for jargon, English words and file paths, for indicator values with
# their model's units (none where the run has none), and for the sentence that the wijk is
# itself one of the aandachtswijken: present for a focus wijk, absent for another.
source "$(dirname "$0")/lib.sh"
S=$LB_SOURCE_ROOT/shapes
M=$LB_SOURCE_ROOT/models/default.yaml
PY=$(command -v python3) || { echo "SKIP: python3 is needed"; exit 77; }
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi
words() {
    local what=$1; shift
    if "$PY" "$(dirname "$0")/diagnose_words.py" "$@" >"$TMP/words.log" 2>&1; then
        ok "$what ($(grep -c '^ok' "$TMP/words.log") checks)"
    else
        bad "$what: $(grep -v '^ok' "$TMP/words.log")"
    fi
}

# The demo's diagnosis of Centrum, which is not an aandachtswijk.
words "demo: Centrum" "$TMP/demo/diagnose/WK990100" "$M" none

# Zuiderpolder is one of the two focus wijken of the demo (by polygon and by code).
focus=$S/leefstad.gpkg:focus_wijken
"$LEEFBAAR" diagnose -q --scores "$TMP/demo/score" --wijk WK990106 --focus "$focus" \
    -o "$TMP/zp" 2>"$TMP/err" && words "focus wijk (polygons)" "$TMP/zp/WK990106" "$M" focus \
    || bad "focus wijk: $(cat "$TMP/err")"
"$LEEFBAAR" diagnose -q --scores "$TMP/demo/score" --wijk WK990106 --focus WK990106,WK990109 \
    -o "$TMP/zpc" 2>"$TMP/err" && words "focus wijk (codes)" "$TMP/zpc/WK990106" "$M" focus \
    || bad "focus wijk by codes: $(cat "$TMP/err")"
# A wijk of two buurten, one of them named as a focus area by its code.
"$LEEFBAAR" diagnose -q --scores "$TMP/demo/score" --wijk WK990106 \
    --focus BU99010601,WK990109 -o "$TMP/part" 2>"$TMP/err" \
    && words "partly a focus area" "$TMP/part/WK990106" "$M" partial \
    || bad "partly: $(cat "$TMP/err")"

# A run whose model gives no unit for two indicators: those values carry none; and one whose
# unit is as long as a model may give (40 characters of 3 bytes each), printed whole.
cp -r "$TMP/demo/score" "$TMP/nounit"
"$PY" - "$TMP/nounit/run.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p, encoding='utf-8'))
for i in d['model']['indicators']:
    if i['id'] in ('road_noise', 'single_person_households'):
        i.pop('unit', None)
    if i['id'] == 'green_share':
        i['unit'] = '\u20ac' * 40
json.dump(d, open(p, 'w', encoding='utf-8'))
PY
"$LEEFBAAR" diagnose -q --scores "$TMP/nounit" --wijk-polygon "$S/leefstad.gpkg:wijken" \
    --wijk WK990100 --focus "$focus" -o "$TMP/nu" 2>"$TMP/err" \
    && words "no unit where the model has none" "$TMP/nu/WK990100" "$M" none \
        road_noise=none single_person_households=none green_share="$(printf '€%.0s' {1..40})" \
    || bad "no-unit run: $(cat "$TMP/err")"
finish
