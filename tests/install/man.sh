# SPDX-License-Identifier: MIT
# The man pages cannot drift from the tool: every option that `leefbaar COMMAND --help` prints
# (-x and --long-name alike) appears in man/leefbaar-COMMAND.1, every command of `leefbaar
# --help` has a page and is named in leefbaar(1), and each page renders without a warning from
# groff (and man -l, when man is installed).
# Usage: man.sh MAN_DIR, with $LEEFBAAR the executable.
source "$(dirname "$0")/../cli/lib.sh"
mandir=$1

# the options a help text names: -x or --long-name at the start of a word
options() { grep -oE -- '(^|[][ ,(|])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u; }
# PAGE names OPTION: written as roff does (\- for each -), not as part of a longer option
names() {
    local esc=${2//-/\\\\-}
    grep -qP -- "${esc}(?![A-Za-z0-9]|\\\\-[A-Za-z0-9])" "$1"
}

commands=$("$LEEFBAAR" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
[[ $(wc -w <<<"$commands") -ge 6 ]] && ok "commands: $(tr '\n' ' ' <<<"$commands")" \
    || bad "too few commands in leefbaar --help: $commands"
for opt in $("$LEEFBAAR" --help | options); do
    names "$mandir/leefbaar.1" "$opt" && ok "leefbaar.1: $opt" || bad "leefbaar.1 lacks $opt"
done
for cmd in $commands; do
    page=$mandir/leefbaar-$cmd.1
    if [[ ! -f $page ]]; then
        bad "no man page for '$cmd' ($page)"
        continue
    fi
    grep -qF "leefbaar\\-$cmd (1)" "$mandir/leefbaar.1" && ok "leefbaar.1 refers to leefbaar-$cmd(1)" \
        || bad "leefbaar.1 does not refer to leefbaar-$cmd(1)"
    n=0
    for opt in $("$LEEFBAAR" "$cmd" --help | options); do
        n=$((n + 1))
        names "$page" "$opt" || bad "leefbaar-$cmd.1 lacks $opt (printed by leefbaar $cmd --help)"
    done
    ((n > 2)) && ok "leefbaar-$cmd.1 checked against $n options of --help" \
        || bad "leefbaar $cmd --help shows only $n options"
done

for page in "$mandir"/*.1; do
    name=$(basename "$page")
    if command -v groff >/dev/null; then
        if LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>"$TMP/groff.err" && [[ ! -s $TMP/groff.err ]]; then
            ok "groff renders $name without warnings"
        else
            bad "groff $name: $(cat "$TMP/groff.err")"
        fi
    else
        echo "# groff not installed: rendering of $name not checked"
    fi
    if command -v man >/dev/null; then
        if MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" >"$TMP/man.out" \
            2>"$TMP/man.err" && [[ ! -s $TMP/man.err && -s $TMP/man.out ]]; then
            ok "man -l renders $name without warnings"
        else
            bad "man -l $name: $(cat "$TMP/man.err")"
        fi
    fi
done
finish
