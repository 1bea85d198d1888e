#!/usr/bin/env bash
# Broker benchmark: the same scenarios against hermesd in its shipped configuration
# (installer/hermesd.conf: persistence on, durability process) and Debian's mosquitto, stock
# and tuned, one fresh broker per measurement, brokers interleaved within each run; then a
# table of medians with min-max over the runs and the ratios of the medians.
#
#   scripts/bench.sh            full run, 3 runs (about 30-45 minutes)
#   scripts/bench.sh --runs N   N runs (--quick: 1 unless given)
#   scripts/bench.sh --quick    small counts, a few minutes (smoke run)
#   scripts/bench.sh --only throughput_qos1,latency_qos1   a subset (names as in the table)
#   scripts/bench.sh --brokers hermes,mosquitto            a subset of the columns:
#       hermes           hermesd, shipped configuration (anonymous clients made operators)
#       mosquitto        mosquitto's defaults (+ persistence where a scenario needs it)
#       mosquitto_tuned  + max_inflight_messages 1024 (hermesd's window),
#                        max_queued_messages 10000, set_tcp_nodelay true
#   scripts/bench.sh --http     hermesd's HTTP API and WebSocket listener (no mosquitto
#                               counterpart): POST /api/v1/pushes throughput and latency, the
#                               cost of one GET /metrics with 10,000 sessions (--quick: 1,000),
#                               QoS 1 latency with those sessions open, without and with a
#                               scrape every second, and QoS 0/1 throughput over TCP and ws://
#
# Environment: HERMES_BUILD_DIR (default: <repo>/build, the "default" preset),
# MOSQUITTO (default /usr/sbin/mosquitto), BENCH_KEEP_LOGS=1 keeps broker logs.
# Timing never fails the run; errors do (a broker that dies, refuses, or breaks protocol).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HERMES_BUILD_DIR:-$repo/build}"
mosquitto_bin="${MOSQUITTO:-/usr/sbin/mosquitto}"
quick=0
only=""
http=0
runs=""
brokers="hermes,mosquitto,mosquitto_tuned"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --http) http=1 ;;
        --only) only="$2"; shift ;;
        --runs) runs="$2"; shift ;;
        --brokers) brokers="$2"; shift ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
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

# 10,000 connections need more descriptors than the usual 1024, 100,000 need more than most
# machines' hard limit (raising it takes CAP_SYS_RESOURCE); brokers inherit this.
ulimit -Hn 262144 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

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

# A configuration file: BASE's lines whose key EXTRA (lines separated by ';') does not set, then EXTRA.
compose_config() { # base extra out
    local base="$1" extra="$2" out="$3" keys
    keys="$(tr ';' '\n' <<<"$extra" | awk 'NF {print $1}' | paste -sd'|')"
    if [[ -n "$keys" ]]; then grep -Ev "^($keys)( |$)" "$base"; else cat "$base"; fi >"$out"
    [[ -n "$extra" ]] && tr ';' '\n' <<<"$extra" >>"$out"
    return 0
}

# hermesd's shipped configuration without what names this machine's paths and group; the
# load generator's anonymous clients publish to any topic, as mosquitto's do.
grep -Ev '^(#|[[:space:]]*$|listener |data_dir |local_admin_group |push_signing_key |anonymous_role )' \
    "$repo/installer/hermesd.conf" >"$work/hermesd-shipped.conf"
echo "anonymous_role operator" >>"$work/hermesd-shipped.conf"
# "user root": run as root, mosquitto would otherwise drop to the mosquitto user, which may
# not read this run's files (TLS key, persistence directory).
printf 'allow_anonymous true\nuser root\n' >"$work/mosquitto-stock.conf"
printf 'allow_anonymous true\nuser root\nmax_inflight_messages 1024\nmax_queued_messages 10000\nset_tcp_nodelay true\n' \
    >"$work/mosquitto-tuned.conf"

