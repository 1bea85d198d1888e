#!/usr/bin/env bash
# Broker benchmark: the same scenarios against hermesd and Debian's mosquitto, one fresh
# broker per scenario, then a side-by-side table with ratios.
#
#   scripts/bench.sh            full run (about 5-10 minutes)
#   scripts/bench.sh --quick    small counts, under a minute (CI smoke run)
#   scripts/bench.sh --only throughput_qos1,latency_qos1   a subset (names as in the table)
#   scripts/bench.sh --http     hermesd's HTTP API and WebSocket listener (no mosquitto
#                               counterpart): POST /api/v1/pushes throughput and latency, the
#                               cost of one GET /metrics with 10,000 sessions (--quick: 1,000),
#                               QoS 1 latency with those sessions open, without and with a
#                               scrape every second, and QoS 0/1 throughput over TCP and ws://
#
# Environment: HERMES_BUILD_DIR (default: <repo>/build, the "default" preset),
# MOSQUITTO (default /usr/sbin/mosquitto), BENCH_KEEP_LOGS=1 keeps broker logs,
# BENCH_MOSQUITTO_NODELAY=1 adds "set_tcp_nodelay true" (mosquitto's stock is Nagle on).
# Timing never fails the run; errors do (a broker that dies, refuses, or breaks protocol).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HERMES_BUILD_DIR:-$repo/build}"
mosquitto_bin="${MOSQUITTO:-/usr/sbin/mosquitto}"
quick=0
only=""
http=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --http) http=1 ;;
        --only) only="$2"; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# ---- build ----------------------------------------------------------------------------
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    (cd "$repo" && cmake --preset default -B "$build") >/dev/null || { echo "bench.sh: configure failed" >&2; exit 1; }
fi
cmake --build "$build" -j"$(nproc)" --target hermesd hermesctl hermes_loadgen >/dev/null \
    || { echo "bench.sh: build failed (rerun: cmake --build $build --target hermesd hermesctl hermes_loadgen)" >&2; exit 1; }
hermesd_bin="$build/app/hermesd/hermesd"
loadgen_bin="$build/tests/bench/hermes_loadgen"
[[ -x "$mosquitto_bin" ]] || { echo "bench.sh: $mosquitto_bin not found (apt-get install mosquitto)" >&2; exit 1; }

# 10,000 connections need more descriptors than the usual 1024 (brokers inherit this).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work="$(mktemp -d /tmp/hermes-bench.XXXXXX)"
broker_pid=""
cleanup() {
    if [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
        kill -TERM "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null
    fi
    [[ "${BENCH_KEEP_LOGS:-0}" == 1 ]] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # port, seconds
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

start_broker() { # kind port log -> sets broker_pid
    local kind="$1" port="$2" log="$3"
    if [[ "$kind" == hermes ]]; then
        rm -rf "$work/hermes-data"
        # The load generator's anonymous clients publish to any topic, as mosquitto's do.
        printf 'anonymous_role operator\n' >"$work/hermesd.conf"
        "$hermesd_bin" --config "$work/hermesd.conf" --listen "127.0.0.1:$port" --no-persistence \
            --data-dir "$work/hermes-data" >"$log" 2>&1 &
        broker_pid=$!
        local deadline=$((SECONDS + 10))
        until grep -q "hermesd listening on" "$log" 2>/dev/null; do
            ((SECONDS < deadline)) && running "$broker_pid" || return 1
            sleep 0.05
        done
    else
        printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$work/mosquitto.conf"
        [[ "${BENCH_MOSQUITTO_NODELAY:-0}" == 1 ]] && echo "set_tcp_nodelay true" >>"$work/mosquitto.conf"
        "$mosquitto_bin" -c "$work/mosquitto.conf" >"$log" 2>&1 &
        broker_pid=$!
        wait_port "$port" 10 || return 1
    fi
    # The readiness probe above opened one connection; let the broker forget it.
    sleep 0.2
}

running() { # pid: alive and not a zombie
    local state
    state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z* ]]
}

