# SPDX-License-Identifier: MIT
# Install test: `meson install --destdir` from the current build directory into a temporary
# directory, move the installed prefix somewhere else (so neither the configured prefix nor the
# source tree is where the tool could look), and with no environment but PATH:
#   - leefbaar --version, the RUNPATH ($ORIGIN, nothing absolute), the soname, the library the
#     loader picks (the moved one);
#   - leefbaar demo OUT from the installed data, with its score maps;
#   - hiding the installed data makes the demo fail with a message naming where it looked (had
#     the binary a compiled-in source path, it would have succeeded from the source tree);
#   - a C program built with `pkg-config leefbaar` (from the moved prefix) that checks
#     <leefbaar/version.h> against lb_version() and loads the installed default model;
#   - man pages, header, completion and pkg-config file where they belong.
# Usage: run.sh BUILD_DIR SOURCE_DIR VERSION
source "$(dirname "$0")/../cli/lib.sh"
build=$1 src=$2 version=$3

if ! meson install -C "$build" --no-rebuild --destdir "$TMP/stage" --quiet >"$TMP/install.log" 2>&1; then
    bad "meson install --destdir: $(tail -n 20 "$TMP/install.log")"
    finish
    exit 1
fi
exe=$(find "$TMP/stage" -path '*/bin/leefbaar' -type f | head -n 1)
[[ -n $exe ]] && ok "installed bin/leefbaar" || { bad "no bin/leefbaar in the staged install"; finish; exit 1; }
staged_prefix=$(dirname "$(dirname "$exe")")
moved=$TMP/elsewhere/leefbaar-prefix
mkdir -p "$TMP/elsewhere"
mv "$staged_prefix" "$moved"
bin=$moved/bin/leefbaar
lib=$(find "$moved" -name 'libleefbaar.so' | head -n 1)
libdir=$(dirname "$lib")
pcdir=$libdir/pkgconfig
share=$moved/share/leefbaar
# No LD_LIBRARY_PATH, no LEEFBAAR_DATA, nothing but a PATH to the system's tools (and, in a
# sanitizer build, the sanitizers' own settings).
keep=()
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
    [[ -n ${!v:-} ]] && keep+=("$v=${!v}")
done
run() { env -i PATH=/usr/bin:/bin HOME="$TMP" "${keep[@]}" "$@"; }

