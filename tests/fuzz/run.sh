#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every fuzz harness for a fixed time on its seed corpus; fail when one finds a crash,
# a leak, a timeout or undefined behaviour. Usage (from anywhere):
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_HARNESS] [HARNESS...]
# BUILD_DIR is a build configured with CC=clang and -Dfuzz=true. New inputs go to
# BUILD_DIR/fuzz-corpus/<harness>/ (kept between runs, so longer runs build on shorter ones),
# crash inputs to BUILD_DIR/fuzz-artifacts/; the committed seeds are only read. Each harness
# first runs its regression inputs (tests/fuzz/regressions/<harness>/) once. The last line per
# harness is libFuzzer's summary: executions, coverage (cov: edges, ft: features), corpus.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [SECONDS] [HARNESS...]}" && pwd)
secs=${2:-60}
shift $(($# >= 2 ? 2 : 1))
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] ||
    harnesses=(model vtable attrtable vector scores runjson diagnose)
cd "$root" # the run.json seeds name the tiny model relative to the source root
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp}
# the harnesses' scratch directories, which a crash leaves behind, all go here
export LB_FUZZ_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/lb-fuzz-run-XXXXXX")
trap 'rm -rf "$LB_FUZZ_TMPDIR"' EXIT
failed=()
for h in "${harnesses[@]}"; do
    exe=$build/tests/fuzz/fuzz_$h
    [[ -x $exe ]] || { echo "fuzz: no harness $exe (configure with -Dfuzz=true)" >&2; exit 2; }
    work=$build/fuzz-corpus/$h
    art=$build/fuzz-artifacts
    mkdir -p "$work" "$art"
    log=$build/fuzz-$h.log
    echo "== fuzz_$h: regressions, then ${secs}s on corpus/$h"
    if ! bash tests/fuzz/regress.sh "$exe" "$h" >"$log" 2>&1; then
        tail -n 40 "$log"
        failed+=("$h (regression)")
        continue
    fi
    grep '^SKIP' "$log"
    if "$exe" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$art/$h-" "$work" "tests/fuzz/corpus/$h" \
        >"$log" 2>&1; then
        grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
        grep -E '^stat::number_of_executed_units' "$log"
    else
        tail -n 60 "$log"
        failed+=("$h")
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs in $build/fuzz-artifacts/, logs in $build/fuzz-*.log)"
    exit 1
fi
echo "fuzz: ${#harnesses[@]} harnesses, ${secs}s each, no crash"
