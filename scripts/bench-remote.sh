#!/bin/sh
# What an idle console attached to hermesd costs the broker (docs/BENCHMARKS.md, "Attached
# console"): hermesd with an operator account, a fleet of N devices from hermesctl simulate
# (fixed 60 s heartbeat, direct), then bench_remoteidle measures hermesd's CPU without and
# with a RemoteEngine attached, and the bytes per second the console receives.
#   scripts/bench-remote.sh [DEVICES (default 10000)] [SECONDS per window (default 30)]
set -eu
cd "$(dirname "$0")/.."
devices=${1:-10000}
seconds=${2:-30}
build=${BUILD_DIR:-build}
work=$(mktemp -d)
pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

password=bench-password
hash=$(printf '%s\n' "$password" | "$build/app/hermesd/hermesd" --hash-password)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/hermesd.conf" <<CONF
allow_anonymous loopback
anonymous_role device
sys_interval 0
max_connections 100000
account admin operator $hash
CONF
"$build/app/hermesd/hermesd" --config "$work/hermesd.conf" --listen "127.0.0.1:$port" --log-level warning >"$work/hermesd.log" 2>&1 &
hermesd=$!
pids="$hermesd"
tries=0
until grep -q "listening on" "$work/hermesd.log"; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { echo "hermesd did not start:"; cat "$work/hermesd.log"; exit 1; }
    sleep 0.1
done

cat > "$work/fleet.scenario" <<SCEN
hermes-scenario 1
name        idle fleet for the attached-console benchmark
devices     $devices
id-pattern  idle-{index}
heartbeat   fixed 60s
nat         direct
connect-rate 2000
duration    60m
SCEN
"$build/app/hermesctl/hermesctl" simulate --scenario "$work/fleet.scenario" --broker "127.0.0.1:$port" --quiet >"$work/fleet.log" 2>&1 &
pids="$pids $!"
# A settled fleet: connected (2,000/s) and one heartbeat period in.
sleep $((devices / 2000 + 65))
"$build/tests/bench/bench_remoteidle" --port "$port" --pid "$hermesd" --seconds "$seconds" --user admin --password "$password"
