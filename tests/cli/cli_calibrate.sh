# SPDX-License-Identifier: MIT
# leefbaar calibrate on a hand-made fixture: 48 buurten in 8 gemeenten (squares with KWB-like
# fields from a fixed generator) and a long-form target table (two years, field jaar). The
# numbers are checked against independent computations in Python (pure, no numpy): the
# transformed indicators from the raw fields, the WLS coefficients from the normal equations,
# the predictions from the coefficients; then the fitted model is scored without edits; then
# the errors: codes that join nothing, fewer units than coefficients, a constant indicator.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }

# gen DIR N: buurten.geojson (N buurten, 6 per gemeente) and target.csv (years 2016, 2018)
gen() {
    mkdir -p "$1"
    awk -v N="$2" -v dir="$1" 'BEGIN {
        s = 12345
        gj = dir "/buurten.geojson"; tc = dir "/target.csv"
        printf "{\"type\": \"FeatureCollection\", \"name\": \"buurten\",\n" > gj
        printf "\"crs\": {\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::28992\"}},\n" > gj
        printf "\"features\": [\n" > gj
        print "BU_CODE,jaar,oordeel,WK_CODE" > tc
        for (i = 0; i < N; i++) {
            g = int(i / 6) + 1; x0 = 100000 + (i % 8) * 500; y0 = 450000 + int(i / 8) * 500
            for (k = 0; k < 5; k++) { s = (s * 1103515245 + 12345) % 2147483648; r[k] = s / 2147483648 }
            woz = 150 + 300 * r[0]; koop = 10 + 80 * r[1]; sup = 0.2 + 3 * r[2]
            inw = 200 + int(2000 * r[3])
            code = sprintf("BU99%02d%04d", g, i)
            printf "%s{\"type\": \"Feature\", \"properties\": {\"BU_CODE\": \"%s\", \"GM_CODE\": \"GM99%02d\", \"AANT_INW\": %d, \"WOZ\": %.1f, \"P_KOOPWON\": %.1f, \"AF_SUPERM\": %.2f, \"CONST\": 5}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[%d, %d], [%d, %d], [%d, %d], [%d, %d], [%d, %d]]]}}\n", \
                (i ? "," : ""), code, g, inw, woz, koop, sup, x0, y0, x0 + 500, y0, x0 + 500, y0 + 500, x0, y0 + 500, x0, y0 > gj
            y = 7 + 0.004 * woz + 0.01 * koop - 0.2 * sup + 0.6 * (r[4] - 0.5)
            printf "%s,2016,%.4f,WK99%02d%02d\n", code, y, g, i % 2 > tc
            printf "%s,2018,%.4f,WK99%02d%02d\n", code, y + 0.1, g, i % 2 > tc
        }
        print "]}" > gj
    }'
}
gen "$TMP/d" 48
D=$TMP/d
cat >"$D/model.yaml" <<'EOF'
# calibrate test model
name: cal-test
version: 1
reference:
  mode: per_year
  ref: 4.10
weight: {kind: inhabitants, layer: buurten, field: AANT_INW}
dimensions:
  - {code: won, label: Woningvoorraad}
  - {code: vrz, label: Voorzieningen}
indicators:
  - id: woz
    dimension: won
    kind: attribute
    layer: buurten
    field: WOZ
    transform: {log1p: true, zscore: true}
    coef: 0.04    # house values, a comment that must survive
    sign: "+"
  - id: koop
    dimension: won
    kind: attribute
    layer: buurten
    field: P_KOOPWON
    transform: zscore
    coef: 0.025
  - id: superm
    dimension: vrz
    kind: attribute
    layer: buurten
    field: AF_SUPERM
    transform: zscore
    coef: -0.03
    sign: positive   # deliberately wrong: the fit must say the sign is contradicted
EOF
cp "$D/model.yaml" "$D/model.orig"
cp "$D/target.csv" "$D/target.orig"
CAL=("$LEEFBAAR" calibrate -q --model "$D/model.yaml" -i "buurten=$D/buurten.geojson")

