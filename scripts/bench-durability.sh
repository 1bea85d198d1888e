#!/usr/bin/env bash
# The cost of `durability power` (WAL fsynced before each ack) against the default
# `durability process`: QoS 1 through persistent sessions (every delivery goes through the
# store), one publisher to one subscriber, ROUNDS interleaved runs per mode so that drift in
# machine load hits both. Prints each RESULT line and a median per mode.
#
#   scripts/bench-durability.sh [BUILD_DIR] [ROUNDS] [COUNT]
#
# The data directory is on the build tree's file system (not a tmpfs, where fsync is free).
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
count=${3:-20000}
cmake --build "$build" --target hermesd hermes_loadgen >/dev/null
hermesd="$build/app/hermesd/hermesd"
loadgen="$build/tests/bench/hermes_loadgen"
work=$(mktemp -d "$PWD/$build/bench-durability.XXXXXX")
trap 'if [[ -n ${broker:-} ]]; then kill "$broker" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

for round in $(seq "$rounds"); do
    for mode in process power; do
        rm -rf "$work/data"
        # Anonymous loopback clients as operators: the bench publishes on its own topics.
        printf 'listener 127.0.0.1:%s\ndata_dir %s\ndurability %s\nanonymous_role operator\nsys_interval 0\nlog_level warning\n' \
            "$port" "$work/data" "$mode" >"$work/hermesd.conf"
        "$hermesd" --config "$work/hermesd.conf" >"$work/hermesd.out" 2>&1 &
        broker=$!
        for _ in $(seq 100); do grep -q 'listening' "$work/hermesd.out" && break; sleep 0.1; done
        line=$("$loadgen" throughput --port "$port" --pid "$broker" --qos 1 --count "$count" --persistent 1 \
            --timeout 300 | grep '^RESULT' | tail -1)
        echo "round=$round durability=$mode $line"
        kill -TERM "$broker"; wait "$broker" || true; broker=
    done
done | tee "$work/results"

/usr/bin/python3 - "$work/results" "$count" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    mode = re.search(r"durability=(\w+)", line).group(1)
    fields = dict(re.findall(r"(\w+)=([-\d.]+)", line))
    rows.setdefault(mode, []).append(fields)
count = int(sys.argv[2])
for mode, runs in rows.items():
    rate = statistics.median(float(r.get("rate", 0)) for r in runs)
    cpu = statistics.median(float(r.get("broker_cpu_s", 0)) for r in runs)
    print(f"{mode}: median {rate:.0f} msgs/s, broker CPU {cpu:.2f} s = {1e6 * cpu / count:.1f} µs per message ({len(runs)} runs)")
PY
