#!/bin/sh
# Installs what is missing, builds once per configuration and runs the whole suite:
# the default build (ctest, in parallel), the same suite under ASan+UBSan, and each
# libFuzzer target for a bounded time. Idempotent; exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/hermes-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Lets ccache cache the compiles that use the precompiled headers (the libraries' and tests').
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
jobs="${HERMES_JOBS:-2}"
# Tests mostly wait on timers, sockets and peers (the default suite uses under half a core at
# -j2), so more run at once than there are cores; timing-sensitive ones are RUN_SERIAL.
test_jobs="${HERMES_TEST_JOBS:-6}"
fuzz_seconds="${HERMES_FUZZ_SECONDS:-60}"

started=$(date +%s)
step() { printf '\n=== %s (at %d s) ===\n' "$*" "$(( $(date +%s) - started ))"; }

# Runs one preset's tests. On a machine set up by scripts/setup.sh nothing may be skipped:
# a skip means a peer program is missing, and that fails the run instead of hiding.
run_tests() {
    log="$(mktemp)"
    { ctest --preset "$1" -j "$test_jobs" && rc=0 || rc=$?; echo "$rc" > "$log.status"; } 2>&1 | tee "$log"
    status="$(cat "$log.status")"
    skipped="$(grep -c '(Skipped)' "$log" || true)"
    rm -f "$log" "$log.status"
    echo "ctest --preset $1: $skipped skipped"
    [ "$status" -eq 0 ] || return 1
    [ "$skipped" -eq 0 ] || { echo "tests were skipped: a peer is missing (see above)"; return 1; }
}

step "default build"
cmake --preset default
cmake --build --preset default -j "$jobs"
step "default tests"
run_tests default
step "translations complete"
./scripts/check-translations.sh
step "Debian package (install, pub/sub round trip, purge)"
./scripts/package-test.sh

step "ASan+UBSan build"
cmake --preset asan
cmake --build --preset asan -j "$jobs"
step "ASan+UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_tests asan

step "fuzz ($fuzz_seconds s per target)"
cmake --preset fuzz
cmake --build --preset fuzz -j "$jobs"
./scripts/fuzz.sh "$fuzz_seconds"
step "all passed"
