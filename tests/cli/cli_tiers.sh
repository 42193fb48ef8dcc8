# SPDX-License-Identifier: MIT
# leefbaar-tiers (bench/ data generator), smoke test on the small tier T0: GEOS validity and
# tiling, bit-identical files for the same seed, and consistent numbers across its layers.
source "$(dirname "$0")/lib.sh"
G=$LEEFBAAR_TIERS

"$G" T0 "$TMP/a" --check >"$TMP/log" 2>&1 && ok "T0 generates and passes --check" \
    || bad "T0: $(cat "$TMP/log")"
grep -q "100 buurten valid, sum of areas = union = 100.0 km2" "$TMP/log" \
    && ok "buurten tile the 10 x 10 km box" || bad "tiling: $(cat "$TMP/log")"
"$G" T0 "$TMP/b" >/dev/null 2>&1
sums() { (cd "$1" && find . -type f | sort | xargs sha256sum); }
[[ "$(sums "$TMP/a")" == "$(sums "$TMP/b")" ]] && ok "same seed, identical files" \
    || bad "files differ between two runs with the same seed"
"$G" T0 "$TMP/c" --seed 7 --rasters 1 >/dev/null 2>&1
[[ "$(sha256sum <"$TMP/a/buurten_2020.gpkg")" != "$(sha256sum <"$TMP/c/buurten_2020.gpkg")" ]] \
    && ok "another seed, other buurten" || bad "--seed has no effect"
[[ $(ls "$TMP/c/rasters" | wc -l) -eq 1 ]] && ok "--rasters 1" || bad "--rasters 1: $(ls "$TMP/c/rasters")"
ls -A "$TMP/a" | grep -q '^\.tmp' && bad "temporary file left" || ok "no temporary files left"

# The buurten's inhabitants are the sums of their squares: compare the totals with OGR's SQL.
total() { ogrinfo -q -ro -sql "$2" "$1" | sed -n 's/.*(Integer[^=]*= *\([0-9]*\).*/\1/p'; }
nb=$(total "$TMP/a/buurten_2020.gpkg" "SELECT COUNT(*) AS n FROM buurten")
[[ "$nb" == 100 ]] && ok "100 buurten" || bad "buurten count '$nb'"
bi=$(total "$TMP/a/buurten_2020.gpkg" "SELECT SUM(AANT_INW) AS s FROM buurten")
si=$(total "$TMP/a/vierkanten_2020.gpkg" "SELECT SUM(aantal_inwoners) AS s FROM vierkanten")
[[ -n "$bi" && "$bi" == "$si" ]] && ok "Σ AANT_INW of buurten = Σ inhabitants of squares ($bi)" \
    || bad "inhabitants: buurten '$bi', squares '$si'"
ns=$(total "$TMP/a/buurten_2020.gpkg" "SELECT COUNT(*) AS n FROM buurten WHERE AANT_INW < 50 AND WOZ <> -99999997")
[[ "$ns" == 0 ]] && ok "small buurten carry the CBS secrecy sentinel" || bad "$ns small buurten without sentinel"
gdalinfo -stats "$TMP/a/rasters/noise_lden.tif" >"$TMP/info" 2>&1
grep -q "Size is 100, 100" "$TMP/info" && grep -q "Pixel Size = (100.000000000000000,-100.000000000000000)" "$TMP/info" \
    && grep -q "NoData Value=-9999" "$TMP/info" && ok "raster: 100 x 100 pixels of 100 m, nodata -9999" \
    || bad "raster: $(head -30 "$TMP/info")"
"$G" T9 "$TMP/d" >/dev/null 2>"$TMP/err" ; [[ $? -eq 2 ]] && grep -q "unknown tier 'T9'" "$TMP/err" \
    && ok "unknown tier is a usage error" || bad "unknown tier: $(cat "$TMP/err")"
finish
