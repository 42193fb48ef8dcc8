#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Refit the shipped models/lbm2-wijk-2016.yaml (five dimensions, each on its own published
# Leefbaarometer 2.0 dimension score) and models/lbm2-wijk-2016-total.yaml (the total) from the
# real data in ../shared/data, which is not part of the repository:
#   lbm2-wijk-2016/lbm2_wijk_dimensions_2012_2016.csv  published LBM 2.0 scores per CBS 2016 wijk
#   cbs-kwb-wijk-dbf/wijk_2016.dbf                     CBS Wijk- en Buurtkaart 2016, wijk table
#
#   scripts/calibrate-lbm2-wijk-2016.sh LEEFBAAR DATA OUTDIR [MODELDIR]
#
# LEEFBAAR is the leefbaar executable, DATA the shared data folder, OUTDIR receives the fitted
# models and their reports (lbm2-wijk-2016.yaml, .calibrate.json, .md, .html,
# .predictions.csv; the same for lbm2-wijk-2016-total), MODELDIR holds the models to fit
# (default: the repository's models/; a fitted model is its own input, the starting
# coefficients do not matter). The reports and predictions hold the published scores: keep them
# out of the repository (only the fitted YAML files are shipped).
#
# The DBF carries no geometry and the models use only its attributes, but calibrate (like score
# in area mode) wants polygon units: the script writes one placeholder 100 m square per wijk
# (OUTDIR/wijk_2016_units.geojson, WK_CODE and GM_CODE, laid out on a grid in RD New) and joins
# the DBF to them on WK_CODE. With the real CBS wijk polygons (wijk_2016.shp) pass those as the
# units instead; the fit is the same.
set -euo pipefail
if [[ $# -lt 3 || $# -gt 4 ]]; then
    echo "usage: $0 LEEFBAAR DATA OUTDIR [MODELDIR]" >&2
    exit 2
fi
leefbaar=$1
data=$2
out=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
models=${4:-$root/models}
dbf=$data/cbs-kwb-wijk-dbf/wijk_2016.dbf
lbm=$data/lbm2-wijk-2016/lbm2_wijk_dimensions_2012_2016.csv
for f in "$dbf" "$lbm"; do
    [[ -r $f ]] || { echo "$0: cannot read '$f'" >&2; exit 1; }
done
mkdir -p "$out"
units=$out/wijk_2016_units.geojson

# Placeholder units from the DBF (Python standard library only: dBase III records).
python3 - "$dbf" "$units" <<'EOF'
import json, struct, sys

dbf, dest = sys.argv[1:3]
with open(dbf, "rb") as f:
    head = f.read(32)
    n, header_len, rec_len = struct.unpack("<IHH", head[4:12])
    fields, off = {}, 1
    while True:
        d = f.read(32)
        if not d or d[0] == 0x0D:
            break
        fields[d[:11].split(b"\0")[0].decode("ascii")] = (off, d[16])
        off += d[16]
    f.seek(header_len)
    rows = []
    for _ in range(n):
        rec = f.read(rec_len)
        if rec[:1] == b"*":  # deleted record
            continue
        get = lambda k: rec[fields[k][0]:fields[k][0] + fields[k][1]].decode("latin-1").strip()
        rows.append((get("WK_CODE"), get("GM_CODE")))
features = []
for i, (wk, gm) in enumerate(rows):
    x, y = 100000 + (i % 100) * 200, 400000 + (i // 100) * 200
    ring = [[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100], [x, y]]
    features.append({"type": "Feature", "properties": {"WK_CODE": wk, "GM_CODE": gm},
                     "geometry": {"type": "Polygon", "coordinates": [ring]}})
doc = {"type": "FeatureCollection", "name": "wijken_2016_units",
       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
       "features": features}
with open(dest, "w", encoding="utf-8") as f:
    json.dump(doc, f)
EOF

common=(--input "wijken=$dbf" --input "units=$units" --units units --id-field WK_CODE
        --join wijken=WK_CODE --target-id WK_CODE --year 2016 --cluster-field GM_CODE
        --overwrite -q)
"$leefbaar" calibrate --model "$models/lbm2-wijk-2016.yaml" "${common[@]}" \
    --target-dim "won=$lbm:RLBWON" --target-dim "bev=$lbm:RLBBEV" \
    --target-dim "vrz=$lbm:RLBVRZ" --target-dim "vei=$lbm:RLBVEI" \
    --target-dim "fys=$lbm:RLBFYS" -o "$out/lbm2-wijk-2016.yaml"
"$leefbaar" calibrate --model "$models/lbm2-wijk-2016-total.yaml" "${common[@]}" \
    --target "$lbm:RLBRMTR" -o "$out/lbm2-wijk-2016-total.yaml"