# ---- a fit end to end ----------------------------------------------------------------------
"${CAL[@]}" --target "$D/target.csv:oordeel" --year 2016 -o "$TMP/fit/fitted.yaml" \
    2>"$TMP/err" && ok "calibrate runs" || bad "calibrate runs: $(cat "$TMP/err")"
for f in fitted.yaml fitted.calibrate.json fitted.calibrate.md fitted.calibrate.html \
    fitted.predictions.csv; do
    [[ -s "$TMP/fit/$f" ]] && ok "wrote $f" || bad "missing $f"
done
[[ $(ls -A "$TMP/fit" | wc -l) -eq 5 ]] && ok "nothing else in the output directory" \
    || bad "extra files: $(ls -A "$TMP/fit")"
cmp -s "$D/model.yaml" "$D/model.orig" && cmp -s "$D/target.csv" "$D/target.orig" \
    && ok "inputs unchanged" || bad "an input changed"
grep -q 'sign is contradicted\|contradict' "$TMP/err" && ok "warns for the contradicted sign" \
    || bad "no sign warning: $(cat "$TMP/err")"
grep -q 'coef: .*# house values, a comment that must survive' "$TMP/fit/fitted.yaml" \
    && ok "comments kept beside the replaced coefficient" || bad "comment lost"
# only the coef lines differ before the appended calibration block
n=$(wc -l <"$D/model.yaml")
diff <(head -n "$n" "$TMP/fit/fitted.yaml") "$D/model.yaml" | grep '^[<>]' | grep -v 'coef:' \
    | grep -q . && bad "lines other than coef changed" || ok "only coef lines changed"
grep -q '^calibration:' "$TMP/fit/fitted.yaml" && ok "calibration block" || bad "no calibration block"
grep -q '<svg' "$TMP/fit/fitted.calibrate.html" && ! grep -q '<script\|src="http' \
    "$TMP/fit/fitted.calibrate.html" && ok "html self-contained with an SVG scatter" \
    || bad "html report"

# Independent checks (Python, no numpy): f_ columns from the raw fields, WLS from the normal
# equations, predictions from the coefficients in calibrate.json.
python3 - "$D/buurten.geojson" "$TMP/fit" >"$TMP/py.out" 2>&1 <<'EOF'
import csv, json, math, sys
gj, out = sys.argv[1], sys.argv[2]
feats = [f["properties"] for f in json.load(open(gj))["features"]]
w = [p["AANT_INW"] for p in feats]
def z(vals):
    sw = sum(w); m = sum(a * b for a, b in zip(w, vals)) / sw
    sd = math.sqrt(sum(a * (b - m) ** 2 for a, b in zip(w, vals)) / sw)
    return [(v - m) / sd for v in vals]
f = {"woz": z([math.log1p(p["WOZ"]) for p in feats]),
     "koop": z([p["P_KOOPWON"] for p in feats]), "superm": z([p["AF_SUPERM"] for p in feats])}
code = [p["BU_CODE"] for p in feats]
rows = list(csv.DictReader(open(out + "/fitted.predictions.csv")))
assert len(rows) == 48, len(rows)
bad = 0
for r in rows:
    u = code.index(r["code"])
    for k in f:
        if abs(float(r["f_" + k]) - f[k][u]) > 1e-9:
            bad += 1
assert bad == 0, "f_ columns differ from the transformed raw fields: %d" % bad
print("ok f_ columns equal the zscores of the raw fields")
# WLS by the normal equations (Gauss-Jordan), weights AANT_INW
names = ["woz", "koop", "superm"]
X = [[1.0] + [float(r["f_" + k]) for k in names] for r in rows]
y = [float(r["observed"]) for r in rows]
ww = [float(r["weight"]) for r in rows]
p = 4
A = [[sum(ww[i] * X[i][a] * X[i][b] for i in range(len(y))) for b in range(p)] +
     [sum(ww[i] * X[i][a] * y[i] for i in range(len(y)))] for a in range(p)]
