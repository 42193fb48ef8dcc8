# SPDX-License-Identifier: MIT
# Printing a page as a reader would, for the browser tests (source after ../cli/lib.sh):
# print_tools_or_skip, print_pdf HTML PDF, pdf_is_a4 PDF, pdf_text PDF RAW LAYOUT.
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

# Exit 77 (skip) unless Chromium, pdftotext, pdfinfo and python3 are installed.
print_tools_or_skip() {
    local tool
    for tool in "$chromium" pdftotext pdfinfo python3; do
        if [[ -z "$tool" ]] || ! command -v "$tool" >/dev/null; then
            echo "${tool:-chromium} is not installed: skipped"
            exit 77
        fi
    done
}

# Headless Chromium prints HTML to PDF with the page's own print CSS; a fresh profile per run,
# --no-sandbox because CI runs as root. Non-zero when no PDF was written.
print_pdf() {
    local html=$1 pdf=$2
    timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$TMP/profile" --no-pdf-header-footer --print-to-pdf="$pdf" \
        "file://$html" >"$TMP/chromium.out" 2>"$TMP/chromium.err"
    [[ -s "$pdf" ]] || { grep -v dbus "$TMP/chromium.err" | tail -3; return 1; }
}

# A4 is 595.28 x 841.89 pt; Chromium writes 594.96 x 841.92. Prints the size.
pdf_is_a4() {
    local size
    size=$(pdfinfo "$1" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 \2/p')
    echo "$size"
    awk -v s="$size" 'BEGIN{split(s, a, " "); exit !(a[1] > 594 && a[1] < 596.5 && a[2] > 841 && a[2] < 843)}'
}

# The PDF's text, raw and with its layout (pages split by form feeds).
pdf_text() {
    pdftotext -enc UTF-8 "$1" "$2" && pdftotext -enc UTF-8 -layout "$1" "$3"
}