# One ECDSA P-256 server certificate for both brokers' TLS listeners, signed by a throw-away CA.
make_certificates() {
    [[ -f "$work/tls/ca.pem" ]] && return 0
    mkdir -p "$work/tls" && (
        cd "$work/tls" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
            -days 2 -subj "/CN=Hermes bench CA" &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
            -subj "/CN=127.0.0.1" &&
        printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
            -extfile san.ext
    ) >"$work/tls/openssl.log" 2>&1 || { echo "bench.sh: openssl failed: $(tail -3 "$work/tls/openssl.log")" >&2; return 1; }
}

start_broker() { # kind port log hermes_extra mosquitto_extra tls -> sets broker_pid
    local kind="$1" port="$2" log="$3" hermes_extra="${4:-}" mosquitto_extra="${5:-}" tls="${6:-0}"
    rm -rf "$work/data"
    mkdir -p "$work/data"
    case "$kind" in
    hermes)
        compose_config "$work/hermesd-shipped.conf" "$hermes_extra" "$work/hermesd.conf"
        local plain="$port"
        if ((tls)); then # TLS on the measured port; the plain listener elsewhere
            plain="$(free_port)"
            printf 'listener_tls 127.0.0.1:%s\ntls_certificate %s\ntls_key %s\n' "$port" \
                "$work/tls/server.pem" "$work/tls/server.key" >>"$work/hermesd.conf"
        fi
        printf 'listener 127.0.0.1:%s\n' "$plain" >>"$work/hermesd.conf"
        "$hermesd_bin" --config "$work/hermesd.conf" --data-dir "$work/data" >"$log" 2>&1 &
        broker_pid=$!
        local deadline=$((SECONDS + 10))
        until grep -q "hermesd listening on" "$log" 2>/dev/null; do
            ((SECONDS < deadline)) && running "$broker_pid" || return 1
            sleep 0.05
        done
        ((tls)) && { wait_port "$port" 10 || return 1; }
        ;;
    mosquitto|mosquitto_tuned)
        local base="$work/mosquitto-stock.conf"
        [[ "$kind" == mosquitto_tuned ]] && base="$work/mosquitto-tuned.conf"
        printf 'listener %s 127.0.0.1\n' "$port" >"$work/mosquitto.conf"
        ((tls)) && printf 'certfile %s\nkeyfile %s\ntls_version tlsv1.3\n' \
            "$work/tls/server.pem" "$work/tls/server.key" >>"$work/mosquitto.conf"
        compose_config "$base" "$mosquitto_extra" "$work/mosquitto.extra"
        cat "$work/mosquitto.extra" >>"$work/mosquitto.conf"
        printf 'persistence_location %s/\n' "$work/data" >>"$work/mosquitto.conf"
        "$mosquitto_bin" -c "$work/mosquitto.conf" >"$log" 2>&1 &
        broker_pid=$!
        wait_port "$port" 10 || return 1
        ;;
    *) echo "bench.sh: unknown broker $kind" >&2; return 1 ;;
    esac
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

