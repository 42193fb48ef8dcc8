# SPDX-License-Identifier: MIT
# leefbaar waterbed on the demo city: outputs and their columns, focus areas as polygons, as
# codes and as a code table give the same numbers, seeded runs are identical, a published-style
# table with joined polygons works, bad input fails cleanly without output.
source "$(dirname "$0")/lib.sh"
D=$TMP/demo
if ! "$LEEFBAAR" demo -q --data "$LB_SOURCE_ROOT" "$D" 2>"$TMP/err"; then
    bad "demo runs: $(cat "$TMP/err")"
    finish
    exit 1
fi
W=$D/waterbed
for f in waterbed.csv waterbed_pooled.csv zones.gpkg run.json; do
    [[ -s "$W/$f" ]] && ok "demo wrote waterbed/$f" || bad "demo: missing waterbed/$f"
done
# zones.gpkg opens styled: units by ring (default), adjacency order and RIGO zone, with a
# category per value the units hold (ring names come from the ring options); focus as outlines
styles=$(ogrinfo -q "$W/zones.gpkg" -sql "SELECT f_table_name || ':' || styleName || ':' ||
    useAsDefault AS s FROM layer_styles ORDER BY f_table_name, styleName" 2>&1 |
    sed -n 's/^ *s (String) = //p' | tr '\n' ' ')
[[ "$styles" == "focus:focus:1 units:adj_order:0 units:rigo:0 units:ring:1 " ]] &&
    ok "zones.gpkg: styles ring (default), adj_order, rigo; focus outlines" ||
    bad "zones.gpkg styles: $styles"
