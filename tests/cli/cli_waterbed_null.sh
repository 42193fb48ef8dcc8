# SPDX-License-Identifier: MIT
# Null cities: the generator with its planted effect switched off (--waterbed-strength 0), 14
# seeds, scored (both years) and analysed around the 2 focus wijken with the default options:
# 28 first-ring placebo tests and 14 pooled ones, independent across cities (14 cities keep
# the run near 50 s; the generator takes 2.3 s a city).
# - 62 buurten fit fewer than 19 disjoint placebo areas of a focus wijk's size, so the placebo
#   p-values come from re-assigned units (placebo_method 'units', 199 draws).
# - They hold their size. If each of the 28 tests rejects with probability 0.05 the count X
#   is Binomial(28, 0.05): P(X >= 5) = 0.012, so at most 4 one-sided rejections at 5 % are
#   allowed. Both tails together (p <= 0.05 or p > 0.95, nominal 10 %) at most 7:
#   P(X >= 8 | 28, 0.10) = 0.005. The overlapping placebo areas used before rejected 27 % at
#   5 % and put 44 % in the two tails (U-shaped p-values); such a test passes both bounds with
#   probability below 0.03 (P(X <= 7 | 28, 0.44) = 0.031), and on these 28 it rejected 8 and
#   had 11 in the tails. The mean p must be 0.5 within 0.16 (3 sd of the mean of 28 uniform
#   p-values), so a test that never rejects fails too. (Over 400 first rings, seeds 11-210:
#   31 one-sided and 18 two-sided rejections; the one-sided excess comes from a small decline
#   of the first rings against the far control that the strength-0 cities have, -0.0027 on
#   average, see README.)
# - The pooled ring regression's wild cluster bootstrap: at most 3 of 14 one-sided rejections
#   of the first ring at 5 % (Binomial(14, 0.05): P(X >= 4) = 0.004).
source "$(dirname "$0")/lib.sh"
n=0
pooled_rej=0
lo=0
hi=0
sum_p=0
units=0
for seed in $(seq 11 24); do
    city=$TMP/city$seed
    if ! "$LEEFBAAR_SYNTH" city "$city" --seed $seed --waterbed-strength 0 >"$TMP/syn.log" 2>&1; then
        bad "seed $seed: generator failed: $(tail -2 "$TMP/syn.log")"
        continue
    fi
    S=$city/shapes
    if ! "$LEEFBAAR" score -q --model "$LB_SOURCE_ROOT/models/default.yaml" --years 2020,2022 \
        -i buurten@2020="$S/leefstad_2020.gpkg:buurten" -i buurten@2022="$S/leefstad_2022.gpkg:buurten" \
        -i amenities@2020="$S/leefstad_2020.gpkg:amenities" -i amenities@2022="$S/leefstad_2022.gpkg:amenities" \
        -i incidents@2020="$S/leefstad_2020.gpkg:incidents" -i incidents@2022="$S/leefstad_2022.gpkg:incidents" \
        -i roads="$S/leefstad.gpkg:roads" -i noise="$city/rasters/noise_lden.tif" \
        -i green="$city/rasters/green_share.tif" -of GTiff -o "$city/score" 2>"$TMP/err"; then
        bad "seed $seed: score failed: $(cat "$TMP/err")"
        continue
    fi
    W=$city/waterbed
    if ! "$LEEFBAAR" waterbed -q --scores "$city/score" --focus "$S/leefstad.gpkg:focus_wijken" \
        -o "$W" 2>"$TMP/err"; then
        bad "seed $seed: waterbed failed: $(cat "$TMP/err")"
        continue
    fi
    p=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                 $(c["term"]) == "ring_0_250" && $(c["outcome"]) == "lbm" { print $(c["p_boot_one"]) }' \
        "$W/waterbed_pooled.csv")
    awk -v p="$p" 'BEGIN { exit !(p != "" && p <= 0.05) }' && pooled_rej=$((pooled_rej + 1))
    while read -r method q; do
        n=$((n + 1))
        [[ $method == units ]] && units=$((units + 1))
        awk -v p="$q" 'BEGIN { exit !(p <= 0.05) }' && lo=$((lo + 1))
        awk -v p="$q" 'BEGIN { exit !(p > 0.95) }' && hi=$((hi + 1))
        sum_p=$(awk -v s="$sum_p" -v p="$q" 'BEGIN { print s + p }')
    done < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                     $(c["zone"]) == "ring_0_250" && $(c["outcome"]) == "lbm" && $(c["p_placebo_one"]) != "" {
                         print $(c["placebo_method"]), $(c["p_placebo_one"]) }' "$W/waterbed.csv")
    rm -rf "$city"
done
mean_p=$(awk -v s="$sum_p" -v n="$n" 'BEGIN { printf "%.3f", n ? s / n : -1 }')
echo "# null cities: placebo test rejects $lo of $n first rings at 5 % (one-sided), $hi in the upper tail, mean p $mean_p; pooled bootstrap $pooled_rej of 14"
[[ $n -eq 28 ]] && ok "28 first-ring placebo tests" || bad "first-ring placebo tests: $n"
[[ $units -eq $n ]] && ok "placebo_method units in every city" || bad "placebo_method units: $units of $n"
[[ $lo -le 4 ]] && ok "one-sided rejections $lo <= 4 of $n" || bad "one-sided rejections: $lo of $n"
[[ $((lo + hi)) -le 7 ]] && ok "rejections in either tail $((lo + hi)) <= 7 of $n" \
    || bad "rejections in either tail: $((lo + hi)) of $n"
awk -v m="$mean_p" 'BEGIN { exit !(m >= 0.34 && m <= 0.66) }' && ok "mean p $mean_p within 0.5 +- 0.16" \
    || bad "mean p $mean_p"
[[ $pooled_rej -le 3 ]] && ok "pooled rejections $pooled_rej <= 3 of 14" || bad "pooled rejections: $pooled_rej of 14"
finish
