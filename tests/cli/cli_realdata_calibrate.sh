#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real data (skipped, exit 77, without ../shared/data): refit the shipped calibrated models
# models/lbm2-wijk-2016.yaml (five dimensions) and models/lbm2-wijk-2016-total.yaml from the
# published Leefbaarometer 2.0 wijk scores and the CBS wijk table of 2016 with
# scripts/calibrate-lbm2-wijk-2016.sh, and check
#  - the refit reproduces the shipped coefficients and the shipped fit statistics (n, R², CV R²);
#  - with numpy: an independent computation from the raw files (own DBF and CSV readers, own
#    transforms, WLS by QR of the weighted design, leave-one-gemeente-out folds) gives the same
#    coefficients and standard errors (relative 1e-9) and the same CV R² and R², for every
#    target; and no gemeente is split over folds in the predictions.
source "$(dirname "$0")/lib.sh"
ROOT=${LB_SOURCE_ROOT:?}
DATA=${LB_SHARED_DATA:-$ROOT/../shared/data}
for f in lbm2-wijk-2016/lbm2_wijk_dimensions_2012_2016.csv cbs-kwb-wijk-dbf/wijk_2016.dbf; do
    if [[ ! -r $DATA/$f ]]; then
        echo "SKIP: $DATA/$f is absent (real data lives in ../shared/data, never in the repo)"
        exit 77
    fi
done
PY=$(command -v /usr/bin/python3 || command -v python3) ||
    { echo "SKIP: python3 is needed"; exit 77; }

out=$TMP/refit
if PATH=$(dirname "$PY"):$PATH bash "$ROOT/scripts/calibrate-lbm2-wijk-2016.sh" "$LEEFBAAR" \
    "$DATA" "$out" >"$TMP/refit.log" 2>&1; then
    ok "refit ran"
else
    bad "refit failed: $(cat "$TMP/refit.log")"
    finish
    exit 1
fi

"$PY" - "$ROOT" "$DATA" "$out" <<'EOF'
import csv, json, math, re, struct, sys

root, data, out = sys.argv[1:4]
fails = []


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        fails.append(what)


def close(a, b, rel=1e-9, abs_=1e-12):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def model_coefs(path):
    """indicator id -> coef, read from a model YAML (one `- id:` then its keys)."""
    coefs, ident = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"  - id: (\w+)", line)
        if m:
            ident = m.group(1)
        m = re.match(r"    coef: (\S+)", line)
        if m and ident:
            coefs[ident] = float(m.group(1))
    return coefs


# 1. The refit reproduces the shipped models.
for name in ("lbm2-wijk-2016", "lbm2-wijk-2016-total"):
    shipped = model_coefs(f"{root}/models/{name}.yaml")
    refit = model_coefs(f"{out}/{name}.yaml")
    check(len(shipped) > 0 and shipped.keys() == refit.keys(), f"{name}: same indicators")
    diff = [k for k in shipped if k in refit and not close(shipped[k], refit[k], 1e-6)]
    check(not diff, f"{name}: refit coefficients equal the shipped ones {diff}")
    doc = json.load(open(f"{out}/{name}.calibrate.json", encoding="utf-8"))
    text = open(f"{root}/models/{name}.yaml", encoding="utf-8").read()
    for t in doc["targets"]:
        # the shipped calibration block records n, r2 and cv_r2 per target
        for key in ("n", "r2", "cv_r2"):
            v = t[key] if key == "n" else t["fit"][key] if "fit" in t else t[key]
            pat = rf"{key}: ([-0-9.eE+]+)"
            found = [float(x) for x in re.findall(pat, text)]
            check(any(close(v, f, 1e-6, 1e-6) for f in found),
                  f"{name} {t['target']}: {key} {v} recorded in the shipped model")

# 2. An independent computation (numpy).
try:
    import numpy as np
except ImportError:
    print("# numpy missing: the independent computation is skipped")
    sys.exit(1 if fails else 0)


def read_dbf(path):
    with open(path, "rb") as f:
        head = f.read(32)
        n, hlen, rlen = struct.unpack("<IHH", head[4:12])
        fields, off = [], 1
        while True:
            d = f.read(32)
            if d[0] == 0x0D:
                break
            fields.append((d[:11].split(b"\0")[0].decode(), chr(d[11]), off, d[16]))
            off += d[16]
        f.seek(hlen)
        rows = []
        for _ in range(n):
            rec = f.read(rlen)
            if rec[:1] == b"*":
                continue
            row = {}
            for name, typ, o, ln in fields:
                s = rec[o:o + ln].decode("latin-1").strip()
                if typ in "NF":
                    v = float(s) if s else math.nan
                    row[name] = math.nan if v <= -99999997 else v  # CBS secret/unknown
                else:
                    row[name] = s
            rows.append(row)
    return rows


def parse_model(path):
    """The indicators of a model YAML as dicts of their scalar keys."""
    inds, cur = [], None
    for line in open(path, encoding="utf-8"):
        if re.match(r"  - id: ", line):
            cur = {"id": line.split(":", 1)[1].strip()}
            inds.append(cur)
        elif cur is not None and re.match(r"    \w+: ", line):
            k, v = line.strip().split(":", 1)
            cur[k] = v.strip().strip('"')
        elif not line.startswith("    "):
            cur = None
    return inds


