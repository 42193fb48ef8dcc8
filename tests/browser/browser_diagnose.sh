#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The diagnosis report in a real browser: headless Chromium opens the HTML of the demo wijk
# (and of the Utrecht Overvecht report when ../shared/data is there), renders it to a
# screenshot PNG without console errors, and the page references nothing outside itself.
# Skipped (exit 77) when Chromium is not installed; CI installs it (scripts/setup-deps.sh --test).
# LB_SCREENSHOT_DIR=DIR keeps the screenshots.
source "$(dirname "$0")/../cli/lib.sh"
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$chromium" || ! -x "$chromium" ]]; then
    echo "chromium is not installed: skipped"
    exit 77
fi

# check_page NAME HTML: self-contained, renders, no console errors, not blank.
check_page() {
    local name=$1 html=$2 png=$TMP/$1.png
    if [[ ! -s "$html" ]]; then
        bad "$name: no report $html"
        return
    fi
    if grep -Eiq '(src|href|xlink:href)[[:space:]]*=|@import|url\([^#)]|https?:|//[a-z0-9.-]+\.[a-z]{2,}/' "$html"; then
        bad "$name: external reference: $(grep -Eio '(src|href)[^>]{0,60}|url\([^)]*\)|https?:[^ "]*' "$html" | head -3)"
    else
        ok "$name: no external references"
    fi
    # A fresh profile per run; --no-sandbox because CI runs as root.
    local args=(--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
                --user-data-dir="$TMP/profile-$name" --enable-logging=stderr --v=0)
    timeout 180 "$chromium" "${args[@]}" --window-size=1200,2400 --screenshot="$png" \
        "file://$html" >"$TMP/$name.out" 2>"$TMP/$name.err"
    local rc=$?
    if grep -q 'CONSOLE' "$TMP/$name.err"; then
        bad "$name: console messages: $(grep 'CONSOLE' "$TMP/$name.err" | head -3)"
    else
        ok "$name: no console messages"
    fi
    if [[ $rc -ne 0 || ! -s "$png" ]] || [[ $(head -c 4 "$png" | od -An -tx1 | tr -d ' ') != 89504e47 ]]; then
        bad "$name: no screenshot (exit $rc): $(grep -v dbus "$TMP/$name.err" | tail -3)"
        return
    fi
    ok "$name: screenshot $(stat -c %s "$png") bytes"
    # Not a blank page: the rendered image varies.
    local sd
    sd=$(gdalinfo -stats "$png" 2>/dev/null | grep -m1 'STATISTICS_STDDEV=' | cut -d= -f2)
    awk -v s="${sd:-0}" 'BEGIN{exit !(s > 5)}' && ok "$name: screenshot is not blank (sd $sd)" \
        || bad "$name: screenshot looks blank (sd ${sd:-?})"
    # The DOM after loading holds the report's figures.
    timeout 180 "$chromium" "${args[@]}" --dump-dom "file://$html" >"$TMP/$name.dom" 2>/dev/null
    for needle in 'Eerste wijkdiagnose' '<svg class="map"' 'Preventiebudget-toets' 'geen besluit'; do
        grep -qF -- "$needle" "$TMP/$name.dom" && ok "$name: page shows '$needle'" \
            || bad "$name: page lacks '$needle'"
    done
    if [[ -n "${LB_SCREENSHOT_DIR:-}" ]]; then
        mkdir -p "$LB_SCREENSHOT_DIR" && cp "$png" "$LB_SCREENSHOT_DIR/"
    fi
}

if "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/demo.err"; then
    ok "demo runs"
    check_page demo "$TMP/demo/diagnose/WK990100.html"
else
    bad "demo: $(cat "$TMP/demo.err")"
fi

d=${LB_SHARED_DATA:-}
if [[ -n "$d" && -f "$d/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv" ]]; then
    if "$LEEFBAAR" diagnose -q --scores "$d/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv" \
        --geometry "$d/utrecht-pc4-lbm3/pc4_utrecht.geojson" \
        --wijk-polygon "$d/utrecht-gemeente-2013/wijk.geojson" --wijk Overvecht --naam Overvecht \
        --gemeente-polygon "$d/utrecht-gemeente-2013/gemeente.geojson" --gemeente-naam Utrecht \
        --focus 3526,3527 --name Overvecht -o "$TMP/utrecht" 2>"$TMP/utrecht.err"; then
        check_page overvecht "$TMP/utrecht/Overvecht.html"
    else
        bad "Overvecht report: $(cat "$TMP/utrecht.err")"
    fi
fi
finish
