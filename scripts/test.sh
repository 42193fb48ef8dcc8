#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set up, build and run every test suite (unit, CLI, real data when ../shared/data exists).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LB_BUILD_DIR:-$root/build-test}
"$root/scripts/setup-deps.sh" --test
[[ -f "$build/build.ninja" ]] || meson setup "$build" "$root" ${LB_MESON_ARGS:-} >/dev/null
meson compile -C "$build"
meson test -C "$build" --print-errorlogs
