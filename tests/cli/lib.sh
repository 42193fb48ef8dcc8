# SPDX-License-Identifier: MIT
# Helpers for the black-box CLI tests: a temp dir, expectations, a tally.
set -u
TMP=$(mktemp -d /tmp/lb-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
# expect_fail NAME NEEDLE CMD...: CMD must exit non-zero and print NEEDLE on stderr.
expect_fail() {
    local name=$1 needle=$2; shift 2
    if "$@" >"$TMP/out" 2>"$TMP/err"; then
        bad "$name: exited 0"
    elif ! grep -qF -- "$needle" "$TMP/err"; then
        bad "$name: stderr lacks '$needle': $(cat "$TMP/err")"
    else
        ok "$name"
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [[ $fail -eq 0 ]]
}