def value(ind, row):
    if ind["kind"] == "ratio":
        num, den = row[ind["numerator"]], row[ind["denominator"]]
        x = num / den if den and not math.isnan(num) and not math.isnan(den) else math.nan
    else:
        x = row[ind["field"]]
    if "valid" in ind:
        lo, hi = [None if s.strip() == "null" else float(s)
                  for s in ind["valid"].strip("[]").split(",")]
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            x = math.nan
    if ind["transform"] == "log1p":
        x = math.log1p(x) if x > -1 else math.nan
    return x


wijk = {r["WK_CODE"]: r for r in read_dbf(f"{data}/cbs-kwb-wijk-dbf/wijk_2016.dbf")}
target = {}
with open(f"{data}/lbm2-wijk-2016/lbm2_wijk_dimensions_2012_2016.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["jaar"] == "2016":
            target[r["WK_CODE"]] = r


def fit(inds, field, all_inds):
    codes, X, y, w, g = [], [], [], [], []
    for code in sorted(target):
        row = wijk.get(code)
        yv = target[code][field]
        if row is None or yv in ("", "NA") or not row["AANT_INW"] >= 1:
            continue
        xs = [value(i, row) for i in all_inds]
        if any(math.isnan(v) for v in xs):  # missing: drop (any indicator of the model)
            continue
        codes.append(code)
        X.append([value(i, row) for i in inds])
        y.append(float(yv))
        w.append(row["AANT_INW"])
        g.append(row["GM_CODE"])
    X, y, w, g = np.array(X), np.array(y), np.array(w), np.array(g)
    A = np.column_stack([np.ones(len(y)), X])
    sw = np.sqrt(w)
    Q, R = np.linalg.qr(A * sw[:, None])
    beta = np.linalg.solve(R, Q.T @ (y * sw))
    resid = y - A @ beta
    n, k = A.shape
    s2 = (w * resid**2).sum() / (n - k)
    Rinv = np.linalg.inv(R)
    se = np.sqrt(s2 * (Rinv @ Rinv.T).diagonal())
    ybar = (w * y).sum() / w.sum()
    sst = (w * (y - ybar) ** 2).sum()
    pred = np.empty(n)
    for gm in np.unique(g):
        te = g == gm
        Qt, Rt = np.linalg.qr(A[~te] * sw[~te, None])
        bt = np.linalg.solve(Rt, Qt.T @ (y[~te] * sw[~te]))
        pred[te] = A[te] @ bt
    return dict(n=n, beta=beta, se=se, r2=1 - (w * resid**2).sum() / sst,
                cv_r2=1 - (w * (y - pred) ** 2).sum() / sst, codes=codes, g=g)


def stat(t, key):
    return t[key] if key in t else t["fit"][key]


for name in ("lbm2-wijk-2016", "lbm2-wijk-2016-total"):
    inds = parse_model(f"{out}/{name}.yaml")
    doc = json.load(open(f"{out}/{name}.calibrate.json", encoding="utf-8"))
    for t in doc["targets"]:
        dim = t.get("dimension")
        use = [i for i in inds if not dim or i["dimension"] == dim]
        ref = fit(use, t["field"], inds)
        label = f"{name} {t['target']} ({t['field']})"
        check(t["n"] == ref["n"], f"{label}: n {t['n']} == {ref['n']}")
        if t["n"] != ref["n"]:
            continue
        coefs = {c["indicator"]: c for c in t["coefficients"]}
        ok_b = close(t["intercept"]["coef"], ref["beta"][0]) and \
            close(t["intercept"]["se"], ref["se"][0])
        for j, i in enumerate(use):
            c = coefs[i["id"]]
            ok_b &= close(c["coef"], ref["beta"][j + 1]) and close(c["se"], ref["se"][j + 1])
        check(ok_b, f"{label}: WLS coefficients and SEs equal numpy's QR to 1e-9")
        check(close(stat(t, "r2"), ref["r2"]), f"{label}: R² {stat(t, 'r2')} == {ref['r2']}")
        check(close(stat(t, "cv_r2"), ref["cv_r2"]),
              f"{label}: CV R² {stat(t, 'cv_r2')} == {ref['cv_r2']} (leave one gemeente out)")
        check(t["n_folds"] == len(np.unique(ref["g"])),
              f"{label}: {t['n_folds']} folds, one per gemeente ({len(np.unique(ref['g']))})")

# Folds in the predictions: a gemeente is never split.
with open(f"{out}/lbm2-wijk-2016-total.predictions.csv", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
folds = {}
for r in rows:
    folds.setdefault(wijk[r[next(k for k in r if r[k].startswith("WK"))]]["GM_CODE"],
                     set()).add(r["fold"])
check(rows and all(len(v) == 1 for v in folds.values()),
      f"no gemeente split over folds ({len(folds)} gemeenten, {len(rows)} wijken)")
sys.exit(1 if fails else 0)
EOF
rc=$?
[[ $rc -eq 0 ]] && ok "shipped models reproduced and checked" || bad "see above"
finish
