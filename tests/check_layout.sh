#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check the module layout of CONTRIBUTING.md from the sources: derive the module graph (which
# src/<module> includes which) and the third-party headers each file reaches, and fail, naming
# the file and the include, on
#   - a cycle between modules;
#   - a GDAL/OGR/CPL/OSR (or PROJ) header reached outside src/io;
#   - a GEOS header reached outside src/geom;
#   - any header but the C standard library's and leefbaar's own in src/data;
#   - a public header (include/leefbaar) including anything but standard C headers and its
#     sibling public headers;
#   - a non-static lb_ function in src/<module>/<file>.c not named lb_<module>_..., lb_<file>_...
#     or lb_<type>_... (a type of <file>.h), unless it is public (LB_API).
# A header is "reached" directly or through a project header (src/geom/x.h including <geos_c.h>
# makes every file that includes x.h reach GEOS).
# Usage: check_layout.sh [SOURCE_ROOT] [--graph]   (--graph also prints the module graph)
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
graph=0
[[ ${2:-} == --graph || ${1:-} == --graph ]] && graph=1
[[ $root == --graph ]] && root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
[[ -d src && -d include/leefbaar ]] || {
    echo "check_layout: '$root' has no src/ and include/leefbaar/" >&2
    exit 2
}

# One line per include: FILE <TAB> q|a <TAB> NAME <TAB> LINE  (q = "quoted", a = <angle>).
list_includes() {
    find src include/leefbaar -name '*.[ch]' -print | LC_ALL=C sort | while read -r f; do
        awk -v f="$f" '
            /^[ \t]*#[ \t]*include[ \t]*[<"]/ {
                s = $0
                sub(/^[ \t]*#[ \t]*include[ \t]*/, "", s)
                kind = substr(s, 1, 1) == "<" ? "a" : "q"
                s = substr(s, 2)
                sub(/[>"].*$/, "", s)
                printf "%s\t%s\t%s\t%d\n", f, kind, s, FNR
            }' "$f"
    done
}

# Naming (CONTRIBUTING.md, "Naming"): every non-static lb_ function defined in
# src/<module>/<file>.c is named lb_<module>_..., lb_<file>_... or lb_<type>_... for a type
# declared in src/<module>/<file>.h, unless it is public (LB_API in include/leefbaar). The
# readers that fill a data type may carry its name (io/vector.c reads lb_vlayer).
check_names() {
    local extra="io/vector.c:vlayer"
    local public f rel m b h prefixes fn p ok bad=0
    public=$(grep -hE '^LB_API' include/leefbaar/*.h | grep -oE 'lb_[a-z0-9_]+[ ]*\(' | tr -d '( ')
    while read -r f; do
        rel=${f#src/}
        m=${rel%%/*}
        b=$(basename "$f" .c)
        h=${f%.c}.h
        prefixes="$m $b"
        if [[ -f $h ]]; then
            prefixes+=" $(grep -ohE '(typedef[ ]+(struct|enum|union)[ ]+lb_[a-z0-9_]+|^}[ ]*lb_[a-z0-9_]+[ ]*;)' "$h" |
                grep -oE 'lb_[a-z0-9_]+' | sed 's/^lb_//' | tr '\n' ' ')"
        fi
        for p in $extra; do
            [[ ${p%%:*} == "$rel" ]] && prefixes+=" ${p#*:}"
        done
        for fn in $(grep -E '^[a-z][a-z0-9_ ]*[ *]+lb_[a-z0-9_]+\(' "$f" | grep -vE '^(static|typedef|extern)[ ]' |
            grep -vE '\);[ ]*$' | grep -oE 'lb_[a-z0-9_]+\(' | tr -d '('); do
            ok=0
            for p in $prefixes; do
                [[ $fn == lb_${p}_* || $fn == "lb_$p" ]] && ok=1 && break
            done
            [[ $ok == 0 ]] && grep -qx "$fn" <<<"$public" && ok=1
            if [[ $ok == 0 ]]; then
                echo "check_layout: $f: $fn: name it lb_<module>_... ($m), lb_<file>_... ($b) or" \
                    "lb_<type>_... for a type of $(basename "$h") (CONTRIBUTING.md, Naming)" >&2
                bad=$((bad + 1))
            fi
        done
    done < <(find src -name '*.c' | LC_ALL=C sort)
    if ((bad)); then
        echo "check_layout: $bad function name(s) that do not tell their file" >&2
        return 1
    fi
    echo "check_layout: OK (names: every non-static lb_ function in src/ tells its file)"
}

rc=0
list_includes | awk -F'\t' -v graph="$graph" '
function module_of(path, parts) {
    if (path ~ /^include\/leefbaar\//)
        return "public"
    split(path, parts, "/")
    return parts[1] == "src" && parts[3] != "" ? parts[2] : "src"
}
# Resolve a quoted include relative to the including file ("src/geom/../io/vector.h").
function resolve(file, name, n, i, p, out, k, stack) {
    n = split(file, p, "/")
    k = 0
    for (i = 1; i < n; i++)
        stack[++k] = p[i]
    n = split(name, p, "/")
    for (i = 1; i <= n; i++) {
        if (p[i] == "..")
            k--
        else if (p[i] != ".")
            stack[++k] = p[i]
    }
    out = ""
    for (i = 1; i <= k; i++)
        out = out (i > 1 ? "/" : "") stack[i]
    return out
}
function is_std_c(h) {
    return h ~ /^(assert|complex|ctype|errno|fenv|float|inttypes|iso646|limits|locale|math|setjmp|signal|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string|tgmath|threads|time|uchar|wchar|wctype)\.h$/
}
function is_gdal(h) {
    return h ~ /^(gdal|gdal_[a-z_]*|gdalwarper|ogr_[a-z_]*|ogrsf_frmts|cpl_[a-z_]*|osr[a-z_]*|proj|proj_[a-z_]*)\.h$/
}
function is_geos(h) { return h ~ /^geos(_c)?\.h$/ }
function fail(msg) { print "check_layout: " msg > "/dev/stderr"; bad++ }
{
    file = $1; kind = $2; name = $3; line = $4
    files[file] = 1
    n_inc[file]++
    inc_kind[file, n_inc[file]] = kind
    inc_line[file, n_inc[file]] = line
    inc_name[file, n_inc[file]] = name
    inc_raw[file, n_inc[file]] = name
    if (kind == "q")
        inc_name[file, n_inc[file]] = resolve(file, name)
}
# Third-party headers a file reaches: its own angle includes and, through quoted includes of
# project files, theirs (first way found kept for the message).
function reach(f, depth, i, t, h, key) {
    if (f in done)
        return
    done[f] = 1
    for (i = 1; i <= n_inc[f]; i++) {
        t = inc_name[f, i]
        if (inc_kind[f, i] == "a") {
            if (!((f, t) in via))
                via[f, t] = ""
            continue
        }
        if (!(t in files))
            continue # generated (lb_config.h)
        reach(t, depth + 1)
        for (key in via) {
            split(key, h, SUBSEP)
            if (h[1] == t && !((f, h[2]) in via))
                via[f, h[2]] = "'"'"'" t "'"'"'" (via[key] != "" ? ", which includes " via[key] : "")
        }
    }
}
END {
    bad = 0
    for (f in files)
        reach(f, 0)
    for (key in via) {
        split(key, h, SUBSEP)
        f = h[1]; hdr = h[2]; m = module_of(f)
        how = via[key] == "" ? "" : " (through " via[key] ")"
        if (hdr ~ /^leefbaar\//)
            continue
        if (is_gdal(hdr) && m != "io")
            fail(f ": includes <" hdr ">" how ": GDAL/OGR/CPL/OSR/PROJ belong in src/io only")
        if (is_geos(hdr) && m != "geom")
            fail(f ": includes <" hdr ">" how ": GEOS belongs in src/geom only")
        if (m == "data" && !is_std_c(hdr))
            fail(f ": includes <" hdr ">" how ": src/data holds plain data and uses no " \
                 "library but the C standard library")
        if (m == "public" && !is_std_c(hdr) && via[key] == "")
            fail(f ": public header includes <" hdr ">: public headers include only " \
                 "standard C headers")
    }
    # The module graph from quoted includes between modules.
    for (f in files) {
        m = module_of(f)
        mods[m] = 1
        for (i = 1; i <= n_inc[f]; i++) {
            if (inc_kind[f, i] != "q")
                continue
            t = inc_name[f, i]
            if (m == "public" && module_of(t) != "public")
                fail(f ":" inc_line[f, i] ": public header includes \"" inc_raw[f, i] "\": public headers " \
                     "include only standard C headers and other public headers")
            if (!(t in files))
                continue
            d = module_of(t)
            if (d == m || d == "public")
                continue
            if (!((m, d) in edge)) {
                edge[m, d] = f ":" inc_line[f, i] " includes \"" inc_raw[f, i] "\""
                n_out[m]++
                out[m, n_out[m]] = d
            }
        }
    }
    if (graph) {
        for (m in mods) {
            s = ""
            for (i = 1; i <= n_out[m]; i++)
                s = s " " out[m, i]
            print m " ->" s | "sort"
        }
        close("sort")
    }
    # Cycles: depth-first search; a back edge closes a cycle, reported with one include per
    # edge. (Each cycle is reported once per back edge found.)
    for (m in mods)
        state[m] = 0
    for (m in mods)
        if (state[m] == 0)
            dfs(m, 0)
    if (bad) {
        print "check_layout: " bad " violation(s) of the layout in CONTRIBUTING.md" > "/dev/stderr"
        exit 1
    }
    print "check_layout: OK (modules: " length(mods) ", no cycle, third-party headers where they belong)"
}
function dfs(m, depth, i, d, k, j, msg) {
    state[m] = 1
    path[depth] = m
    for (i = 1; i <= n_out[m]; i++) {
        d = out[m, i]
        if (state[d] == 1) {
            for (k = depth; k >= 0 && path[k] != d; k--)
                ;
            msg = "module cycle " d
            for (j = k; j <= depth; j++)
                msg = msg " -> " (j < depth ? path[j + 1] : d)
            msg = msg ":"
            for (j = k; j <= depth; j++)
                msg = msg "\n  " edge[path[j], (j < depth ? path[j + 1] : d)]
            fail(msg)
        } else if (state[d] == 0) {
            dfs(d, depth + 1)
        }
    }
    state[m] = 2
}
' || rc=1
check_names || rc=1
exit $rc
