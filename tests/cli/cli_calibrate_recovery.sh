#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# leefbaar calibrate recovers the planted coefficients of the demo city's resident judgements
# (shapes/leefstad_oordelen.csv, made by tools/synth/judgement.c from the planted model
# shapes/leefstad_oordeel.yaml plus survey noise): every fitted coefficient lies within 2.5
# standard errors of the planted one, in 2020 and 2022 (independent noise draws). The demo is
# one gemeente, so the folds are whole wijken (--cluster-field WK_CODE); no fold splits a wijk,
# and the default grouping by gemeente is refused with a clear error.
source "$(dirname "$0")/lib.sh"
ROOT=${LB_SOURCE_ROOT:?}
PY=$(command -v /usr/bin/python3 || command -v python3)
[[ -n $PY ]] || { echo "SKIP: python3 is needed to read the reports"; exit 77; }

truth=$ROOT/shapes/leefstad_oordeel.yaml
# Start from coefficients far from the truth (every coef 0.5), so a fit that kept the model's
# coefficients would fail.
sed -E 's/^(    coef: ).*/\10.5/' "$truth" >"$TMP/start.yaml"
if grep -q 'coef: 0.5$' "$TMP/start.yaml" && ! cmp -s "$truth" "$TMP/start.yaml"; then
    ok "start model has coefficients 0.5"
else
    bad "start model: could not replace the coefficients"
fi

for year in 2020 2022; do
    out=$TMP/fit_$year.yaml
    if "$LEEFBAAR" calibrate -q --model "$TMP/start.yaml" \
        --input buurten="$ROOT/shapes/leefstad_$year.gpkg:buurten" --units buurten \
        --target "$ROOT/shapes/leefstad_oordelen.csv:RAPPORTCIJFER" --target-id BU_CODE \
        --target-year-field JAAR --year "$year" --cluster-field WK_CODE \
        -o "$out" >"$TMP/log_$year" 2>&1; then
        ok "calibrate $year ran"
    else
        bad "calibrate $year failed: $(cat "$TMP/log_$year")"
        continue
    fi
    if "$PY" - "$truth" "${out%.yaml}.calibrate.json" "${out%.yaml}.predictions.csv" "$year" \
        >"$TMP/check_$year" 2>&1 <<'EOF'; then
import csv, json, re, sys

truth_path, json_path, pred_path, year = sys.argv[1:5]
# The planted model: indicator ids and coefs in file order, the intercept in a comment.
truth, ident = {}, None
for line in open(truth_path, encoding="utf-8"):
    m = re.match(r"  - id: (\w+)", line)
    if m:
        ident = m.group(1)
    m = re.match(r"    coef: (\S+)", line)
    if m:
        truth[ident] = float(m.group(1))
    m = re.match(r"# planted_intercept: (\S+)", line)
    if m:
        intercept = float(m.group(1))
assert len(truth) == 4, truth
doc = json.load(open(json_path, encoding="utf-8"))
(t,) = doc["targets"]
fails = []
# 62 buurten: the industrial estate and the park have no published cijfer.
if t["n"] != 60:
    fails.append(f"n = {t['n']}, expected 60")
if t["counts"]["left_out_missing_target"] + t["counts"].get("left_out_not_scored", 0) != 2:
    fails.append(f"left out: {t['counts']}")
coefs = {c["indicator"]: c for c in t["coefficients"]}
for ident, beta in truth.items():
    c = coefs[ident]
    z = (c["coef"] - beta) / c["se"]
    print(f"{year} {ident}: planted {beta:+.4f} fitted {c['coef']:+.4f} se {c['se']:.4f} "
          f"z {z:+.2f}")
    if not c["se"] > 0 or abs(z) > 2.5:
        fails.append(f"{ident}: |z| = {abs(z):.2f} > 2.5")
z = (t["intercept"]["coef"] - intercept) / t["intercept"]["se"]
print(f"{year} intercept: planted {intercept:+.4f} fitted {t['intercept']['coef']:+.4f} z {z:+.2f}")
if abs(z) > 2.5:
    fails.append(f"intercept: |z| = {abs(z):.2f} > 2.5")
# Folds: whole wijken. The cluster of a buurt must be its wijk (BU9901WWBB -> WK9901WW),
# and every wijk must lie in one fold.
rows = list(csv.DictReader(open(pred_path, encoding="utf-8")))
fold_of = {}
for r in rows:
    code = next(v for k, v in r.items() if v.startswith("BU"))
    wijk = "WK" + code[2:8]
    fold_of.setdefault(wijk, set()).add(r["fold"])
    if wijk not in r.values():
        fails.append(f"{code}: its wijk {wijk} is not its cluster: {r}")
split = {w: f for w, f in fold_of.items() if len(f) != 1}
if split:
    fails.append(f"wijken split over folds: {split}")
if len(rows) != 60 or len(fold_of) != 10:
    fails.append(f"{len(rows)} predictions, {len(fold_of)} wijken")
if t["n_folds"] != 10:
    fails.append(f"n_folds = {t['n_folds']}, expected 10 (one wijk per fold)")
if not t["cv_r2"] < t["r2"]:
    fails.append(f"CV R2 {t['cv_r2']} not below R2 {t['r2']}")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
EOF
        ok "calibrate $year recovers the planted coefficients; folds are whole wijken"
    else
        bad "calibrate $year: $(cat "$TMP/check_$year")"
    fi
    cat "$TMP/check_$year"
done

# The fitted model scores without edits.
if [[ -f $TMP/fit_2020.yaml ]] && "$LEEFBAAR" score -q --mode area --units buurten \
    --model "$TMP/fit_2020.yaml" --input buurten="$ROOT/shapes/leefstad_2020.gpkg:buurten" \
    --year 2020 -o "$TMP/score" >"$TMP/score.log" 2>&1; then
    ok "the fitted model scores"
else
    bad "the fitted model does not score: $(cat "$TMP/score.log" 2>/dev/null)"
fi

# One gemeente: grouping by gemeente (the default) cannot cross-validate.
expect_fail "one gemeente cannot be cross-validated by gemeente" "at least 2 clusters" \
    "$LEEFBAAR" calibrate -q --model "$TMP/start.yaml" \
    --input buurten="$ROOT/shapes/leefstad_2020.gpkg:buurten" --units buurten \
    --target "$ROOT/shapes/leefstad_oordelen.csv:RAPPORTCIJFER" --target-id BU_CODE \
    --target-year-field JAAR --year 2020 -o "$TMP/one_gm.yaml"
[[ ! -e $TMP/one_gm.yaml ]] && ok "no fitted model after the error" ||
    bad "a fitted model was written after the error"
finish