# ---- scenarios ------------------------------------------------------------------------------
# name|loadgen arguments|hermesd config lines|mosquitto config lines|brokers (empty: all)|descriptors
# (config lines separated by ';', added to the broker's base configuration for this scenario;
# descriptors: the open-file limit the scenario needs, or it is reported as not run)
# durable_*: persistent sessions (CleanSession flag cleared), QoS 1/2, commit before ack; mosquitto with
# "persistence true" (it writes on autosave and at exit, not before the ack).
if ((quick)); then
    scenarios=(
        "throughput_qos0|throughput --qos 0 --count 20000"
        "throughput_qos1|throughput --qos 1 --count 10000"
        "throughput_qos2|throughput --qos 2 --count 5000"
        "fanout_qos0|fanout --qos 0 --subscribers 20 --count 2000"
        "fanout_qos1|fanout --qos 1 --subscribers 20 --count 1000"
        "latency_qos1|latency --count 500"
        "idle_connections|idle --connections 1000"
        "idle_pinged|idle --connections 1000 --pings 130"
        "push_devices|push --connections 1000"
        "keepalive|keepalive --keepalive 1 --trials 2"
        "qos2_window|qos2window --count 5000 --window 50"
        "first_message|firstmsg --trials 5"
        "durable_qos1|throughput --qos 1 --count 5000 --persistent 1||persistence true"
        "durable_qos2|throughput --qos 2 --count 2000 --persistent 1||persistence true"
        "durable_qos1_power|throughput --qos 1 --count 5000 --persistent 1|durability power||hermes"
        "durable_qos1_memory|throughput --qos 1 --count 5000 --persistent 1|persistence false||hermes"
        "drain_qos1|drain --count 5000|max_queued_messages 100000|persistence true;max_queued_messages 100000"
        "reconnect_storm|storm --connections 1000 --jitter 3"
        "tls_connections|idle --connections 1000 --tls @CA@"
        "tls_throughput_qos1|throughput --qos 1 --count 10000 --tls @CA@"
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
        "idle_pinged|idle --connections 10000 --pings 130"
        "push_devices|push --connections 10000"
        "keepalive|keepalive --keepalive 2 --trials 3"
        "qos2_window|qos2window --count 20000 --window 50"
        "first_message|firstmsg --trials 20"
        "durable_qos1|throughput --qos 1 --count 100000 --persistent 1||persistence true"
        "durable_qos2|throughput --qos 2 --count 50000 --persistent 1||persistence true"
        "durable_qos1_power|throughput --qos 1 --count 100000 --persistent 1|durability power||hermes"
        "durable_qos1_memory|throughput --qos 1 --count 100000 --persistent 1|persistence false||hermes"
        "drain_qos1|drain --count 100000|max_queued_messages 100000|persistence true;max_queued_messages 100000"
        "push_devices_100k|push --connections 100000||||110000"
        "reconnect_storm|storm --connections 10000 --jitter 15"
        "tls_connections|idle --connections 10000 --tls @CA@"
        "tls_throughput_qos1|throughput --qos 1 --count 100000 --tls @CA@"
    )
    timeout_s=120
fi
[[ -n "$runs" ]] || { ((quick)) && runs=1 || runs=3; }
IFS=, read -ra kinds <<<"$brokers"

