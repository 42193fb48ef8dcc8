#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The diagnosis printed as a wethouder would (issue 15): headless Chromium prints the demo wijk's
# report to PDF; the PDF is A4, and pdftotext finds in it every number of the report, every
# average of the JSON (each year; wijk, gemeente, aandachtswijken) as the report rounds it,
# every table column header, and no heading left alone at the bottom of a page (print_check.py).
# Skipped (exit 77) without Chromium, pdftotext, pdfinfo or python3. LB_PRINT_DIR=DIR keeps the PDF.
source "$(dirname "$0")/../cli/lib.sh"
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
for tool in "$chromium" pdftotext pdfinfo python3; do
    if [[ -z "$tool" ]] || ! command -v "$tool" >/dev/null; then
        echo "${tool:-chromium} is not installed: skipped"
        exit 77
    fi
done

if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/demo.err"; then
    bad "demo: $(cat "$TMP/demo.err")"
    finish
    exit
fi
ok "demo runs"
html=$TMP/demo/diagnose/WK990100.html json=$TMP/demo/diagnose/WK990100.json pdf=$TMP/report.pdf
# A fresh profile per run; --no-sandbox because CI runs as root.
timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$TMP/profile" --no-pdf-header-footer --print-to-pdf="$pdf" \
    "file://$html" >"$TMP/chromium.out" 2>"$TMP/chromium.err"
if [[ ! -s "$pdf" ]]; then
    bad "no PDF: $(grep -v dbus "$TMP/chromium.err" | tail -3)"
    finish
    exit
fi
ok "printed to PDF ($(stat -c %s "$pdf") bytes)"
# A4 is 595.28 x 841.89 pt; Chromium writes 594.96 x 841.92.
size=$(pdfinfo "$pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 \2/p')
if awk -v s="$size" 'BEGIN{split(s, a, " "); exit !(a[1] > 594 && a[1] < 596.5 && a[2] > 841 && a[2] < 843)}'; then
    ok "A4 pages ($size pt)"
else
    bad "pages are not A4: '$size' pt"
fi
pdftotext -enc UTF-8 "$pdf" "$TMP/raw.txt" && pdftotext -enc UTF-8 -layout "$pdf" "$TMP/layout.txt"
if python3 "$(dirname "$0")/print_check.py" "$html" "$json" "$TMP/raw.txt" "$TMP/layout.txt" \
    >"$TMP/check.out"; then
    ok "PDF holds the report: $(grep -v '^FAIL' "$TMP/check.out" | paste -sd ';')"
else
    cat "$TMP/check.out"
    bad "PDF loses part of the report"
fi
if [[ -n "${LB_PRINT_DIR:-}" ]]; then
    mkdir -p "$LB_PRINT_DIR" && cp "$pdf" "$TMP/layout.txt" "$LB_PRINT_DIR/"
fi
finish
