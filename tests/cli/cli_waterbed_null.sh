# SPDX-License-Identifier: MIT
# Null cities: the generator with its planted effect switched off (--waterbed-strength 0),
# 6 seeds, the demo chain (score both years, waterbed around the 2 focus wijken).
# - The pooled ring regression's wild cluster bootstrap holds its size: the first ring's
#   one-sided p is at most 0.05 in at most 2 of 6 cities (Binomial(6, 0.05): P(>= 3) = 0.002).
# - The placebo test cannot hold its size in a 62-buurt city (its ~33 candidate buurten fit
#   only ~5 non-overlapping placebo areas, so the 199 placebos share units and their spread is
#   too small): every run must say so in run.json. Its rejection rate is printed for the
#   record; the placebo test's nominal size is tested on 576 synthetic units in memory
#   (test_waterbed_placebo_null_size).
source "$(dirname "$0")/lib.sh"
n=0
pooled_rej=0
placebo_rej=0
placebo_n=0
for seed in 11 12 13 14 15 16; do
    city=$TMP/city$seed
    if ! "$LEEFBAAR_SYNTH" city "$city" --seed $seed --waterbed-strength 0 >"$TMP/syn.log" 2>&1; then
        bad "seed $seed: generator failed: $(tail -2 "$TMP/syn.log")"
        continue
    fi
    ln -s "$LB_SOURCE_ROOT/models" "$city/models"
    if ! "$LEEFBAAR" demo -q --data "$city" "$city/out" 2>"$TMP/err"; then
        bad "seed $seed: demo failed: $(cat "$TMP/err")"
        continue
    fi
    W=$city/out/waterbed
    p=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                 $(c["term"]) == "ring_0_250" && $(c["outcome"]) == "lbm" { print $(c["p_boot_one"]) }' \
        "$W/waterbed_pooled.csv")
    [[ -n $p ]] && n=$((n + 1))
    awk -v p="$p" 'BEGIN { exit !(p != "" && p <= 0.05) }' && pooled_rej=$((pooled_rej + 1))
    while read -r q; do
        placebo_n=$((placebo_n + 1))
        awk -v p="$q" 'BEGIN { exit !(p <= 0.05) }' && placebo_rej=$((placebo_rej + 1))
    done < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                     $(c["zone"]) == "ring_0_250" && $(c["outcome"]) == "lbm" { print $(c["p_placebo_one"]) }' \
                 "$W/waterbed.csv")
    grep -q "placebo areas fit among" "$W/run.json" && ok "seed $seed: overlap of placebos reported" \
        || bad "seed $seed: no placebo overlap warning"
    rm -rf "$city"
done
echo "# null cities: pooled bootstrap rejects $pooled_rej of $n, placebo test $placebo_rej of $placebo_n (first ring, 5 %, one-sided)"
[[ $n -eq 6 ]] && ok "6 pooled tests" || bad "pooled tests: $n"
[[ $pooled_rej -le 2 ]] && ok "pooled rejections $pooled_rej <= 2" || bad "pooled rejections: $pooled_rej of $n"
finish