results="$work/results.txt"
: >"$results"
errors=0
echo "hermesd: $hermesd_bin" >&2
echo "mosquitto: $("$mosquitto_bin" -h 2>&1 | head -1)" >&2
for ((run = 1; run <= runs; run++)); do
    echo "LOAD run=$run utc=$(date -u +%H:%M:%S) loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" | tee -a "$results" >&2
    # Alternate the brokers' order from run to run, so that neither always goes first.
    order=("${kinds[@]}")
    if ((run % 2 == 0)); then
        order=(); for ((i = ${#kinds[@]} - 1; i >= 0; i--)); do order+=("${kinds[i]}"); done
    fi
    for entry in "${scenarios[@]}"; do
        IFS='|' read -r name args hermes_extra mosquitto_extra only_brokers descriptors <<<"$entry"
        if [[ -n "$only" && ",$only," != *",$name,"* ]]; then continue; fi
        if [[ -n "$descriptors" ]] && (($(ulimit -n) < descriptors)); then
            ((run == 1)) && echo "NOTRUN $name needs $descriptors open files per process; the limit here is $(ulimit -n) (hard $(ulimit -Hn))" | tee -a "$results" >&2
            continue
        fi
        tls=0
        if [[ "$args" == *@CA@* ]]; then
            make_certificates || { errors=$((errors + 1)); continue; }
            tls=1
            args="${args//@CA@/$work/tls/ca.pem}"
        fi
        for kind in "${order[@]}"; do
            if [[ -n "$only_brokers" && ",$only_brokers," != *",$kind,"* ]]; then continue; fi
            port="$(free_port)"
            log="$work/$kind-$name-$run.log"
            if ! start_broker "$kind" "$port" "$log" "$hermes_extra" "$mosquitto_extra" "$tls"; then
                echo "bench.sh: $kind did not start for $name:" >&2; tail -5 "$log" >&2
                echo "$kind run=$run RESULT scenario=$name error=broker_did_not_start" >>"$results"
                errors=$((errors + 1)); stop_broker; continue
            fi
            # shellcheck disable=SC2086
            line="$("$loadgen_bin" $args --port "$port" --pid "$broker_pid" --timeout "$timeout_s" 2>>"$work/loadgen.err" | grep '^RESULT' | tail -1)"
            rc=${PIPESTATUS[0]}
            [[ -z "$line" ]] && line="RESULT scenario=$name error=no_result"
            if ! stop_broker; then line="$line error=broker_crashed"; fi
            line="RESULT scenario=$name ${line#RESULT scenario=* }" # durable_qos1 runs "throughput"
            echo "$kind run=$run $line" >>"$results"
            echo "$kind run=$run $line" >&2
            if [[ "$line" == *error=* || $rc -ne 0 ]]; then
                errors=$((errors + 1))
                echo "bench.sh: $kind/$name reported an error (log: $log)" >&2
                BENCH_KEEP_LOGS=1
            fi
        done
    done
done

# ---- table ---------------------------------------------------------------------------------
python3 - "$results" <<'EOF'
import statistics, sys

rows, loads, notrun = {}, [], []
for line in open(sys.argv[1]):
    words = line.split()
    if words[0] == "LOAD":
        loads.append(" ".join(words[1:]))
        continue
    if words[0] == "NOTRUN":
        notrun.append(" ".join(words[1:]))
        continue
    kind, kv = words[0], dict(w.split("=", 1) for w in words[1:] if "=" in w)
    rows.setdefault(kv.get("scenario", "?"), {}).setdefault(kind, []).append(kv)

# scenario -> [(label, key, better)]; better: "high", "low", "zero" (counts), None (no ratio)
flow = [("msgs/s", "rate", "high"), ("lost", "lost", "zero"), ("duplicates", "duplicates", "zero")]
metrics = {
    "throughput_qos0": flow, "throughput_qos1": flow, "throughput_qos2": flow,
    "fanout_qos0": [("deliveries/s", "rate", "high"), ("lost", "lost", "zero")],
    "fanout_qos1": [("deliveries/s", "rate", "high"), ("lost", "lost", "zero")],
    "latency_qos1": [("p50 us", "p50_us", "low"), ("p99 us", "p99_us", "low"), ("max us", "max_us", "low")],
    "idle_connections": [("connects/s", "rate", "high"), ("RSS bytes/conn", "bytes_per_conn", "low"),
                         ("broker RSS KiB", "broker_rss_kb", "low")],
    "idle_pinged": [("RSS bytes/conn", "bytes_per_conn", "low"), ("broker RSS KiB", "broker_rss_kb", "low")],
    "push_devices": [("connects+subscribes/s", "connect_rate", "high"), ("RSS bytes/conn", "bytes_per_conn", "low"),
                     ("seconds to all delivered", "seconds", "low"), ("lost", "lost", "zero")],
    "keepalive": [("close after s (min)", "min_s", None), ("close after s (max)", "max_s", None)],
    "qos2_window": [("never delivered", "lost", "zero"), ("PUBCOMP received", "acked", None), ("msgs/s", "rate", "high")],
    "first_message": [("median ms", "median_ms", "low"), ("max ms", "max_ms", "low")],
    "durable_qos1": flow, "durable_qos2": flow, "durable_qos1_power": flow, "durable_qos1_memory": flow,
    "drain_qos1": [("publish msgs/s (queued)", "publish_rate", "high"), ("RSS bytes/queued msg", "queued_bytes_per_msg", "low"),
                   ("drain msgs/s", "rate", "high"), ("lost", "lost", "zero"), ("duplicates", "duplicates", "zero")],
    "reconnect_storm": [("seconds until all back", "seconds", "low"), ("refused", "refused", "zero"),
                        ("sessions lost", "sessions_lost", "zero")],
}
metrics["push_devices_100k"] = metrics["push_devices"]
metrics["tls_connections"] = [("TLS 1.3 connects/s", "rate", "high"), ("RSS bytes/conn", "bytes_per_conn", "low")]
metrics["tls_throughput_qos1"] = flow

# Broker CPU per unit of work: robust when the machine is shared (a starved broker is slow
# in wall time but not in CPU time). scenario -> (label, key holding the unit count)
per_unit = {s: ("broker CPU us/msg", "delivered") for s in metrics if s.startswith(("throughput", "durable"))}
per_unit.update({
    "fanout_qos0": ("broker CPU us/delivery", "delivered"),
    "fanout_qos1": ("broker CPU us/delivery", "delivered"),
    "latency_qos1": ("broker CPU us/msg", "samples"),
    "idle_connections": ("broker CPU us/connect", "connacked"),
    "idle_pinged": ("broker CPU us/ping", "pongs"),
    "push_devices": ("broker CPU us/push", "delivered"),
    "push_devices_100k": ("broker CPU us/push", "delivered"),
    "drain_qos1": ("broker CPU us/msg", "delivered"),
    "reconnect_storm": ("broker CPU us/reconnect", "back"),
    "tls_connections": ("broker CPU us/handshake", "connacked"),
    "tls_throughput_qos1": ("broker CPU us/msg", "delivered"),
    "qos2_window": ("broker CPU us/msg", "acked"),
})
for scen, (label, unit) in per_unit.items():
    for kv in (kv for runs in rows.get(scen, {}).values() for kv in runs):
        try:
            kv["cpu_per_unit"] = f"{float(kv['broker_cpu_s']) * 1e6 / float(kv[unit]):.2f}"
        except (KeyError, ValueError, ZeroDivisionError):
            pass
    metrics[scen] = metrics[scen] + [(label, "cpu_per_unit", "low")]

# The targets, as oriented ratios (> 1: Hermes better) against the named columns.
both = ("mosquitto", "mosquitto_tuned")
targets = {(s, "rate"): (5.0, both) for s in ("throughput_qos0", "throughput_qos1", "throughput_qos2", "fanout_qos0", "fanout_qos1")}
targets.update({
    ("latency_qos1", "p50_us"): (1.0, both), ("latency_qos1", "p99_us"): (1.0, both),
    ("latency_qos1", "max_us"): (10.0, ("mosquitto",)),
    ("idle_connections", "bytes_per_conn"): (1.0, both),
    ("idle_pinged", "bytes_per_conn"): (1.0, both),
    ("push_devices", "bytes_per_conn"): (1.0, both),
    ("push_devices_100k", "bytes_per_conn"): (1.0, both),
    ("tls_connections", "rate"): (1.0, both),
    ("tls_connections", "bytes_per_conn"): (1.0, both),
    ("durable_qos1", "rate"): (4.0, both),
})

def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None

def values(scen, kind, key):
    return [x for x in (num(kv.get(key)) for kv in rows.get(scen, {}).get(kind, [])) if x is not None]

def median(scen, kind, key):
    v = values(scen, kind, key)
    return statistics.median(v) if v else None

def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 1000 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.2f}"

def cell(scen, kind, key):
    v = values(scen, kind, key)
    if not v:
        return "-"
    if len(v) == 1 or min(v) == max(v):
        return fmt(statistics.median(v))
    return f"{fmt(statistics.median(v))} ({fmt(min(v))}–{fmt(max(v))})"

def oriented(h, m, better):
    if better not in ("high", "low") or h is None or m is None or h == 0 or m == 0:
        return None
    return h / m if better == "high" else m / h

def ratio_cell(scen, key, better, ref):
    h, m = median(scen, "hermes", key), median(scen, ref, key)
    if better == "zero":
        hv, mv = values(scen, "hermes", key), values(scen, ref, key)
        if not hv or not mv:
            return ""
        return "" if max(hv) == max(mv) else ("Hermes better" if max(hv) < max(mv) else f"{ref} better")
    r = oriented(h, m, better)
    return "" if r is None else f"{r:.2f}x"

columns = [k for k in ("hermes", "mosquitto", "mosquitto_tuned") if any(k in kinds for kinds in rows.values())]
refs = [k for k in columns if k != "hermes"]
print(f"medians of {max(len(loads), 1)} interleaved run(s), min–max in brackets; " + "; ".join(loads))
print("ratio: Hermes relative to the column, oriented so that > 1 means Hermes is better")
print("(hermes/mosquitto for rates, mosquitto/hermes for times, latencies, memory and CPU)\n")
print("| scenario | metric | " + " | ".join(columns) + " | " + " | ".join(f"ratio vs {r}" for r in refs) + " | target |")
print("|---|---|" + "---|" * (len(columns) + len(refs) + 1))
missed = []
for scen, ms in metrics.items():
    if scen not in rows:
        continue
    for i, (label, key, better) in enumerate(ms):
        target = ""
        if better == "zero":
            bad = any(values(scen, "hermes", key))
            target = "0" + (" MISSED" if bad else "")
            if bad:
                missed.append(f"{scen} {label}")
        elif (scen, key) in targets:
            want, against = targets[(scen, key)]
            got = [oriented(median(scen, "hermes", key), median(scen, r, key), better) for r in against if r in refs]
            ok = all(g is not None and g >= want for g in got) and got
            target = f"≥ {want:g}x vs {' and '.join('stock' if r == 'mosquitto' else 'tuned' for r in against)}" + ("" if ok else " MISSED")
            if not ok:
                missed.append(f"{scen} {label}")
        cells = [cell(scen, k, key) for k in columns]
        ratios = [ratio_cell(scen, key, better, r) for r in refs]
        print(f"| {scen if i == 0 else ''} | {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {target} |")

durable, memory = median("durable_qos1", "hermes", "cpu_per_unit"), median("durable_qos1_memory", "hermes", "cpu_per_unit")
if durable and memory:
    verdict = "" if durable / memory <= 2.5 else " MISSED"
    print(f"\nDurable path, broker CPU per QoS 1 message: {fmt(durable)} us with commit before ack, "
          f"{fmt(memory)} us in memory: {durable / memory:.2f}x (target ≤ 2.5x){verdict}")
    if verdict:
        missed.append("durable_qos1 CPU per message vs in-memory")
for kind in columns:
    b = sum(num(kv.get("broker_cpu_s")) or 0 for r in rows.values() for kv in r.get(kind, []))
    g = sum(num(kv.get("loadgen_cpu_s")) or 0 for r in rows.values() for kv in r.get(kind, []))
    if b > 0:
        print(f"\nCPU over all measured phases, {kind}: broker {b:.2f} s, loadgen {g:.2f} s ({100 * g / b:.0f}% of the broker's)", end="")
print()
for n in notrun:
    print(f"\nNot run: {n}")
if missed:
    print("\nTargets missed: " + "; ".join(missed))
for s, kinds in rows.items():
    for k, runs in kinds.items():
        for kv in runs:
            if "error" in kv:
                print(f"\nERROR {k} run {kv.get('run', '?')} {s}: {kv['error']}")
EOF

if ((errors)); then
    echo "bench.sh: $errors error(s); see logs in $work" >&2
    exit 1
fi
exit 0
