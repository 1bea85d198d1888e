#!/bin/sh
# Runs every libFuzzer target in build-fuzz/ for the given seconds, in parallel, seeded from
# tests/conformance and tests/fuzz/corpus. Fails if any target crashes.
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=build-fuzz/fuzz-runs
mkdir -p "$out"
pids=""
for target in build-fuzz/tests/fuzz/fuzz_*; do
    [ -f "$target" ] && [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus="$out/$name-corpus"
    mkdir -p "$corpus"
    seeds=""
    [ -d "tests/fuzz/corpus/$name" ] && seeds="tests/fuzz/corpus/$name"
    "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$name-" "$corpus" $seeds > "$out/$name.log" 2>&1 &
    pids="$pids $!:$name"
done
status=0
for entry in $pids; do
    pid=${entry%%:*}; name=${entry#*:}
    if wait "$pid"; then
        runs=$(grep -E '^stat::number_of_executed_units' "$out/$name.log" | awk '{print $2}')
        echo "$name: ok, ${runs:-?} executions in ${seconds}s"
    else
        echo "$name: FAILED"; tail -40 "$out/$name.log"; status=1
    fi
done
exit $status
