#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The waterbed summary on the demo city: waterbed_summary.csv recomputed from waterbed.csv and
# waterbed_pooled.csv (rows, values, flags; the same text with --full-precision, the same
# numbers within the detailed file's rounding without it), the report holds every flagged
# focus area and every pooled number, references nothing outside itself, and run.json lists
# the files and the precision.
source "$(dirname "$0")/lib.sh"
D=$TMP/demo
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$D" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi
F=$TMP/full
"$LEEFBAAR" waterbed -q --scores "$D/score" --focus "$LB_SOURCE_ROOT/shapes/leefstad.gpkg:focus_wijken" \
    --placebos 39 --bootstrap 99 --seed 3 --full-precision -o "$F" 2>"$TMP/err" \
    && ok "waterbed --full-precision runs" || bad "waterbed --full-precision: $(cat "$TMP/err")"

# check_summary DIR TOL: every summary row against its detailed row; TOL 0 = the same text.
check_summary() {
    awk -F, -v tol="$2" '
        function num_eq(a, b) {
            if (a == "" || b == "") return a == b
            if (tol == 0) return a == b
            d = a - b; return (d < 0 ? -d : d) <= tol
        }
        function cols(   i) { delete c; for (i = 1; i <= NF; i++) c[$i] = i }
        function v(name) { return (name in c) ? $(c[name]) : "" }
        FNR == 1 { gsub(/"/, ""); file++; cols(); for (k in c) hc[file, k] = c[k]; next }
        { gsub(/"/, "") }
        file == 1 {   # waterbed.csv
            for (k in c) delete c[k]; for (k in hc) { split(k, kk, SUBSEP); if (kk[1] == 1) c[kk[2]] = hc[k] }
            s = v("scheme")
            if (v("outcome") != "lbm" || (s != "focus" && s != "ring" && s != "adjacency")) next
            key = v("period") "|" v("focus_id") "|" v("zone")
            n_area++
            est[key] = v("did"); pd[key] = v("p_placebo_one"); qd[key] = v("q_one")
            p2[key] = v("p_placebo_two"); lo[key] = v("placebo_lo"); hi[key] = v("placebo_hi")
            nu[key] = v("n_units"); nd[key] = v("n_placebo"); role[key] = v("period_role")
            tst[key] = v("p_placebo_one") == "" ? "" : "placebo_" v("placebo_method")
            pu[key] = v("p_placebo_upper"); qu[key] = v("q_upper")
            q = v("q_one"); qq = v("q_upper")
            fl[key] = ""
            if (role[key] == "main" && v("zone") != "focus")
                fl[key] = (q != "" && q <= 0.05) ? "displacement" : (qq != "" && qq <= 0.05) ? "diffusion" : ""
            next
        }
        file == 2 {   # waterbed_pooled.csv
            for (k in c) delete c[k]; for (k in hc) { split(k, kk, SUBSEP); if (kk[1] == 2) c[kk[2]] = hc[k] }
            if (v("outcome") != "lbm") next
            key = v("period") "||" v("term") "|" v("model")
            n_pooled++
            est[key] = v("estimate"); pd[key] = v("p_boot_one"); qd[key] = ""; p2[key] = v("p_boot_two")
            lo[key] = v("ci_low"); hi[key] = v("ci_high"); nu[key] = v("n_units"); nd[key] = v("n_boot")
            pu[key] = v("p_boot_upper"); qu[key] = ""
            tst[key] = v("p_boot_one") == "" ? "" : "wild_bootstrap"
            p = v("p_boot_two")
            # significant: the CI excludes 0 when the run has one, else the two-sided p
            sig = (lo[key] != "" && hi[key] != "") ? (hi[key] < 0 || lo[key] > 0) : (p != "" && p <= 0.05)
            fl[key] = (v("period_role") == "main" && v("term") != "focus" && sig) ? (v("estimate") < 0 ? "displacement" : "diffusion") : ""
            next
        }
        {   # waterbed_summary.csv
            for (k in c) delete c[k]; for (k in hc) { split(k, kk, SUBSEP); if (kk[1] == 3) c[kk[2]] = hc[k] }
            key = v("period") "|" v("focus_id") "|" v("zone")
            pooled = v("level") == "pooled"
            if (pooled) key = key "|" v("model")
            if (!(key in est)) { print "no detailed row for " key; bad++; next }
            seen[v("level")]++
            if (!num_eq(v("estimate"), est[key]) || !num_eq(v("p_displacement"), pd[key]) ||
                !num_eq(v("q_displacement"), qd[key]) || !num_eq(v("p_two_sided"), p2[key]) ||
                !num_eq(v(pooled ? "ci_low" : "placebo_lo"), lo[key]) ||
                !num_eq(v(pooled ? "ci_high" : "placebo_hi"), hi[key]) ||
                !num_eq(v("p_diffusion"), pu[key]) || !num_eq(v("q_diffusion"), qu[key]) ||
                v("n_units") != nu[key] || (v("test") != "" && v("n_draws") != nd[key]) ||
                v("test") != tst[key] || v("flag") != fl[key]) {
                print "row " key " differs: " $0; bad++
            }
            flags += v("flag") != ""
        }
        END {
            if (seen["area"] != n_area || seen["pooled"] != n_pooled) {
                print "rows: area " seen["area"] " of " n_area ", pooled " seen["pooled"] " of " n_pooled; bad++
            }
            print "checked " n_area " area and " n_pooled " pooled rows, " flags " flagged"
            exit bad > 0 || n_area == 0 || n_pooled == 0 || flags == 0
        }' "$1/waterbed.csv" "$1/waterbed_pooled.csv" "$1/waterbed_summary.csv"
}
out=$(check_summary "$F" 0) && ok "full precision: summary = detailed tables ($out)" \
    || bad "full precision: $out"
# rounded (the demo's own run): the pooled p-values have 4 decimals there, 6 in the summary
out=$(check_summary "$D/waterbed" 0.00005) && ok "rounded: summary = detailed tables ($out)" \
    || bad "rounded: $out"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         length($(c["did"])) > 9 { long++ } END { exit !(long > 10) }' "$F/waterbed.csv" \
    && ok "--full-precision: unrounded reals in waterbed.csv" || bad "--full-precision: rounded"
grep -q '"full_precision":true' "$F/run.json" && grep -q '"full_precision":false' "$D/waterbed/run.json" \
    && ok "run.json records full_precision" || bad "run.json full_precision"
for f in waterbed_summary.csv waterbed.html waterbed.md; do
    [[ -s "$F/$f" ]] && grep -q "\"$f\"" "$F/run.json" && ok "$f written and in run.json outputs" \
        || bad "$f missing or not in run.json outputs"
done

# the report: every flagged focus area and every pooled number (as the report rounds them)
for doc in waterbed.html waterbed.md; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
             { gsub(/"/, "") }
             $(c["level"]) == "area" && $(c["flag"]) != "" { print "id", $(c["focus_id"]) }
             $(c["level"]) == "pooled" { e = sprintf("%.3f", $(c["estimate"])); if (e == "-0.000") e = "0.000"
                                         print "num", e }' "$F/waterbed_summary.csv" | sort -u >"$TMP/needles"
    n=0
    missing=""
    while read -r kind needle; do
        n=$((n + 1))
        grep -qF -- "$needle" "$F/$doc" || missing+=" $kind:$needle"
    done <"$TMP/needles"
    [[ -z $missing && $n -ge 4 ]] && ok "$doc: all $n flagged areas and pooled estimates" \
        || bad "$doc lacks:$missing (of $n)"
done
html=$F/waterbed.html
if grep -Eiq '(src|href|xlink:href)[[:space:]]*=|@import|url\([^#)]|https?:|//[a-z0-9.-]+\.[a-z]{2,}/' "$html"; then
    bad "waterbed.html: external reference: $(grep -Eio '(src|href)[^>]{0,60}|url\([^)]*\)|https?:[^ "]*' "$html" | head -3)"
else
    ok "waterbed.html references nothing outside itself"
fi
grep -q '<svg class="forest"' "$html" && grep -q '<svg class="map"' "$html" \
    && grep -q 'adjacency order 1' "$html" && grep -q 'far control' "$html" \
    && ok "waterbed.html: forest plot and zone map with legend" || bad "waterbed.html: figures"
grep -q '<svg' "$F/waterbed.md" && bad "waterbed.md has SVG" || ok "waterbed.md: no figures, text only"
# ';' separator: the summary follows it with decimal commas
"$LEEFBAAR" waterbed -q --scores "$D/score" --focus "$LB_SOURCE_ROOT/shapes/leefstad.gpkg:focus_wijken" \
    --placebos 19 --bootstrap 0 --csv-sep ';' -o "$TMP/semi" 2>"$TMP/err" \
    && head -1 "$TMP/semi/waterbed_summary.csv" | grep -q '^run;period;period_role;outcome;level;' \
    && grep -q ';-0,0' "$TMP/semi/waterbed_summary.csv" \
    && ok "--csv-sep ';': summary with ';' and decimal commas" || bad "--csv-sep ';' summary"
finish