# --- the binary and the library ---------------------------------------------------------------
out=$(run "$bin" --version 2>&1)
[[ $out == "leefbaar $version" ]] && ok "--version: $out" || bad "--version gave '$out'"
dyn=$(readelf -d "$bin")
runpath=$(sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p' <<<"$dyn")
[[ $runpath == '$ORIGIN/'* ]] && ok "RUNPATH $runpath" || bad "RUNPATH '$runpath' is not \$ORIGIN-relative"
[[ $runpath != *"$build"* && $runpath != *"$src"* ]] && ok "RUNPATH has no build or source path" \
    || bad "RUNPATH names the build tree: $runpath"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
needed=$(sed -n 's/.*(NEEDED).*\[\(libleefbaar[^]]*\)\]/\1/p' <<<"$dyn")
[[ -n $soname && $soname == "$needed" && -e "$libdir/$soname" ]] \
    && ok "soname $soname, needed by the binary, installed" \
    || bad "soname '$soname', needed '$needed'"
real_lib=$(readlink -f "$lib")
[[ $real_lib == *".so.$version" ]] && ok "library file $(basename "$real_lib")" \
    || bad "library file $real_lib does not carry version $version"
if nm -D --undefined-only "$lib" | grep -qwE 'getenv|secure_getenv'; then
    bad "the library calls getenv: only the command-line tool may read the environment"
else
    ok "the library does not read the environment"
fi
loaded=$(run ldd "$bin" | sed -n 's/.*libleefbaar[^ ]* => \([^ ]*\).*/\1/p')
[[ $(readlink -f "$loaded") == "$real_lib" ]] && ok "the loader picks the moved library" \
    || bad "the loader picks '$loaded', not $real_lib"

# --- the data and the demo --------------------------------------------------------------------
for f in models/default.yaml shapes/leefstad.gpkg shapes/leefstad_2020.gpkg \
    shapes/leefstad_2022.gpkg rasters/noise_lden.tif rasters/green_share.tif; do
    cmp -s "$share/$f" "$src/$f" && ok "data: $f" || bad "data: $f missing or different"
done
out=$(run "$bin" model check default 2>&1)
grep -q '^ok$' <<<"$out" && ok "model check default (the installed model)" || bad "model check default: $out"
out=$(run "$bin" model list 2>&1)
grep -qx "default $share/models/default.yaml" <<<"$out" && ok "model list" || bad "model list: $out"
demo=$TMP/demo-out
if run "$bin" demo -q "$demo" >"$TMP/demo.out" 2>"$TMP/demo.err"; then
    ok "demo runs from the moved prefix"
else
    bad "demo: $(cat "$TMP/demo.err")"
fi
for f in score/scores_2020.tif score/scores_2022.tif score/class_2022.tif score/class_2022.png \
    score/scores.gpkg change/change.gpkg diagnose/WK990100.html waterbed/waterbed.csv; do
    [[ -s "$demo/$f" ]] && ok "demo: $f" || bad "demo: missing $f"
done
if grep -q "$share/shapes/leefstad_2020.gpkg" "$demo/score/run.json" &&
    ! grep -qF "$src" "$demo/score/run.json"; then
    ok "demo read the installed data, not the source tree"
else
    bad "demo's run.json does not name the installed inputs"
fi
mv "$share" "$share.hidden"
if run "$bin" demo -q "$TMP/demo-nodata" >/dev/null 2>"$TMP/nodata.err"; then
    bad "demo without installed data succeeded: it found data elsewhere (compiled-in path?)"
elif grep -q "no data directory" "$TMP/nodata.err" && grep -qF "$moved/bin" "$TMP/nodata.err"; then
    ok "without installed data the demo fails and says where it looked"
else
    bad "demo without data: $(cat "$TMP/nodata.err")"
fi
[[ ! -e "$TMP/demo-nodata" ]] && ok "no half-written output" || bad "demo-nodata was created"
out=$(run env LEEFBAAR_DATA="$share.hidden" "$bin" model check default 2>&1)
grep -q '^ok$' <<<"$out" && ok "LEEFBAAR_DATA points the CLI elsewhere" || bad "LEEFBAAR_DATA: $out"
mv "$share.hidden" "$share"

# --- a C program against pkg-config -----------------------------------------------------------
# The .pc file is relocatable (prefix=${pcfiledir}/...), like the binary: found through
# PKG_CONFIG_PATH it gives the moved prefix's paths.
pc() { run env PKG_CONFIG_PATH="$pcdir" pkg-config "$@"; }
if pc --exists leefbaar; then
    ok "pkg-config finds leefbaar ($(pc --modversion leefbaar))"
else
    bad "pkg-config --exists leefbaar: $(pc --print-errors --exists leefbaar 2>&1)"
fi
[[ $(pc --modversion leefbaar) == "$version" ]] && ok "pkg-config version" || bad "pkg-config version"
pc_libdir=$(pc --variable=libdir leefbaar)
[[ $(readlink -f "$pc_libdir") == "$(readlink -f "$libdir")" ]] && ok "pkg-config libdir" \
    || bad "pkg-config libdir $pc_libdir, not $libdir"
pc_incdir=$(pc --variable=includedir leefbaar)
[[ $(readlink -f "$pc_incdir") == "$(readlink -f "$moved/include")" ]] && ok "pkg-config includedir" \
    || bad "pkg-config includedir $pc_incdir, not $moved/include"
cflags=$(pc --cflags leefbaar) libs=$(pc --libs leefbaar)
[[ $cflags == *"-I$pc_incdir"* ]] && ok "cflags $cflags" || bad "cflags '$cflags'"
[[ $libs == *-lleefbaar* ]] && ok "libs $libs" || bad "libs '$libs'"
# a library built with sanitizers needs their runtime first in the program
san=()
readelf -d "$lib" | grep -q 'NEEDED.*libasan' && san+=(-fsanitize=address)
readelf -d "$lib" | grep -q 'NEEDED.*libubsan' && san+=(-fsanitize=undefined)
# shellcheck disable=SC2086 # word splitting of the flags is intended
if run cc -std=c17 -Wall -Wextra -Wpedantic -Werror "${san[@]}" "$src/tests/install/prog.c" \
    -o "$TMP/prog" $cflags $libs -Wl,-rpath,"$pc_libdir" 2>"$TMP/cc.err"; then
    ok "a C program builds with pkg-config leefbaar"
else
    bad "cc: $(cat "$TMP/cc.err")"
fi
if out=$(run "$TMP/prog" "$share/models/default.yaml" 2>&1); then
    ok "the C program runs: $(tr '\n' ' ' <<<"$out")"
else
    bad "the C program: $out"
fi
grep -qx "version $version" <<<"$out" && grep -q "^model " <<<"$out" \
    && ok "LB_VERSION_STRING == lb_version() == $version, default model loaded" \
    || bad "program output: $out"
# The in-memory API from the installed library: change 2020 -> 2022 of the demo's score run,
# computed by the program without writing a file, against the change.csv the installed tool
# wrote (rounded to 6 decimals there).
mkdir -p "$TMP/api-cwd"
if (cd "$TMP/api-cwd" && run "$TMP/prog" "$share/models/default.yaml" "$demo") \
    >"$TMP/api.out" 2>"$TMP/api.err"; then
    ok "the C program runs change through lb_opts/lb_change_run/lb_result_table"
else
    bad "the C program with the demo: $(cat "$TMP/api.err")"
fi
[[ -z $(ls -A "$TMP/api-cwd") ]] && ok "the API call wrote no file" || bad "the API call wrote files"
cmp_out=$(awk -F, 'NR == FNR { if ($1 == "unit") m[$2] = $3; next }
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { n++; k = $c["BU_CODE"]; x = $c["d_lbm"]
      if (!(k in m)) { print "missing " k; bad++; next }
      if (x == "" ? m[k] != "nan" && m[k] != "-nan" : (m[k] - x > 5e-7 || x - m[k] > 5e-7)) {
          print k " " m[k] " vs " x; bad++ } }
    END { printf "%d units, %d differ\n", n, bad + 0; exit bad > 0 || n == 0 }' \
    FS=' ' "$TMP/api.out" FS=, "$demo/change/change.csv" 2>&1) \
    && ok "in memory = change.csv: $cmp_out" || bad "in memory vs change.csv: $cmp_out"

# --- headers, man pages, completion -----------------------------------------------------------
grep -q "#define LB_VERSION_STRING \"$version\"" "$moved/include/leefbaar/version.h" \
    && ok "include/leefbaar/version.h" || bad "include/leefbaar/version.h"
for h in "$src"/include/leefbaar/*.h; do
    [[ -f "$moved/include/leefbaar/$(basename "$h")" ]] || bad "header $(basename "$h") not installed"
done
[[ ! -e "$moved/include/leefbaar/meson.build" && ! -e "$moved/include/leefbaar/version.h.in" ]] \
    && ok "only headers in include/leefbaar" || bad "build files installed with the headers"
for cmd in "" score change diagnose scan waterbed model demo; do
    page=$moved/share/man/man1/leefbaar${cmd:+-$cmd}.1
    [[ -s $page ]] && ok "man page $(basename "$page")" || bad "missing $page"
done
comp=$(find "$moved" -path '*/bash-completion/completions/leefbaar' | head -n 1)
if [[ -n $comp && -s $comp ]]; then
    ok "bash completion installed"
    got=$(PATH="$moved/bin:/usr/bin:/bin" bash -c '
        source "$1"
        COMP_WORDS=(leefbaar sco); COMP_CWORD=1; _leefbaar; echo "${COMPREPLY[*]}"' _ "$comp")
    [[ $got == score ]] && ok "installed completion completes 'sco' to score" \
        || bad "installed completion of 'sco': '$got'"
else
    bad "bash completion not installed under the prefix"
fi
finish
