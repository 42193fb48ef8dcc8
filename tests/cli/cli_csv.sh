# SPDX-License-Identifier: MIT
# CSV for spreadsheets and pandas (issue 11): --csv-sep ';' writes decimal commas, codes that look
# like numbers survive pandas with the dtype the README gives, --full-precision gives back the
# GeoPackage's doubles, and the class name stands next to kscore. Skipped without pandas.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny

PY=
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import pandas' 2>/dev/null; then
        PY=$py
        break
    fi
done
if [[ -z $PY ]]; then
    echo "# pandas is not installed (python3-pandas): skipping"
    exit 77
fi

# The tiny city with codes that look like numbers and start with zeros.
sed -e 's/"BU0001000\([0-9]\)"/"0001000\1"/' "$T/buurten.geojson" >"$TMP/buurten.geojson"
args=(score -q --model "$T/tiny.yaml" -i "buurten=$TMP/buurten.geojson"
    -i "amenities=$T/amenities.geojson" -i "noise=$T/noise.asc" --year 2021 --outputs gpkg,csv)
"$LEEFBAAR" "${args[@]}" -o "$TMP/plain" 2>/dev/null && ok "score (default CSV)" || bad "score failed"
"$LEEFBAAR" "${args[@]}" --csv-sep ';' -o "$TMP/nl" 2>/dev/null && ok "score --csv-sep ';'" || bad "score ; failed"
"$LEEFBAAR" "${args[@]}" --csv-sep ';' --full-precision -o "$TMP/full" 2>/dev/null \
    && ok "score --full-precision" || bad "score --full-precision failed"

head -1 "$TMP/nl/buurten.csv" | grep -q ';kscore;klasse;k_won;' && ok "klasse next to kscore" \
    || bad "header: $(head -1 "$TMP/nl/buurten.csv")"
grep -q '^"00010001";Noord-West;WK000100;GM0001;2021;4,[0-9]*;' "$TMP/nl/buurten.csv" \
    && ok "decimal comma with ;" || bad "no decimal comma: $(sed -n 2p "$TMP/nl/buurten.csv")"
grep -E -q '^("?[^;]*"?;){5}[0-9-]*\.' "$TMP/nl/buurten.csv" && bad "a decimal point in a ; file" \
    || ok "no decimal point with ;"

if "$PY" - "$TMP" >"$TMP/py" 2>&1 <<'PYEOF'
import sys
import pandas as pd
d = sys.argv[1]
codes = {"BU_CODE": str, "WK_CODE": str, "GM_CODE": str}
plain = pd.read_csv(f"{d}/plain/buurten.csv", dtype=codes)
nl = pd.read_csv(f"{d}/nl/buurten.csv", sep=";", decimal=",", dtype=codes)
full = pd.read_csv(f"{d}/full/buurten.csv", sep=";", decimal=",", dtype=codes,
                   float_precision="round_trip")
want = ["00010001", "00010002", "00010003", "00010004"]
for t in (plain, nl, full):
    assert sorted(t["BU_CODE"]) == want, list(t["BU_CODE"])
    assert t["lbm"].dtype == float, t["lbm"].dtype
labels = {1: "zeer onvoldoende", 2: "ruim onvoldoende", 3: "onvoldoende", 4: "zwak",
          5: "voldoende", 6: "ruim voldoende", 7: "goed", 8: "zeer goed", 9: "uitstekend"}
for k, name in zip(nl["kscore"], nl["klasse"]):
    assert (pd.isna(k) and pd.isna(name)) or labels[int(k)] == name, (k, name)
assert nl["kscore"].notna().sum() == 3
# the ; file holds the same rounded numbers as the , file; full precision is within the rounding
for col in ("lbm", "afw", "won", "vrz", "pub", "weight", "c_noise"):
    a, b, f = plain[col], nl[col], full[col]
    assert ((a == b) | (a.isna() & b.isna())).all(), (col, list(a), list(b))
    assert ((abs(f - a) <= 5e-3) | (a.isna() & f.isna())).all(), (col, list(a), list(f))
try:
    from osgeo import ogr
except ImportError:
    print("# no osgeo: full precision not compared with the GeoPackage")
    sys.exit(0)
ds = ogr.Open(f"{d}/full/scores.gpkg")  # keep the dataset: its layer dies with it
g = ds.GetLayerByName("buurten")
n = 0
for feat in g:
    row = full[full["BU_CODE"] == feat.GetField("BU_CODE")].iloc[0]
    for col in ("lbm", "afw", "won", "vrz", "pub", "weight", "x_noise", "c_noise"):
        v = feat.GetField(col)
        if v is None:
            assert pd.isna(row[col]), col
            continue
        assert row[col] == v, (col, repr(row[col]), repr(v))
        n += 1
assert n >= 20, n
print(f"# {n} values equal to the GeoPackage bit for bit")
PYEOF
then
    ok "pandas reads codes, decimal commas and full precision back ($(grep '^#' "$TMP/py" | tr '\n' ' '))"
else
    bad "pandas round trip: $(cat "$TMP/py")"
fi
finish
