#!/bin/sh
# The console attached to a separate hermesd holding a fleet of N devices from hermesctl
# simulate (direct, fixed 60 s heartbeat, 2,000 connects/s):
#
#   scripts/bench-remote.sh [DEVICES (10000)] [SECONDS per window (30)]
#       What an idle attached console costs the broker (docs/BENCHMARKS.md, "Attached
#       console"): hermesd with an operator account; bench_remoteidle measures hermesd's CPU
#       without and with a RemoteEngine attached, and the bytes per second the console
#       receives. Waits one heartbeat period for a settled fleet.
#
#   scripts/bench-remote.sh --guistall [DEVICES (10000)] [SECONDS of flood (60)] [MSG/S (20000)]
#       Console responsiveness attached to hermesd (docs/BENCHMARKS.md, "Console
#       responsiveness (GUI stall under a flood)"): hermesd in its shipped configuration
#       (installer/hermesd.conf, persistence on) plus an operator account; once every device
#       is connected, bench_guistall --attach shows that hermesd in MainWindow and its load
#       process publishes MSG/S QoS 0 messages to devices/{id}/state as the operator for
#       SECONDS; it prints the GUI thread's stall over the attach and over the flood.
#
# Environment: BUILD_DIR (default build). Everything listens and connects on 127.0.0.1 only
# and is stopped on exit.
set -eu
cd "$(dirname "$0")/.."
mode=idle
if [ "${1:-}" = "--guistall" ]; then
    mode=guistall
    shift
fi
devices=${1:-10000}
if [ "$mode" = guistall ]; then seconds=${2:-60}; else seconds=${2:-30}; fi
rate=${3:-20000}
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
if [ "$mode" = guistall ]; then
    # The shipped file without what names this machine's paths, group and key.
    grep -Ev '^(#|[[:space:]]*$|listener |data_dir |local_admin_group |push_signing_key )' \
        installer/hermesd.conf >"$work/hermesd.conf"
    mkdir "$work/data"
    extra="--data-dir $work/data"
else
    cat > "$work/hermesd.conf" <<CONF
allow_anonymous loopback
anonymous_role device
sys_interval 0
max_connections 100000
CONF
    extra="--log-level warning"
fi
echo "account admin operator $hash" >>"$work/hermesd.conf"
# shellcheck disable=SC2086 # $extra is two words
"$build/app/hermesd/hermesd" --config "$work/hermesd.conf" --listen "127.0.0.1:$port" $extra >"$work/hermesd.log" 2>&1 &
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
name        fleet for the attached-console benchmarks
devices     $devices
id-pattern  dev-{index}
heartbeat   fixed 60s
nat         direct
connect-rate 2000
duration    60m
SCEN
"$build/app/hermesctl/hermesctl" simulate --scenario "$work/fleet.scenario" --broker "127.0.0.1:$port" >"$work/fleet.log" 2>&1 &
pids="$pids $!"

if [ "$mode" = idle ]; then
    # A settled fleet: connected (2,000/s) and one heartbeat period in.
    sleep $((devices / 2000 + 65))
    "$build/tests/bench/bench_remoteidle" --port "$port" --pid "$hermesd" --seconds "$seconds" --user admin --password "$password"
    exit
fi

# Every device connected (the simulator's progress line), within a generous deadline.
tries=0
until grep -q "connected $devices/$devices " "$work/fleet.log"; do
    tries=$((tries + 1))
    [ "$tries" -le $((devices / 100 + 1200)) ] || { echo "the fleet did not connect:"; tail -3 "$work/fleet.log"; exit 1; }
    sleep 0.1
done
echo "fleet: $devices devices connected; load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Device ids and topics are zero-padded to the same width, so topic i is device i's.
last=$((devices - 1))
width=${#last}
HERMES_USER=admin HERMES_PASSWORD=$password QT_QPA_PLATFORM=offscreen "$build/tests/bench/bench_guistall" \
    --attach "127.0.0.1:$port" --broker-pid "$hermesd" --rate "$rate" --duration "$seconds" \
    --topics "$devices" --topic-format 'devices/dev-{index}/state' --watch "dev-$(printf '%0*d' "$width" 0)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
