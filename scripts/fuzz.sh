#!/bin/sh
# Runs the libFuzzer targets in build-fuzz/ (preset "fuzz"), seeded from tests/fuzz/corpus.
# Fails if any target crashes (the input is kept as build-fuzz/fuzz-runs/<target>-crash-*).
#
#   scripts/fuzz.sh [SECONDS]
#       Every target at once, SECONDS each (CI runs 60).
#   scripts/fuzz.sh --executions N [--max-seconds S] [TARGET...]
#       A manual campaign: one target at a time, one process, until N executions each
#       (e.g. 10000000), or S seconds per target if that comes first; then the run's corpus
#       and the kept one are minimised (-merge=1) into tests/fuzz/corpus/<target>, to be
#       committed. Prints executions, coverage and corpus size per target.
#
# Environment: FUZZ_OUT, the run directory (default build-fuzz/fuzz-runs; a campaign beside a
# test run wants its own); FUZZ_FLAGS, more libFuzzer flags (e.g. -entropic=0: the entropic
# scheduler costs fuzz_sessionmachine half its time once it knows ~25,000 features);
# FUZZ_BUILD, the build directory (default build-fuzz; build-fuzz-ubsan, preset "fuzz-ubsan",
# runs 3-4x faster without AddressSanitizer: for long campaigns, whose corpus then goes
# through the ASan build, which every test run does).
set -eu
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_OUT:-$build/fuzz-runs}
mkdir -p "$out"

common_flags="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 ${FUZZ_FLAGS:-}"

# The last "cov:"/"ft:" figures libFuzzer printed, and its executed-units statistic.
summary() {
    log=$1
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    echo "${runs:-?} executions, ${cov:-cov: ?}"
}

if [ "${1:-}" = "--executions" ]; then
    runs="${2:?--executions needs a count}"
    shift 2
    limit=""
    if [ "${1:-}" = "--max-seconds" ]; then
        limit="-max_total_time=${2:?--max-seconds needs a count}"
        shift 2
    fi
    targets="$*"
    [ -n "$targets" ] || targets=$(for t in "$build"/tests/fuzz/fuzz_*; do [ -x "$t" ] && basename "$t"; done)
    status=0
    for name in $targets; do
        target="$build/tests/fuzz/$name"
        kept="tests/fuzz/corpus/$name"
        corpus="$out/$name-corpus"
        mkdir -p "$kept" "$corpus"
        started=$(date +%s)
        # A campaign runs for hours beside other work: a starved process must not pass for a
        # hang (a 10 s wall-clock alarm fired inside ASan's allocator under load 9), so it
        # allows a minute per input.
        # shellcheck disable=SC2086
        if ! "$target" -runs="$runs" $limit $common_flags -timeout=60 -artifact_prefix="$out/$name-" \
            "$corpus" "$kept" > "$out/$name.log" 2>&1; then
            echo "$name: FAILED"; tail -40 "$out/$name.log"; status=1
            continue
        fi
        seconds=$(( $(date +%s) - started ))
        merged="$out/$name-merged"
        rm -rf "$merged"; mkdir -p "$merged"
        "$target" -merge=1 "$merged" "$kept" "$corpus" > "$out/$name-merge.log" 2>&1
        rm -rf "$kept"; mv "$merged" "$kept"
        echo "$name: ok, $(summary "$out/$name.log") in ${seconds}s, 0 crashes; corpus $(ls "$kept" | wc -l) files"
    done
    exit $status
fi

seconds="${1:-60}"
pids=""
for target in "$build"/tests/fuzz/fuzz_*; do
    [ -f "$target" ] && [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus="$out/$name-corpus"
    mkdir -p "$corpus"
    seeds=""
    [ -d "tests/fuzz/corpus/$name" ] && seeds="tests/fuzz/corpus/$name"
    # shellcheck disable=SC2086
    "$target" -max_total_time="$seconds" $common_flags \
        -artifact_prefix="$out/$name-" "$corpus" $seeds > "$out/$name.log" 2>&1 &
    pids="$pids $!:$name"
done
status=0
for entry in $pids; do
    pid=${entry%%:*}; name=${entry#*:}
    if wait "$pid"; then
        echo "$name: ok, $(summary "$out/$name.log") in ${seconds}s"
    else
        echo "$name: FAILED"; tail -40 "$out/$name.log"; status=1
    fi
done
exit $status