for c in range(p):
    piv = max(range(c, p), key=lambda r: abs(A[r][c])); A[c], A[piv] = A[piv], A[c]
    for r in range(p):
        if r != c:
            fct = A[r][c] / A[c][c]
            A[r] = [a - fct * b for a, b in zip(A[r], A[c])]
beta = [A[i][p] / A[i][i] for i in range(p)]
doc = json.load(open(out + "/fitted.calibrate.json"))
t = doc["targets"][0]
got = [t["intercept"]["coef"]] + [c["coef"] for c in t["coefficients"]]
assert [c["indicator"] for c in t["coefficients"]] == names
for a, b in zip(beta, got):
    assert abs(a - b) <= 1e-9 * max(1, abs(a)), (beta, got)
print("ok WLS coefficients equal the normal equations' to 1e-9")
# predictions from the coefficients
for r in rows:
    fit = got[0] + sum(g * float(r["f_" + k]) for g, k in zip(got[1:], names))
    assert abs(fit - float(r["fitted"])) < 1e-9, (r["code"], fit, r["fitted"])
    assert abs(float(r["observed"]) - fit - float(r["residual"])) < 1e-9
print("ok fitted and residual recomputed from the coefficients")
sign = {c["indicator"]: c["sign_ok"] for c in t["coefficients"]}
assert sign == {"woz": True, "koop": None, "superm": False}, sign
print("ok sign checks")
folds = {}
for r in rows:
    folds.setdefault(r["gemeente"], set()).add(r["fold"])
assert len(folds) == 8 and all(len(v) == 1 for v in folds.values()), folds
print("ok one fold per gemeente, 8 gemeenten")
assert doc["cluster"]["source"].startswith("field GM_CODE")
assert t["counts"]["used"] == 48 and t["counts"]["rows_of_year"] == 48
print("ok counts")
EOF
if [[ $? -eq 0 ]]; then
    while read -r line; do ok "${line#ok }"; done <"$TMP/py.out"
else
    bad "independent checks: $(cat "$TMP/py.out")"
fi

# ---- the fitted model scores without edits -------------------------------------------------
"$LEEFBAAR" model check "$TMP/fit/fitted.yaml" >/dev/null 2>"$TMP/err" \
    && ok "model check accepts the fitted model" || bad "model check: $(cat "$TMP/err")"
"$LEEFBAAR" score -q --mode area --model "$TMP/fit/fitted.yaml" -i "buurten=$D/buurten.geojson" \
    --year 2016 -o "$TMP/score" 2>"$TMP/err" && ok "score runs the fitted model unedited" \
    || bad "score on the fitted model: $(cat "$TMP/err")"
grep -q '"calibration"' "$TMP/score/run.json" && grep -q '"cv_r2"' "$TMP/score/run.json" \
    && ok "score records the calibration in run.json" || bad "no calibration in run.json"
# Per-year reference on the same units: lbm = fitted + REF - weighted mean of the target.
python3 - "$TMP/score/buurten.csv" "$TMP/fit" <<'EOF' >"$TMP/py.out" 2>&1 \
    && ok "score's lbm = fitted + REF - mean target" || bad "lbm vs fitted: $(cat "$TMP/py.out")"
import csv, json, sys
lbm = {r["BU_CODE"]: float(r["lbm"]) for r in csv.DictReader(open(sys.argv[1]))}
doc = json.load(open(sys.argv[2] + "/fitted.calibrate.json"))
shift = doc["ref"]["ref"] - doc["targets"][0]["weighted_mean"]
for r in csv.DictReader(open(sys.argv[2] + "/fitted.predictions.csv")):
    # the units CSV rounds lbm to 6 decimals, the fitted model's coefficients have 8 digits
    assert abs(lbm[r["code"]] - (float(r["fitted"]) + shift)) < 2e-5, (r["code"], lbm[r["code"]])
EOF