rings=$(ogrinfo -q "$W/zones.gpkg" -sql "SELECT DISTINCT ring FROM units WHERE ring IS NOT NULL
    ORDER BY ring" 2>&1 | sed -n 's/^ *ring (String) = //p' | sort | tr '\n' ' ')
qml=$(ogrinfo -q "$W/zones.gpkg" -sql "SELECT styleQML FROM layer_styles WHERE styleName = 'ring'" \
    2>&1)
cats=$(grep -o '<category [^>]*value="[^"]*"' <<<"$qml" | sed 's/.*value="//; s/"$//' | tr '\n' ' ')
[[ -n "$rings" && "$(tr ' ' '\n' <<<"$cats" | sed '/^$/d' | sort | tr '\n' ' ')" == "$rings" ]] &&
    [[ "$cats" == ring_0_250\ *beyond\  ]] &&
    ok "ring style: a category per ring, nearest first, beyond last ($cats)" ||
    bad "ring categories '$cats' vs rings '$rings'"

# value of column NAME in the rows of CSV matching all KEY=VALUE filters (quotes stripped)
csv() {
    local file=$1 name=$2
    shift 2
    awk -F, -v name="$name" -v filters="$*" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { gsub(/"/, "") ; keep = 1
          n = split(filters, f, " ")
          for (k = 1; k <= n; k++) { split(f[k], kv, "="); if ($(col[kv[1]]) != kv[2]) keep = 0 }
          if (keep) print $(col[name]) }' "$file"
}

head -1 "$W/waterbed.csv" | grep -q '^run,period,t0,t1,period_role,focus_id,focus_name,gemeente,scheme,zone,ring_min_m,ring_max_m,outcome,n_units,population,weight_sum,mean_t0,mean_t1,delta,trend,rel_delta,delta_ctrl,did,did_focus,share_lagging_k1,n_receiving,n_lagging_k2,wdq,p_placebo_one,p_placebo_two,placebo_method,n_placebo,p_placebo_min,q_one,q_two,placebo_lo,placebo_hi,delta_ctrl_plain,did_plain,p_placebo_upper,q_upper$' \
    && ok "waterbed.csv columns" || bad "waterbed.csv header: $(head -1 "$W/waterbed.csv")"
rows=$(($(wc -l <"$W/waterbed.csv") - 1))
# 2 focus areas x (focus + 4 rings + 3 adjacency + 3 RIGO + far) x 7 outcomes x 1 period
[[ $rows -eq 168 ]] && ok "168 rows" || bad "rows: $rows"
for f in WK990106 WK990109; do
    p=$(csv "$W/waterbed.csv" p_placebo_one focus_id=$f zone=ring_0_250 outcome=lbm)
    did=$(csv "$W/waterbed.csv" did focus_id=$f zone=ring_0_250 outcome=lbm)
    awk -v p="$p" -v d="$did" 'BEGIN { exit !(p < 0.05 && d < 0) }' \
        && ok "$f: first ring declines, placebo p $p" || bad "$f: first ring did $did p $p"
    # 62 buurten fit only a few disjoint placebo areas: units re-assigned, 199 times
    m=$(csv "$W/waterbed.csv" placebo_method focus_id=$f zone=ring_0_250 outcome=lbm)
    n=$(csv "$W/waterbed.csv" n_placebo focus_id=$f zone=ring_0_250 outcome=lbm)
    pmin=$(csv "$W/waterbed.csv" p_placebo_min focus_id=$f zone=ring_0_250 outcome=lbm)
    [[ $m == units && $n -eq 199 && $pmin == 0.005 ]] && ok "$f: placebo_method units, 199 draws" \
        || bad "$f: placebo_method '$m' n '$n' p_min '$pmin'"
done
grep -q '"placebo_mode":"auto"' "$W/run.json" && grep -q '"placebo_method":"units"' "$W/run.json" \
    && grep -q 'disjoint placebo areas fit among' "$W/run.json" \
    && ok "run.json: placebo mode, method and why" || bad "run.json placebo method"
# one warning for both focus areas (not one each), with each one's figures
notes=$(python3 -c 'import json, sys
w = [x for x in json.load(open(sys.argv[1]))["warnings"] if "placebo" in x]
print(len(w)); print(w[0] if w else "")' "$W/run.json")
[[ $(head -1 <<<"$notes") == 1 ]] && grep -q "^both focus areas: too few disjoint placebo areas" <<<"$notes" \
    && grep -q "'WK990106' (3 areas fit among 32 candidates), 'WK990109' (3 areas fit among 32 candidates)$" <<<"$notes" \
    && ok "one placebo warning naming both focus areas" || bad "placebo warnings: $notes"
[[ -z $(csv "$W/waterbed.csv" placebo_method zone=far outcome=lbm) ]] \
    && ok "no placebo method on untested rows" || bad "placebo_method on the far control"
n_pl=$(ogrinfo -so "$W/zones.gpkg" placebos | awk -F': ' '/Feature Count/ {print $2}')
[[ $n_pl -eq 0 ]] && ok "no pseudo areas in zones.gpkg for re-assigned units" \
    || bad "placebos layer: $n_pl features"

# placebo areas asked for: only the few disjoint ones count, p never below 1/(K + 1)
"$LEEFBAAR" waterbed -q --scores "$D/score" --focus "$LB_SOURCE_ROOT/shapes/leefstad.gpkg:focus_wijken" \
    --placebo-mode areas --bootstrap 0 -o "$TMP/areas" 2>"$TMP/err" \
    && ok "--placebo-mode areas runs" || bad "--placebo-mode areas: $(cat "$TMP/err")"
grep -q 'cannot go below' "$TMP/err" && ok "areas: warns that p cannot reach 0.05" \
    || bad "areas: no warning: $(cat "$TMP/err")"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         $(c["p_placebo_one"]) != "" {
             n++; k = $(c["n_placebo"])
             if ($(c["placebo_method"]) != "areas" || k < 1 || k >= 19) bad++
             if ($(c["p_placebo_one"]) < 1 / (k + 1) - 1e-6 || $(c["p_placebo_two"]) < 1 / (k + 1) - 1e-6) bad++
             if ($(c["p_placebo_min"]) - 1 / (k + 1) > 1e-6 || 1 / (k + 1) - $(c["p_placebo_min"]) > 1e-6) bad++ }
         END { exit !(n > 0 && bad == 0) }' "$TMP/areas/waterbed.csv" \
    && ok "areas: K < 19 disjoint areas, every p >= p_placebo_min = 1/(K + 1)" \
    || bad "areas: p below 1/(K + 1) or wrong method"
n_pl=$(ogrinfo -so "$TMP/areas/zones.gpkg" placebos | awk -F': ' '/Feature Count/ {print $2}')
dup=$(ogr2ogr -f CSV /vsistdout/ "$TMP/areas/zones.gpkg" placebos -select focus_id,units |
    awk -F, 'NR > 1 { gsub(/"/, ""); n = split($2, u, "|"); for (i = 1; i <= n; i++) if (seen[$1 "/" u[i]]++) d++ }
             END { print d + 0 }')
[[ $n_pl -ge 2 && $dup -eq 0 ]] && ok "areas: $n_pl pseudo areas in zones.gpkg, no unit in two of a focus area" \
    || bad "areas: $n_pl pseudo areas, $dup shared units"
layers=$(ogrinfo -so "$W/zones.gpkg" | grep -cE '^[0-9]+: (units|focus|placebos) ')
[[ $layers -eq 3 ]] && ok "zones.gpkg layers units, focus, placebos" || bad "zones.gpkg layers"
n_units=$(ogrinfo -so "$W/zones.gpkg" units | awk -F': ' '/Feature Count/ {print $2}')
[[ $n_units -eq 62 ]] && ok "62 zoned units" || bad "zoned units: $n_units"
grep -q '"weight_used":"inhabitants"' "$W/run.json" && grep -q '"seed":1' "$W/run.json" \
    && ok "run.json records weight and seed" || bad "run.json weight/seed"

# the same focus wijken as wijk codes (matched on the buurten's WK_CODE) and as a code table
S=(--scores "$D/score")
"$LEEFBAAR" waterbed -q "${S[@]}" --focus-codes WK990106,WK990109 -o "$TMP/codes" 2>"$TMP/err" \
    && ok "--focus-codes runs" || bad "--focus-codes: $(cat "$TMP/err")"
for f in WK990106 WK990109; do
    a=$(csv "$W/waterbed.csv" did focus_id=$f zone=ring_0_250 outcome=won)
    b=$(csv "$TMP/codes/waterbed.csv" did focus_id=$f zone=ring_0_250 outcome=won)
    [[ -n $a && $a == "$b" ]] && ok "$f: codes give the polygon's did ($a)" || bad "$f: $a vs $b"
done
printf 'nr,gemeente,gm_code_2016,wijk_besluit,candidate_cbs2016_wijk_codes\n1,Leefstad,GM9901,Zuiderpolder,WK990106\n2,Leefstad,GM9901,Noorderhaven en Centrum,WK990109|WK990100\n' >"$TMP/focus.csv"
"$LEEFBAAR" waterbed -q "${S[@]}" --focus "$TMP/focus.csv" --focus-where "nr = '2'" \
    --placebos 0 --bootstrap 0 -o "$TMP/table" 2>"$TMP/err" \
    && ok "code table runs" || bad "code table: $(cat "$TMP/err")"
n=$(csv "$TMP/table/waterbed.csv" n_units focus_id=2 zone=focus outcome=lbm)
name=$(csv "$TMP/table/waterbed.csv" focus_name focus_id=2 zone=focus outcome=lbm)
[[ $n -eq 11 && $name == "Noorderhaven en Centrum" ]] && ok "a focus area of two wijken (11 buurten)" \
    || bad "code table focus: n=$n name=$name"
[[ -z $(csv "$TMP/table/waterbed.csv" n_units focus_id=1 zone=focus outcome=lbm) ]] \
    && ok "--focus-where keeps one row" || bad "--focus-where"

# seeded: identical tables for the same seed
"$LEEFBAAR" waterbed -q "${S[@]}" --focus-codes WK990106,WK990109 -o "$TMP/codes2" 2>/dev/null
cmp -s "$TMP/codes/waterbed.csv" "$TMP/codes2/waterbed.csv" \
    && cmp -s "$TMP/codes/waterbed_pooled.csv" "$TMP/codes2/waterbed_pooled.csv" \
    && ok "same seed, same tables" || bad "runs with the same seed differ"

# a published-style table (one row per buurt and year, no weight) with polygons joined on
# the id: every unit weighs 1
ogr2ogr -f CSV "$TMP/pub.csv" "$D/score/scores.gpkg" \
    -sql "SELECT BU_CODE, GM_CODE, year, lbm, afw, won, pub, vrz, bev, soc, vei FROM buurten"
"$LEEFBAAR" waterbed -q --scores "$TMP/pub.csv" --geometry "$LB_SOURCE_ROOT/shapes/leefstad_2020.gpkg:buurten" \
    --focus "$LB_SOURCE_ROOT/shapes/leefstad.gpkg:focus_wijken" --rings 250,500 --csv-sep ';' \
    --placebos 99 -o "$TMP/pub" 2>"$TMP/err" && ok "published table runs" || bad "published: $(cat "$TMP/err")"
grep -q '"weight_used":"unit"' "$TMP/pub/run.json" && ok "no population: unit weights recorded" \
    || bad "weight_used for a table without weights"
head -1 "$TMP/pub/waterbed.csv" | grep -q '^run;period;' && ok "--csv-sep ';'" || bad "csv sep"

# bad input: clear messages, exit 1 (2 for usage), nothing written
expect_fail "no scores" "--scores is required" "$LEEFBAAR" waterbed --focus-codes A -o "$TMP/e1"
expect_fail "no focus" "--focus or --focus-codes" "$LEEFBAAR" waterbed "${S[@]}" -o "$TMP/e2"
expect_fail "bad rings" "--rings wants metres" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --rings 250,abc -o "$TMP/e3"
expect_fail "descending rings" "ascending" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --rings 500,250 -o "$TMP/e4"
expect_fail "year not in data" "years: 2020, 2022" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --periods 2019-2022 -o "$TMP/e5"
expect_fail "unknown codes" "no focus area matches" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes X=WK123456 -o "$TMP/e6"
expect_fail "missing focus file" "nosuch.gpkg" "$LEEFBAAR" waterbed "${S[@]}" --focus /nonexistent/nosuch.gpkg -o "$TMP/e7"
expect_fail "too few placebos" "too few" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --placebos 5 -o "$TMP/e8"
expect_fail "bad enum" "unknown value 'far'" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --distance far -o "$TMP/e9"
expect_fail "bad code table field" "no codes field 'codez'" "$LEEFBAAR" waterbed "${S[@]}" --focus "$TMP/focus.csv" --focus-codes-field codez -o "$TMP/e10"
expect_fail "bad placebo mode" "--placebo-mode: unknown value 'rings'" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --placebo-mode rings -o "$TMP/e11"

# pooled ring and adjacency models, intervals, and a bootstrap p of 0 printed as < 1/(B+1)
"$LEEFBAAR" waterbed -q "${S[@]}" --focus-codes WK990106,WK990109 --placebos 0 --bootstrap 39 \
    --boot-weights webb --pooled-fe none --match-classes quantiles:4 --bh-family period \
    -o "$TMP/pooled" 2>"$TMP/err" && ok "pooled options run" || bad "pooled options: $(cat "$TMP/err")"
PC=$TMP/pooled/waterbed_pooled.csv
head -1 "$PC" | grep -q ',cluster,model,fixed_effects,boot_weights,p_boot_upper,ci_low,ci_high,ci_level,p_boot_two_text,p_boot_one_text,p_boot_upper_text$' \
    && ok "waterbed_pooled.csv columns" || bad "waterbed_pooled.csv header: $(head -1 "$PC")"
[[ -n $(csv "$PC" estimate model=adjacency term=adj_1 outcome=lbm) && -n $(csv "$PC" estimate model=ring term=ring_0_250 outcome=lbm) ]] \
    && ok "ring and adjacency models" || bad "pooled models missing"
zeros=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                 $(c["p_boot_two"]) == "0" { n++; if ($(c["p_boot_two_text"]) != "< 0.025") bad++ }
                 END { print n + 0, bad + 0 }' "$PC")
[[ ${zeros% *} -gt 0 && ${zeros#* } -eq 0 ]] && ok "p_boot_two 0 printed '< 0.025' (${zeros% *} rows)" \
    || bad "p text: $zeros"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         $(c["ci_low"]) == "" || $(c["ci_low"]) + 0 > $(c["estimate"]) + 0 || $(c["ci_high"]) + 0 < $(c["estimate"]) + 0 { bad++ }
         END { exit bad > 0 }' "$PC" && ok "every interval holds its estimate" || bad "intervals"
grep -q '"pooled_fe":"none"' "$TMP/pooled/run.json" && grep -q '"boot_weights":"webb"' "$TMP/pooled/run.json" \
    && grep -q '"match_classes":"quantiles"' "$TMP/pooled/run.json" && grep -q '"bh_family":"period"' "$TMP/pooled/run.json" \
    && ok "run.json: pooled, bootstrap, matching and BH choices" || bad "run.json choices"
expect_fail "ci level needs draws" "interval needs at least" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --bootstrap 9 -o "$TMP/e12"
expect_fail "bad match classes" "--match-classes" "$LEEFBAAR" waterbed "${S[@]}" --focus-codes WK990106 --match-classes 4,3 -o "$TMP/e13"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
    [[ -e "$TMP/e$i" ]] && bad "output e$i left behind" || ok "no output e$i"
done
finish
