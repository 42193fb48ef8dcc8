#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run a fuzz harness once over its seeds and its regression inputs (no fuzzing).
# Usage: tests/fuzz/regress.sh HARNESS_EXE NAME
# Regression inputs listed in tests/fuzz/regressions/PENDING crash until a fix on another branch
# is merged; they are skipped with a note. Empty that list once the fixes are in.
set -uo pipefail
exe=$1 name=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.." # the run.json seeds name the tiny model relative to the source root
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}
inputs=()
for f in "$here/regressions/$name"/*; do
    [[ -f $f ]] || continue
    if grep -qxF "$name/$(basename "$f")" "$here/regressions/PENDING" 2>/dev/null; then
        echo "SKIP (pending fix): $name/$(basename "$f")"
    else
        inputs+=("$f")
    fi
done
"$exe" -runs=0 "$here/corpus/$name" || exit 1
[[ ${#inputs[@]} -eq 0 ]] || "$exe" -timeout=60 "${inputs[@]}"