# ---- grid mode: the indicators on the grid, aggregated to the buurten as score does -----------
"${CAL[@]}" --mode grid --target "$D/target.csv:oordeel" --year 2016 -o "$TMP/grid/fitted.yaml" \
    2>"$TMP/err" && ok "calibrate --mode grid runs" || bad "grid mode: $(cat "$TMP/err")"
grep -q '  mode: grid' "$TMP/grid/fitted.yaml" && ok "the calibration block records grid mode" \
    || bad "mode not recorded"
"$LEEFBAAR" score -q --model "$TMP/grid/fitted.yaml" -i "buurten=$D/buurten.geojson" --year 2016 \
    --outputs csv -o "$TMP/gscore" 2>"$TMP/err" && ok "score (grid) runs the grid-fitted model" \
    || bad "grid score: $(cat "$TMP/err")"
grep -q 'calibrated in grid mode and is scored here in area mode' < <("$LEEFBAAR" score -q \
    --mode area --model "$TMP/grid/fitted.yaml" -i "buurten=$D/buurten.geojson" --year 2016 \
    --outputs csv -o "$TMP/gscore2" 2>&1) && ok "score warns when the modes differ" \
    || bad "no warning for the other mode"
# a buurt's grid score is REF + its aggregated contributions - the cells' means: lbm - fitted
# is the same for every buurt when the contributions the fit saw are score's own
python3 - "$TMP/gscore/buurten.csv" "$TMP/grid/fitted.predictions.csv" <<'EOF2' >"$TMP/py.out" 2>&1 \
    && ok "grid: lbm - fitted is one constant over the buurten" || bad "grid lbm: $(cat "$TMP/py.out")"
import csv, sys
lbm = {r["BU_CODE"]: float(r["lbm"]) for r in csv.DictReader(open(sys.argv[1]))}
d = [lbm[r["code"]] - float(r["fitted"]) for r in csv.DictReader(open(sys.argv[2]))]
assert len(d) == 48 and max(d) - min(d) < 2e-5, (min(d), max(d))
EOF2

# ---- per dimension, ridge, no weights, K folds, REF from the target ------------------------
"${CAL[@]}" --target "$D/target.csv:oordeel" --target-dim "won=$D/target.csv:oordeel" \
    --year 2016 --ridge 2.5 --weight none --folds 4 --ref target -o "$TMP/dims/fitted.yaml" \
    2>"$TMP/err" && ok "per-dimension fit with ridge runs" || bad "dims: $(cat "$TMP/err")"
python3 - "$TMP/dims" <<'EOF2' >"$TMP/py.out" 2>&1
import csv, json, sys
d = sys.argv[1]
doc = json.load(open(d + "/fitted.calibrate.json"))
fc = doc["fitted_coefficients"]
assert {k: v["from"] for k, v in fc.items()} == {"woz": "won", "koop": "won", "superm": "total"}, fc
print("ok the won indicators take the won fit's coefficients, superm the total's")
assert [t["target"] for t in doc["targets"]] == ["total", "won"]
assert all(t["lambda"] == 2.5 and t["n_folds"] == 4 for t in doc["targets"])
assert doc["weight"] == "none" and doc["folds"] == 4 and doc["ridge"] == 2.5
print("ok ridge, folds and weights recorded")
rows = [r for r in csv.DictReader(open(d + "/fitted.predictions.csv")) if r["target"] == "total"]
folds = {}
for r in rows:
    folds.setdefault(r["gemeente"], set()).add(r["fold"])
    assert r["weight"] == "", r["weight"]
assert sorted({f for v in folds.values() for f in v}) == ["0", "1", "2", "3"]
assert all(len(v) == 1 for v in folds.values())
print("ok 4 folds of whole gemeenten, no weights")
mean = sum(float(r["observed"]) for r in rows) / len(rows)
ref = [l for l in open(d + "/fitted.yaml") if l.startswith("  ref: ")][0]
assert abs(float(ref.split()[1].split("#")[0]) - mean) < 1e-6, (ref, mean)
print("ok --ref target: REF is the mean of the target")
text = open(d + "/fitted.yaml").read()
for t in doc["targets"]:
    for c in t["coefficients"]:
        if c["used"]:
            assert "%.8g" % c["coef"] in text, c
