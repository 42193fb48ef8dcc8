#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The diagnosis printed as a wethouder would (issue 15): headless Chromium prints the demo wijk's
# report to PDF; the PDF is A4, and pdftotext finds in it every number of the report, every
# average of the JSON (each year; wijk, gemeente, aandachtswijken) as the report rounds it,
# every table column header, and no heading left alone at the bottom of a page (print_check.py).
# Skipped (exit 77) without Chromium, pdftotext, pdfinfo or python3. LB_PRINT_DIR=DIR keeps the PDF.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/print_lib.sh"
print_tools_or_skip

if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$TMP/demo" 2>"$TMP/demo.err"; then
    bad "demo: $(cat "$TMP/demo.err")"
    finish
    exit
fi
ok "demo runs"
html=$TMP/demo/diagnose/WK990100.html json=$TMP/demo/diagnose/WK990100.json pdf=$TMP/report.pdf
if ! err=$(print_pdf "$html" "$pdf"); then
    bad "no PDF: $err"
    finish
    exit
fi
ok "printed to PDF ($(stat -c %s "$pdf") bytes)"
size=$(pdf_is_a4 "$pdf") && ok "A4 pages ($size pt)" || bad "pages are not A4: '$size' pt"
pdf_text "$pdf" "$TMP/raw.txt" "$TMP/layout.txt"
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
