#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The waterbed summary report printed by a real browser: headless Chromium prints the demo's
# waterbed.html to PDF on A4 without console errors, and pdftotext finds in it the title, every
# pooled estimate and every flagged focus area (as the report rounds them). Skipped (exit 77)
# when Chromium or pdftotext is not installed (scripts/setup-deps.sh --test installs both).
# LB_SCREENSHOT_DIR=DIR keeps the PDF.
source "$(dirname "$0")/../cli/lib.sh"
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$chromium" || ! -x "$chromium" ]] || ! command -v pdftotext >/dev/null; then
    echo "chromium or pdftotext is not installed: skipped"
    exit 77
fi
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/demo.err"; then
    bad "demo: $(cat "$TMP/demo.err")"
    finish
    exit 1
fi
W=$TMP/demo/waterbed
pdf=$TMP/waterbed.pdf
args=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$TMP/profile"
      --enable-logging=stderr --v=0 --no-pdf-header-footer --print-to-pdf-no-header)
timeout 180 "$chromium" "${args[@]}" --print-to-pdf="$pdf" "file://$W/waterbed.html" \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
if [[ $rc -ne 0 || ! -s "$pdf" ]]; then
    bad "no PDF (exit $rc): $(grep -v dbus "$TMP/err" | tail -3)"
    finish
    exit 1
fi
ok "printed to PDF ($(stat -c %s "$pdf") bytes)"
grep -q 'CONSOLE' "$TMP/err" && bad "console messages: $(grep CONSOLE "$TMP/err" | head -3)" \
    || ok "no console messages"
# A4 is 595 x 842 points
if command -v pdfinfo >/dev/null; then
    size=$(pdfinfo "$pdf" | awk -F': *' '/^Page size/ {print $2}')
    pages=$(pdfinfo "$pdf" | awk -F': *' '/^Pages/ {print $2}')
    awk -v s="$size" 'BEGIN { split(s, a, " "); exit !(a[1] > 594 && a[1] < 596 && a[3] > 841 && a[3] < 843) }' \
        && ok "A4 pages ($pages): $size" \
        || bad "page size $size"
fi
pdftotext -layout "$pdf" "$TMP/waterbed.txt"
n=0
missing=""
while read -r needle; do
    n=$((n + 1))
    grep -qF -- "$needle" "$TMP/waterbed.txt" || missing+=" '$needle'"
done < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
             { gsub(/"/, "") }
             $(c["level"]) == "area" && $(c["flag"]) != "" { print $(c["focus_id"]) }
             $(c["level"]) == "pooled" { e = sprintf("%.3f", $(c["estimate"])); if (e == "-0.000") e = "0.000"
                                         print e }' "$W/waterbed_summary.csv" | sort -u;
         echo "Waterbed effects"; echo "adjacency order 1"; echo "far control")
[[ -z $missing && $n -ge 6 ]] && ok "the PDF's text has all $n pooled estimates, flagged areas and labels" \
    || bad "the PDF's text lacks:$missing (of $n)"
if [[ -n "${LB_SCREENSHOT_DIR:-}" ]]; then
    mkdir -p "$LB_SCREENSHOT_DIR" && cp "$pdf" "$LB_SCREENSHOT_DIR/"
fi
finish