print("ok the fitted model holds the coefficients the reports mark as used")
EOF2
if [[ $? -eq 0 ]]; then
    while read -r line; do ok "${line#ok }"; done <"$TMP/py.out"
else
    bad "per-dimension checks: $(cat "$TMP/py.out")"
fi
"${CAL[@]}" --target "$D/target.csv:oordeel" --year 2016 --ridge cv -o "$TMP/cv/fitted.yaml" \
    2>"$TMP/err" && grep -q '"lambda_grid"' "$TMP/cv/fitted.calibrate.json" \
    && ok "--ridge cv reports the lambda grid" || bad "ridge cv: $(cat "$TMP/err")"
expect_fail "a bad --ridge" "--ridge wants a number >= 0 or cv" \
    "${CAL[@]}" --target "$D/target.csv:oordeel" --ridge -1 -o "$TMP/e1/fitted.yaml"
expect_fail "--ref target without a total target" "--ref target needs a total target" \
    "${CAL[@]}" --target-dim "won=$D/target.csv:oordeel" --year 2016 --ref target \
    -o "$TMP/e1/fitted.yaml"

# Calibrating the fitted model again: the same coefficients, one calibration block, nothing
# else changed (the block's date, input model path and hash aside).
"${CAL[@]/$D\/model.yaml/$TMP/grid/fitted.yaml}" --mode grid --target "$D/target.csv:oordeel" \
    --year 2016 -o "$TMP/again/fitted.yaml" 2>"$TMP/err" \
    && [[ $(grep -c '^calibration:' "$TMP/again/fitted.yaml") -eq 1 ]] \
    && diff -q <(grep -v 'date:\|sha256\|path:' "$TMP/grid/fitted.yaml") \
        <(grep -v 'date:\|sha256\|path:' "$TMP/again/fitted.yaml") >/dev/null \
    && ok "recalibrating a fitted model replaces its block and keeps the rest" \
    || bad "recalibration: $(cat "$TMP/err"; diff "$TMP/grid/fitted.yaml" "$TMP/again/fitted.yaml")"

# ---- outputs are not replaced without --overwrite; inputs never ---------------------------
cp "$TMP/fit/fitted.yaml" "$TMP/fitted.before"
expect_fail "existing outputs without --overwrite" "--overwrite" \
    "${CAL[@]}" --target "$D/target.csv:oordeel" --year 2018 -o "$TMP/fit/fitted.yaml"
cmp -s "$TMP/fit/fitted.yaml" "$TMP/fitted.before" && ok "outputs left as they were" \
    || bad "outputs changed by a refused run"
"${CAL[@]}" --target "$D/target.csv:oordeel" --year 2018 -o "$TMP/fit/fitted.yaml" \
    --overwrite 2>"$TMP/err" && grep -q 'year: 2018' "$TMP/fit/fitted.yaml" \
    && ok "--overwrite replaces them" || bad "--overwrite: $(cat "$TMP/err")"
expect_fail "output onto the model" "input" \
    "${CAL[@]}" --target "$D/target.csv:oordeel" --year 2016 -o "$D/model.yaml" --overwrite
cmp -s "$D/model.yaml" "$D/model.orig" && ok "the model is never replaced" || bad "model replaced"

# ---- bad input: clear errors, non-zero exit, no outputs -------------------------------------
expect_fail "several years without --year" "choose one with --year" \
    "${CAL[@]}" --target "$D/target.csv:oordeel" -o "$TMP/e1/fitted.yaml"
expect_fail "a year the table does not have" "no row of year 2020" \
    "${CAL[@]}" --target "$D/target.csv:oordeel" --year 2020 -o "$TMP/e1/fitted.yaml"
expect_fail "a target field the table does not have" "no target field 'rapportcijfer'" \
    "${CAL[@]}" --target "$D/target.csv:rapportcijfer" --year 2016 -o "$TMP/e1/fitted.yaml"
