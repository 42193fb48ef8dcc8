#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The scan's index printed as a planner would: 150 wijken over three years (a published table
# generated here, so that the index runs over several pages and has the trend columns) scanned,
# index.html printed with headless Chromium; the PDF is A4, pdftotext finds every wijk code of
# scan.csv, every number of the index, every column header and no heading alone at a page bottom
# (print_check.py). Skipped (exit 77) without Chromium, pdftotext, pdfinfo or python3.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/print_lib.sh"
print_tools_or_skip

# lbm per area and year from a fixed formula: levels spread over the classes, slopes of both
# signs, a wobble so that the trends have residuals; the dimensions add up to afw.
awk 'BEGIN {
    print "PC4,jaar,lbm,afw,fys,onv,soc,vrz,won"
    for (i = 0; i < 150; i++)
        for (y = 2016; y <= 2022; y += 3) {
            f = (i * 0.6180339887) % 1; g = (i * 0.4142135623) % 1
            lbm = 3.55 + 0.8 * f + (g - 0.5) * 0.02 * (y - 2016) + 0.01 * ((i + y) % 3 - 1)
            afw = lbm - 4.102265
            printf "%d,%d,%.4f,%.4f", 3000 + i, y, lbm, afw
            for (d = 0; d < 5; d++) printf ",%.4f", afw / 5 + 0.01 * (((i + d) % 5) - 2)
            printf "\n"
        }
}' >"$TMP/pub.csv"
if ! "$LEEFBAAR" scan -q --scores "$TMP/pub.csv" --focus 3001,3002 -o "$TMP/scan" \
    2>"$TMP/scan.err"; then
    bad "scan: $(cat "$TMP/scan.err")"
    finish
    exit
fi
n=$(($(wc -l <"$TMP/scan/scan.csv") - 1))
ok "scan ranks $n wijken"
html=$TMP/scan/index.html pdf=$TMP/index.pdf
if ! err=$(print_pdf "$html" "$pdf"); then
    bad "no PDF: $err"
    finish
    exit
fi
pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
ok "printed to PDF ($pages pages)"
size=$(pdf_is_a4 "$pdf") && ok "A4 pages ($size pt)" || bad "pages are not A4: '$size' pt"
pdf_text "$pdf" "$TMP/raw.txt" "$TMP/layout.txt"
if python3 "$(dirname "$0")/print_check.py" "$html" - "$TMP/raw.txt" "$TMP/layout.txt" \
    >"$TMP/check.out"; then
    ok "PDF holds the index: $(grep -v '^FAIL' "$TMP/check.out" | paste -sd ';')"
else
    cat "$TMP/check.out"
    bad "PDF loses part of the index"
fi
# Every row: each wijk code of the ranking, in rank order, in the PDF's text.
missing=0 order_ok=1 prev=0
while IFS= read -r code; do
    line=$(grep -n -m1 -w -- "$code" "$TMP/raw.txt" | cut -d: -f1)
    if [[ -z $line ]]; then
        missing=$((missing + 1))
    elif [[ $line -lt $prev ]]; then
        order_ok=0
    else
        prev=$line
    fi
done < <(tail -n +2 "$TMP/scan/scan.csv" | cut -d, -f2 | tr -d '"')
[[ $missing -eq 0 ]] && ok "every wijk code of scan.csv in the PDF ($n)" \
    || bad "$missing of $n wijk codes lost in print"
[[ $order_ok -eq 1 ]] && ok "in rank order" || bad "the PDF's rows are not in rank order"
finish
