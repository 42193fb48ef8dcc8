# SPDX-License-Identifier: MIT
# Water-only units (WATER = JA) in grid mode: not scored (flag 8), counted in run.json, one
# warning; the other units and the cells score as without the field.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
# The tiny city with a WATER field: buurt 3 is water only.
python3 - "$T/buurten.geojson" "$TMP/water.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["features"]:
    f["properties"]["WATER"] = "JA" if f["properties"]["BU_CODE"] == "BU00010003" else "NEE"
json.dump(d, open(sys.argv[2], "w"))
PY
args=(score --model "$T/tiny.yaml" -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc" --year 2021 -q)
"$LEEFBAAR" "${args[@]}" -i "buurten=$T/buurten.geojson" -o "$TMP/plain" 2>"$TMP/e1" \
    && ok "grid run without WATER" || bad "grid run without WATER: $(cat "$TMP/e1")"
"$LEEFBAAR" "${args[@]}" -i "buurten=$TMP/water.geojson" -o "$TMP/water" 2>"$TMP/e2" \
    && ok "grid run with WATER" || bad "grid run with WATER: $(cat "$TMP/e2")"
[[ $(grep -c "water-only unit" "$TMP/e2") == 1 ]] && grep -q "1 water-only unit(s) (WATER = JA) .*BU00010003" "$TMP/e2" \
    && ok "one warning naming the water unit" || bad "water warning: $(cat "$TMP/e2")"
grep -q "water-only" "$TMP/e1" && bad "a warning without WATER field" || ok "no water warning without the field"
msg=$(python3 - "$TMP/plain" "$TMP/water" 2>&1 <<'PY'
import csv, json, sys
def rows(p):
    return {r["BU_CODE"]: r for r in csv.DictReader(open(p + "/buurten.csv"))}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
w = b["BU00010003"]
if a["BU00010003"]["lbm"] == "":
    sys.exit("the fixture's buurt 3 is not scored without WATER: the test would prove nothing")
if w["lbm"] != "" or w["kscore"] != "" or w["flags"] != "8":
    sys.exit(f"water unit scored: lbm={w['lbm']} kscore={w['kscore']} flags={w['flags']}")
for k in ("BU00010001", "BU00010002", "BU00010004"):
    for c in ("lbm", "afw", "won", "vrz", "pub", "kscore", "flags"):
        if a[k][c] != b[k][c]:
            sys.exit(f"{k} {c}: {a[k][c]} vs {b[k][c]}")
cw = json.load(open(sys.argv[2] + "/run.json"))["counts"]
cp = json.load(open(sys.argv[1] + "/run.json"))["counts"]
if cw.get("units_water") != 1 or cp.get("units_water") != 0:
    sys.exit(f"units_water: {cw.get('units_water')} / {cp.get('units_water')}")
if cw["scored_units"] != cp["scored_units"] - 1 or cw["scored_cells"] != cp["scored_cells"]:
    sys.exit(f"counts: {cw} vs {cp}")
PY
) && ok "water unit flag 8 and unscored; the rest and the cells unchanged; units_water 1" || bad "$msg"
finish