sed 's/^BU99/BU88/; s/^BU_CODE/CODE/' "$D/target.csv" >"$D/other.csv"
expect_fail "target codes that join nothing" "none of its 48 codes (field 'CODE', e.g. BU88010000" \
    "${CAL[@]}" --target "$D/other.csv:oordeel" --target-id CODE --year 2016 \
    -o "$TMP/e1/fitted.yaml"
grep -q "field 'BU_CODE' of 'buurten', e.g. BU99010000" "$TMP/err" \
    && ok "the join error names the units' code field with examples" || bad "join error: $(cat "$TMP/err")"
awk -F, 'NR == 1 || (NR <= 9 && $2 == 2016)' "$D/target.csv" >"$D/few.csv"
expect_fail "fewer units than coefficients" "need at least 5" \
    "${CAL[@]}" --target "$D/few.csv:oordeel" -o "$TMP/e1/fitted.yaml"
sed 's/field: AF_SUPERM/field: CONST/' "$D/model.yaml" >"$D/const.yaml"
expect_fail "a constant indicator" "superm" \
    "$LEEFBAAR" calibrate -q --model "$D/const.yaml" -i "buurten=$D/buurten.geojson" \
    --target "$D/target.csv:oordeel" --year 2016 -o "$TMP/e1/fitted.yaml"
grep -qi 'constant' "$TMP/err" && ok "the constant indicator is called constant" \
    || bad "constant message: $(cat "$TMP/err")"
awk -F, 'NR == 1 || $2 == 2016' "$D/target.csv" >"$D/dup.csv"
awk -F, 'NR == 2' "$D/target.csv" | sed 's/^\([^,]*\),2016/\1,2016/' >>"$D/dup.csv"
expect_fail "a code twice in the year" "occurs twice" \
    "${CAL[@]}" --target "$D/dup.csv:oordeel" --year 2016 -o "$TMP/e1/fitted.yaml"
expect_fail "no target" "--target or --target-dim is required" \
    "${CAL[@]}" -o "$TMP/e1/fitted.yaml"
expect_fail "a dimension the model lacks" "has no dimension 'vei'" \
    "${CAL[@]}" --target-dim "vei=$D/target.csv:oordeel" --year 2016 -o "$TMP/e1/fitted.yaml"
[[ -e "$TMP/e1" ]] && bad "a failed run left $TMP/e1" || ok "failed runs leave nothing"

# ---- missing values: left out, counted, warned ---------------------------------------------
sed -E 's/"AF_SUPERM": [0-9.]+(, "CONST": 5\}, "geometry": \{"type": "Polygon", "coordinates": \[\[\[10[0-9]+, 450000\])/"AF_SUPERM": null\1/' \
    "$D/buurten.geojson" >"$D/holes.geojson"
awk -F, -v OFS=, 'NR == 22 { $3 = "" } { print }' "$D/target.csv" >"$D/holes.csv"
"$LEEFBAAR" calibrate -q --model "$D/model.yaml" -i "buurten=$D/holes.geojson" \
    --target "$D/holes.csv:oordeel" --year 2016 -o "$TMP/holes/fitted.yaml" 2>"$TMP/err" \
    && ok "calibrate with missing values runs" || bad "missing values: $(cat "$TMP/err")"
grep -q 'left out: 1 with a missing target, 8 with a missing indicator (most often superm)' \
    "$TMP/err" && ok "the left-out units are counted and the indicator named" \
    || bad "left-out warning: $(cat "$TMP/err")"
python3 - "$TMP/holes" <<'EOF2' && ok "calibrate.json counts them; 39 units used" \
    || bad "counts in calibrate.json"
import json, sys
c = json.load(open(sys.argv[1] + "/fitted.calibrate.json"))["targets"][0]["counts"]
assert (c["left_out_missing_target"], c["left_out_missing_indicator"], c["used"]) == (1, 8, 39), c
EOF2
finish