stop_broker() { # -> 0 if the broker was still alive
    local alive=0
    running "$broker_pid" || alive=1
    kill -TERM "$broker_pid" 2>/dev/null
    for _ in $(seq 50); do running "$broker_pid" || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
    broker_pid=""
    return $alive
}

# ---- HTTP API and WebSocket (hermesd only) ----------------------------------------------------
if ((http)); then
    if ((quick)); then
        pushes=2000; sessions=1000; latency_samples=5000; ws_qos0=20000; ws_qos1=10000
    else
        pushes=20000; sessions=10000; latency_samples=300000; ws_qos0=200000; ws_qos1=100000
    fi
    mqtt_port="$(free_port)"; http_port="$(free_port)"; ws_port="$(free_port)"
    # Anonymous load clients publish to any topic, as in the broker scenarios below.
    printf 'anonymous_role operator\nhttp_listener 127.0.0.1:%s\nlistener_ws 127.0.0.1:%s/mqtt\n' \
        "$http_port" "$ws_port" >"$work/http.conf"
    "$hermesd_bin" --config "$work/http.conf" --listen "127.0.0.1:$mqtt_port" --no-persistence \
        --data-dir "$work/hermes-data" >"$work/hermes-http.log" 2>&1 &
    broker_pid=$!
    wait_port "$http_port" 10 && wait_port "$ws_port" 10 || { echo "bench.sh: hermesd did not start" >&2; exit 1; }
    key="$("$build/app/hermesctl/hermesctl" apikeys create bench --broker "127.0.0.1:$mqtt_port" | tail -n 1)"
    status=0
    # The QoS 1 latency with $sessions idle sessions open, without and with a /metrics scrape
    # every second: the scrape's cost shows as a stall here if it has one.
    for entry in "httppush --count $pushes --parallel 8" "scrape --connections $sessions --trials 20" \
        "latency --count $latency_samples --background $sessions" \
        "latency --count $latency_samples --background $sessions --scrape-interval-ms 1000" \
        "throughput --qos 0 --count $ws_qos0" "throughput --qos 0 --count $ws_qos0 --ws /mqtt --port $ws_port" \
        "throughput --qos 1 --count $ws_qos1" "throughput --qos 1 --count $ws_qos1 --ws /mqtt --port $ws_port"; do
        port_option="--port $mqtt_port"
        [[ "$entry" == *--port* ]] && port_option=""
        # shellcheck disable=SC2086
        line="$("$loadgen_bin" $entry $port_option --http-port "$http_port" --key "$key" --pid "$broker_pid" \
            --timeout 120 | grep '^RESULT')" || status=1
        [[ "$entry" == *--ws* ]] && line="${line/RESULT scenario=/RESULT scenario=ws_}"
        echo "$line"
    done
    # Debian's mosquitto accepts "protocol websockets" but is built without libwebsockets:
    # say so rather than leave the WebSocket rows without a reference.
    printf 'listener %s 127.0.0.1\nprotocol websockets\nallow_anonymous true\n' "$(free_port)" >"$work/mosquitto-ws.conf"
    if timeout 5 "$mosquitto_bin" -c "$work/mosquitto-ws.conf" >"$work/mosquitto-ws.log" 2>&1; then :; fi
    if grep -q "Unable to start any listening sockets" "$work/mosquitto-ws.log"; then
        echo "NOTE mosquitto $("$mosquitto_bin" -h | sed -n 's/.*version \([0-9.]*\).*/\1/p;q'): no WebSocket listener in this build (no reference row)"
    fi
    exit $status
fi

# ---- scenarios: name and loadgen arguments -------------------------------------------------
if ((quick)); then
    scenarios=(
        "throughput_qos0|throughput --qos 0 --count 20000"
        "throughput_qos1|throughput --qos 1 --count 10000"
        "throughput_qos2|throughput --qos 2 --count 5000"
        "fanout_qos0|fanout --qos 0 --subscribers 20 --count 2000"
        "fanout_qos1|fanout --qos 1 --subscribers 20 --count 1000"
        "latency_qos1|latency --count 500"
        "idle_connections|idle --connections 1000"
        "push_devices|push --connections 1000"
        "keepalive|keepalive --keepalive 1 --trials 2"
        "qos2_window|qos2window --count 5000 --window 50"
        "first_message|firstmsg --trials 5"
    )
    timeout_s=20
