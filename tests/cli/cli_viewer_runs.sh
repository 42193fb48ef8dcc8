# SPDX-License-Identifier: MIT
# score --viewer and change --viewer: OUTDIR/viewer is one of the run's outputs (listed in its
# run.json), refused again without --overwrite and replaced with it; a failure leaves the old
# state or no folder at all; meta.js holds each number as the shortest text that reads back.
source "$(dirname "$0")/lib.sh"
T=$LB_TEST_DATA/tiny
mkdir "$TMP/lib"
for f in maplibre-gl.js maplibre-gl.css LICENSE.txt; do echo "/* stand-in $f */" >"$TMP/lib/$f"; done
sed 's/"P_KOOPWON": 60/"P_KOOPWON": 30/' "$T/buurten.geojson" >"$TMP/buurten_2021.geojson"
score() {
    "$LEEFBAAR" score -q --model "$T/tiny.yaml" -i "amenities=$T/amenities.geojson" \
        -i "noise=$T/noise.asc" -i "buurten@2020=$T/buurten.geojson" \
        -i "buurten@2021=$TMP/buurten_2021.geojson" --years 2020,2021 "$@"
}
# A listing of every file under a folder with its hash: what "nothing changed" compares.
snap() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

if score -o "$TMP/run" --viewer --viewer-lib "$TMP/lib" 2>"$TMP/err"; then ok "score --viewer"
else bad "score --viewer: $(cat "$TMP/err")"; fi
for f in index.html app.js lib/maplibre-gl.js data/meta.js data/units.js run.json; do
    [[ -s "$TMP/run/viewer/$f" ]] && ok "wrote viewer/$f" || bad "missing viewer/$f"
done
ls -a "$TMP/run" | grep -q '^\.leefbaar' && bad "temporary folder left" || ok "no temporary folder"
python3 - "$TMP/run" <<'PY' >"$TMP/py" 2>&1 && ok "run.json lists the viewer" || bad "run.json: $(cat "$TMP/py")"
import json, sys
d = json.load(open(sys.argv[1] + "/run.json"))
assert "viewer" in d["outputs"], d["outputs"]
assert d["viewer"]["folder"] == "viewer" and d["viewer"]["library_dir"].endswith("/lib"), d["viewer"]
v = json.load(open(sys.argv[1] + "/viewer/run.json"))
assert v["runs"] == [sys.argv[1]] and v["score_runs"] == [sys.argv[1]], v  # not the temporary folder
assert ".leefbaar-tmp" not in json.dumps(v), v
PY
# every number of meta.js is the shortest text of its double (Python's repr is)
python3 - "$TMP/run/viewer/data/meta.js" <<'PY' >"$TMP/py" 2>&1 && ok "meta.js numbers shortest" || bad "meta.js: $(cat "$TMP/py")"
import json, re, sys
text = open(sys.argv[1]).read()
meta = json.loads(text[text.index("=") + 1:text.rindex(";")])
def numbers(o):
    if isinstance(o, dict):
        for v in o.values(): yield from numbers(v)
    elif isinstance(o, list):
        for v in o: yield from numbers(v)
    elif isinstance(o, float): yield o
def digits(t):
    return len(t.lstrip("-").split("e")[0].replace(".", "").lstrip("0").rstrip("0"))
toks = re.findall(r'(?<![\w"#.])-?\d+\.\d+(?:e[-+]?\d+)?(?![\w"])', text)
assert len(list(numbers(meta))) > 20 and toks
bad = [t for t in toks if digits(t) > digits(repr(float(t)))]
assert not bad, bad[:5]
PY

before=$(snap "$TMP/run")
expect_fail "again without --overwrite refused" "--overwrite" score -o "$TMP/run" --viewer \
    --viewer-lib "$TMP/lib"
[[ "$(snap "$TMP/run")" == "$before" ]] && ok "refused run changed nothing" || bad "files changed"
rm "$TMP/lib/LICENSE.txt"
expect_fail "library without LICENSE.txt" "scripts/setup-deps.sh --viewer" score -o "$TMP/run" \
    --overwrite --viewer --viewer-lib "$TMP/lib"
[[ "$(snap "$TMP/run")" == "$before" ]] && ok "failed overwrite left the old run" || bad "files changed"
expect_fail "library missing, new folder" "has no LICENSE.txt" score -o "$TMP/new" --viewer \
    --viewer-lib "$TMP/lib"
[[ -e "$TMP/new" ]] && bad "failed run left $TMP/new" || ok "failed run left no folder"
echo "/* stand-in */" >"$TMP/lib/LICENSE.txt"
if score -o "$TMP/run" --overwrite --viewer --viewer-lib "$TMP/lib" --viewer-title "Tiny stad" \
    2>"$TMP/err"; then ok "--overwrite replaces"; else bad "--overwrite: $(cat "$TMP/err")"; fi
grep -q '"title":"Tiny stad"' "$TMP/run/viewer/data/meta.js" && ok "title passed" || bad "no title"
# a rerun without --viewer replaces the whole run: the old viewer goes with it
score -o "$TMP/run" --overwrite 2>"$TMP/err" || bad "rerun without --viewer: $(cat "$TMP/err")"
[[ -e "$TMP/run/viewer" ]] && bad "old viewer left" || ok "rerun without --viewer removed it"
grep -q '"viewer":null' "$TMP/run/run.json" && ok "run.json records no viewer" || bad "viewer member"
expect_fail "--viewer-lib without --viewer" "add --viewer" score -o "$TMP/x" --viewer-lib "$TMP/lib"
expect_fail "--viewer without gpkg" "add gpkg" score -o "$TMP/x" --viewer --viewer-lib "$TMP/lib" \
    --outputs csv