else
    scenarios=(
        "throughput_qos0|throughput --qos 0 --count 200000"
        "throughput_qos1|throughput --qos 1 --count 100000"
        "throughput_qos2|throughput --qos 2 --count 50000"
        "fanout_qos0|fanout --qos 0 --subscribers 100 --count 10000"
        "fanout_qos1|fanout --qos 1 --subscribers 100 --count 5000"
        "latency_qos1|latency --count 5000"
        "idle_connections|idle --connections 10000"
        "push_devices|push --connections 10000"
        "keepalive|keepalive --keepalive 2 --trials 3"
        "qos2_window|qos2window --count 20000 --window 50"
        "first_message|firstmsg --trials 20"
    )
    timeout_s=120
fi

results="$work/results.txt"
: >"$results"
errors=0
echo "hermesd: $hermesd_bin" >&2
echo "mosquitto: $("$mosquitto_bin" -h 2>&1 | head -1)" >&2
for entry in "${scenarios[@]}"; do
    name="${entry%%|*}"
    args="${entry#*|}"
    if [[ -n "$only" && ",$only," != *",$name,"* ]]; then continue; fi
    for kind in hermes mosquitto; do
        port="$(free_port)"
        log="$work/$kind-$name.log"
        if ! start_broker "$kind" "$port" "$log"; then
            echo "bench.sh: $kind did not start for $name:" >&2; tail -5 "$log" >&2
            echo "$kind RESULT scenario=$name error=broker_did_not_start" >>"$results"
            errors=$((errors + 1)); stop_broker; continue
        fi
        # shellcheck disable=SC2086
        line="$("$loadgen_bin" $args --port "$port" --pid "$broker_pid" --timeout "$timeout_s" 2>>"$work/loadgen.err" | grep '^RESULT' | tail -1)"
        rc=${PIPESTATUS[0]}
        [[ -z "$line" ]] && line="RESULT scenario=$name error=no_result"
        if ! stop_broker; then line="$line error=broker_crashed"; fi
        echo "$kind $line" >>"$results"
        echo "$kind $line" >&2
        if [[ "$line" == *error=* || $rc -ne 0 ]]; then
            errors=$((errors + 1))
            echo "bench.sh: $kind/$name reported an error (log: $log)" >&2
            BENCH_KEEP_LOGS=1
        fi
    done
done

# ---- table ---------------------------------------------------------------------------------
python3 - "$results" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    kind, _, rest = line.strip().partition(" ")
    kv = dict(p.split("=", 1) for p in rest.split()[1:] if "=" in p)
    rows.setdefault(kv.get("scenario", "?"), {})[kind] = kv

# scenario -> [(label, key, better)]; better: "high", "low", "zero" (counts), None (no ratio)
metrics = {
    "throughput_qos0": [("msgs/s", "rate", "high"), ("lost", "lost", "zero"), ("duplicates", "duplicates", "zero")],
    "throughput_qos1": [("msgs/s", "rate", "high"), ("lost", "lost", "zero"), ("duplicates", "duplicates", "zero")],
    "throughput_qos2": [("msgs/s", "rate", "high"), ("lost", "lost", "zero"), ("duplicates", "duplicates", "zero")],
    "fanout_qos0": [("deliveries/s", "rate", "high"), ("lost", "lost", "zero")],
    "fanout_qos1": [("deliveries/s", "rate", "high"), ("lost", "lost", "zero")],
    "latency_qos1": [("p50 us", "p50_us", "low"), ("p99 us", "p99_us", "low"), ("max us", "max_us", "low")],
    "idle_connections": [("connects/s", "rate", "high"), ("RSS bytes/conn", "bytes_per_conn", "low"),
                         ("broker RSS KiB", "broker_rss_kb", "low")],
    "push_devices": [("seconds to all delivered", "seconds", "low"), ("lost", "lost", "zero")],
    "keepalive": [("close after s (min)", "min_s", None), ("close after s (max)", "max_s", None)],
    "qos2_window": [("never delivered", "lost", "zero"), ("PUBCOMP received", "acked", None), ("msgs/s", "rate", "high")],
    "first_message": [("median ms", "median_ms", "low"), ("max ms", "max_ms", "low")],
}