[[ -e "$TMP/x" ]] && bad "usage error left a folder" || ok "no folder after usage errors"
# no library anywhere: a copy of the tool outside its build tree, no LEEFBAAR_VIEWER_LIB
mkdir "$TMP/bin" && cp "$LEEFBAAR" "$TMP/bin/leefbaar"
LD_LIBRARY_PATH="$(dirname "$LEEFBAAR")/..${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    expect_fail "no library installed" "scripts/setup-deps.sh --viewer" env -u LEEFBAAR_VIEWER_LIB \
    "$TMP/bin/leefbaar" change --scores "$TMP/run" -o "$TMP/y" --viewer
[[ -e "$TMP/y" ]] && bad "no-library run left a folder" || ok "nothing written without library"

# change --viewer
score -o "$TMP/run" --overwrite 2>"$TMP/err" || bad "score: $(cat "$TMP/err")"
if "$LEEFBAAR" change -q --scores "$TMP/run" -o "$TMP/ch" --full-precision --viewer \
    --viewer-lib "$TMP/lib" 2>"$TMP/err"; then ok "change --viewer"
else bad "change --viewer: $(cat "$TMP/err")"; fi
python3 - "$TMP/ch" "$TMP/run" <<'PY' >"$TMP/py" 2>&1 && ok "change viewer: Δ of units.js = change.csv" || bad "change viewer: $(cat "$TMP/py")"
import csv, json, sys
ch, run = sys.argv[1], sys.argv[2]
d = json.load(open(ch + "/run.json"))
assert "viewer" in d["outputs"] and d["viewer"]["folder"] == "viewer", d
v = json.load(open(ch + "/viewer/run.json"))
assert v["runs"] == [ch] and v["score_runs"] == [run], v
text = open(ch + "/viewer/data/units.js").read()
units = json.loads(text[text.index("=") + 1:text.rindex(";")])
props = {f["properties"]["code"]: f["properties"] for f in units["features"]}
n = 0
for row in csv.DictReader(open(ch + "/change.csv")):
    p = props[row["BU_CODE"]]
    if row["d_lbm"] == "":
        continue
    assert p["lbm_2021"] - p["lbm_2020"] == float(row["d_lbm"]), (row, p)
    n += 1
assert n >= 3, n
PY
before=$(snap "$TMP/ch")
expect_fail "change again without --overwrite" "--overwrite" "$LEEFBAAR" change --scores "$TMP/run" \
    -o "$TMP/ch" --viewer --viewer-lib "$TMP/lib"
[[ "$(snap "$TMP/ch")" == "$before" ]] && ok "change refused changed nothing" || bad "changed"
"$LEEFBAAR" change -q --scores "$TMP/run" -o "$TMP/ch" --overwrite --viewer \
    --viewer-lib "$TMP/lib" --viewer-title "Ontwikkeling" 2>"$TMP/err" \
    && grep -q '"title":"Ontwikkeling"' "$TMP/ch/viewer/data/meta.js" \
    && ok "change --overwrite replaces" || bad "change --overwrite: $(cat "$TMP/err")"
# change --viewer with cuts of its own: the development view classes by the run's cuts, labels
# and colours (its run.json "development"), not the model's
"$LEEFBAAR" change -q --scores "$TMP/run" -o "$TMP/chc" --viewer --viewer-lib "$TMP/lib" \
    --dev-cuts=-0.9,-0.5,-0.1,0.1,0.5,0.9 2>"$TMP/err" || bad "change --dev-cuts --viewer: $(cat "$TMP/err")"
python3 - "$TMP/chc" "$TMP/ch" <<'PY' >"$TMP/py" 2>&1 && ok "change viewer: the run's development classes" || bad "dev classes: $(cat "$TMP/py")"
import json, sys
def view(d):
    t = open(d + "/viewer/data/meta.js").read()
    m = json.loads(t[t.index("=") + 1:t.rindex(";")])
    return [v for v in m["views"] if v["code"] == "change"][0]
dev = json.load(open(sys.argv[1] + "/run.json"))["development"]
v = view(sys.argv[1])
assert v["cuts"] == [-0.9, -0.5, -0.1, 0.1, 0.5, 0.9] == dev["cuts"], v["cuts"]
assert [c["label"] for c in v["classes"]] == dev["labels"], v["classes"]
assert [c["colour"] for c in v["classes"]] == dev["colours"], v["classes"]
assert view(sys.argv[2])["cuts"] != v["cuts"]  # the model's, in the run without --dev-cuts
vr = json.load(open(sys.argv[1] + "/viewer/run.json"))
assert vr["development_from"] == sys.argv[1] + "/run.json", vr["development_from"]
PY
expect_fail "viewer of change runs with other classes" "class the development differently" \
    "$LEEFBAAR" viewer "$TMP/ch" "$TMP/chc" -o "$TMP/vv" --viewer-lib "$TMP/lib"
[[ -e "$TMP/vv" ]] && bad "refused viewer left a folder" || ok "nothing written for mixed classes"
tail -n +1 "$TMP/ch/change.csv" | cut -d, -f1-3 >"$TMP/table.csv"
expect_fail "change --viewer of a table" "no output folder of leefbaar score" "$LEEFBAAR" change \
    --scores "$TMP/ch/change.csv" -o "$TMP/z" --viewer --viewer-lib "$TMP/lib"
[[ -e "$TMP/z" ]] && bad "table run left a folder" || ok "nothing written for a table"
finish