# Broker CPU per unit of work: robust when the machine is shared (a starved broker is slow
# in wall time but not in CPU time). scenario -> (label, key holding the unit count)
per_unit = {
    "throughput_qos0": ("broker CPU us/msg", "delivered"),
    "throughput_qos1": ("broker CPU us/msg", "delivered"),
    "throughput_qos2": ("broker CPU us/msg", "delivered"),
    "fanout_qos0": ("broker CPU us/delivery", "delivered"),
    "fanout_qos1": ("broker CPU us/delivery", "delivered"),
    "latency_qos1": ("broker CPU us/msg", "samples"),
    "idle_connections": ("broker CPU us/connect", "connacked"),
    "push_devices": ("broker CPU us/push", "delivered"),
    "qos2_window": ("broker CPU us/msg", "acked"),
}
for scen, (label, unit) in per_unit.items():
    for kv in rows.get(scen, {}).values():
        try:
            kv["cpu_per_unit"] = f"{float(kv['broker_cpu_s']) * 1e6 / float(kv[unit]):.2f}"
        except (KeyError, ValueError, ZeroDivisionError):
            pass
    metrics[scen].append((label, "cpu_per_unit", "low"))

def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None

def fmt(v):
    x = num(v)
    if x is None:
        return v if v is not None else "-"
    if abs(x) >= 1000 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.2f}"

def ratio(h, m, better):
    h, m = num(h), num(m)
    if better is None or h is None or m is None:
        return ""
    if better == "zero":
        return "" if h == m else ("Hermes better" if h < m else "mosquitto better")
    if better == "high":
        return f"{h / m:.2f}x" if m else ""
    return f"{m / h:.2f}x" if h else ""

print("ratio: Hermes relative to mosquitto, oriented so that > 1 means Hermes is better")
print("(hermes/mosquitto for rates, mosquitto/hermes for times, latencies and memory)\n")
print("| scenario | metric | hermes | mosquitto | ratio | CPU s broker H / M | CPU s loadgen H / M |")
print("|---|---|---|---|---|---|---|")
for scen, ms in metrics.items():
    if scen not in rows:
        continue
    h, m = rows[scen].get("hermes", {}), rows[scen].get("mosquitto", {})
    for i, (label, key, better) in enumerate(ms):
        cpu = lg = ""
        if i == 0:
            cpu = f"{h.get('broker_cpu_s', '-')} / {m.get('broker_cpu_s', '-')}"
            lg = f"{h.get('loadgen_cpu_s', '-')} / {m.get('loadgen_cpu_s', '-')}"
        print(f"| {scen if i == 0 else ''} | {label} | {fmt(h.get(key))} | {fmt(m.get(key))} | {ratio(h.get(key), m.get(key), better)} | {cpu} | {lg} |")
for kind in ("hermes", "mosquitto"):
    b = sum(num(r.get(kind, {}).get("broker_cpu_s")) or 0 for r in rows.values())
    g = sum(num(r.get(kind, {}).get("loadgen_cpu_s")) or 0 for r in rows.values())
    if b > 0:
        print(f"\nCPU over all measured phases, {kind}: broker {b:.2f} s, loadgen {g:.2f} s ({100 * g / b:.0f}% of the broker's)", end="")
print()
errs = [(s, k, r["error"]) for s, kinds in rows.items() for k, r in kinds.items() if "error" in r]
for s, k, e in errs:
    print(f"\nERROR {k} {s}: {e}")
EOF

if ((errors)); then
    echo "bench.sh: $errors error(s); see logs in $work" >&2
    exit 1
fi
exit 0
